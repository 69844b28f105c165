/** Options of the commands that twin-train a study (compare, seeds, demo): where the runs log, how long they train, how variants share the machine. */
import type { Command } from "commander";

/** Adds --logdir, --steps (unless the command sets the length itself, as demo's --epochs does) and --schedule. */
export function addRunOptions(cmd: Command, options: { steps?: boolean } = {}): Command {
  cmd.option("--logdir <dir>", "TensorBoard and JSON Lines logs", "runs");
  if (options.steps ?? true) cmd.option("--steps <n>", "train each run for N steps instead of the study's epochs (a quick look)");
  return cmd.option("--schedule <s>", "sequential (variants take turns: least memory) or parallel (one worker thread per variant)", "sequential");
}
