/** One progress bar per twin run, shared by the commands that train. */
import cliProgress from "cli-progress";
import type { PlannedRun } from "../study/seed-plan.ts";
import type { Progress } from "../twin/types.ts";

export interface RunProgress {
  onRunStart(run: PlannedRun, index: number, total: number): void;
  onProgress(run: PlannedRun, p: Progress): void;
  stop(): void;
}

/** A bar on stderr ("run 2/5 · seed 1 · step 120/858 · adam 0.41 sgd 0.44"); silent when quiet. */
export function runProgress(quiet = false): RunProgress {
  const bar = new cliProgress.SingleBar(
    { format: " {bar} {percentage}% | run {run} | {label} | step {value}/{total} | {losses}", hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  let runText = "";
  let label = "";
  return {
    onRunStart(run, index, total) {
      if (quiet) return;
      if (active) bar.stop();
      active = false;
      runText = `${index + 1}/${total}`;
      label = run.group === "all" ? `seed ${run.label}` : run.group === "grid" ? `grid #${run.label}` : `${run.group} seed ${run.seed.factors?.[run.group] ?? run.label}`;
    },
    onProgress(_run, p) {
      if (quiet) return;
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join("  ");
      if (!active) {
        bar.start(p.totalSteps, p.step, { run: runText, label, losses });
        active = true;
      } else {
        bar.update(p.step, { run: runText, label, losses });
      }
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
