/** Options shared by the commands that run studies: where they are recorded and who runs them. */
import type { Command } from "commander";
import { resolve } from "node:path";
import type { RunStudyOptions, StudyResults } from "../study/run-study.ts";
import type { StudySpec } from "../study/define.ts";
import type { SeedPlan } from "../study/seed-plan.ts";
import { parseWhole } from "./count-option.ts";
import { interruptSignal } from "./interrupt.ts";
import { addRunOptions } from "./run-options.ts";
import { parseSchedule } from "./schedule-option.ts";
import { studyProgress } from "./study-progress.ts";
import { UsageError } from "./exit-codes.ts";
import { parseSplitMode, type SplitMode } from "../study/split-mode.ts";

export interface StudyStoreFlags {
  store?: string;
  allowChanged?: boolean;
  jobs?: string;
  queue?: string;
  queueName?: string;
  wait?: boolean;
  checkpointEvery?: string;
  retryFailed?: boolean;
}

export function addStudyStoreOptions(cmd: Command): Command {
  return cmd
    .option("--store <url>", "where runs are recorded: postgres://user@host:port/db for a shared store (default: .twin/twin.db)")
    .option("--allow-changed", "continue a study whose code, data or environment changed since its runs began")
    .option("--jobs <n>", "worker processes on this machine (default: cores / threads per run; 1 = in this process)")
    .option("--queue <url>", "submit the runs to a BullMQ queue (redis://host:port) for `twin worker` processes; needs a shared --store")
    .option("--queue-name <name>", "queue name (default twin-runs)")
    .option("--no-wait", "with --queue: submit and return; follow with `twin runs --study S`")
    .option("--checkpoint-every <n>", "checkpoint each run every N steps (resume after a kill)", "100")
    .option("--retry-failed", "run the study's failed runs again (otherwise they are kept as failed and reported)");
}

/** --split's help, on every command that twin-trains a study (compare, seeds, demo). */
export const SPLIT_HELP =
  'per-seed: each seed draws its own validation split (the study\'s default unless it says split: "shared"); shared: one split for every seed, so seed ensembles are chosen on validation';

/** Every option of a command that twin-trains a study file (compare, seeds): the first seed, the final metric, the run options (run-options.ts) and the store options. */
export function addStudyRunOptions(cmd: Command): Command {
  cmd
    .option("--first <n>", "first root seed", "0")
    .option("--metric <name>", "accuracy or loss (final, on the validation split)", "accuracy")
    .option("--split <mode>", SPLIT_HELP);
  return addStudyStoreOptions(addRunOptions(cmd));
}

/** --metric of compare and seeds, checked. */
export function finalMetric(flags: { metric: string }): "accuracy" | "loss" {
  if (flags.metric !== "accuracy" && flags.metric !== "loss") throw new Error(`--metric must be accuracy or loss (got '${flags.metric}')`);
  return flags.metric;
}

export function storeRunOptions(flags: StudyStoreFlags): Partial<RunStudyOptions> {
  const jobs = flags.jobs === undefined ? undefined : parseWhole(flags.jobs, "--jobs", { min: 1, max: 1024, why: "worker processes on one machine" });
  const every = parseWhole(flags.checkpointEvery ?? "100", "--checkpoint-every", { min: 1 });
  if (flags.queue && !flags.store) {
    throw new Error("--queue needs a store every worker can reach: add --store postgres://user@host:port/db (workers take the same --store)");
  }
  if (flags.queue && !/^postgres(ql)?:\/\//i.test(flags.store!)) {
    throw new Error(`--queue needs a shared PostgreSQL store (--store postgres://…); '${flags.store}' is a local file the workers cannot share`);
  }
  return {
    record: true,
    storeUrl: flags.store,
    allowChanged: flags.allowChanged,
    jobs,
    queue: flags.queue,
    queueName: flags.queueName,
    wait: flags.wait,
    checkpointEvery: every,
    retryFailed: flags.retryFailed,
  };
}

/**
 * After a study that did not run to the end (Ctrl-C, or --no-wait): says how
 * to continue; true when there is nothing to report on.
 */
export function reportStopped(results: StudyResults, flags: StudyStoreFlags): boolean {
  if (!results.stopped) return false;
  if (flags.queue && flags.wait === false) {
    process.stderr.write(`twin: submitted ${results.runIds?.length ?? 0} run(s) of study '${results.study}' to ${flags.queue}; follow them with: twin runs --study ${results.study} --store ${results.store}\n`);
    return true;
  }
  const planned = results.runIds?.length;
  const verdictOn = results.runs.length >= 2 ? `; the verdict below is on these ${results.runs.length}${planned ? ` of the ${planned} planned` : ""}` : "";
  process.stderr.write(`twin: stopped with ${results.runs.length} run(s) finished; run the same command again to continue (finished runs are kept${results.store ? `, stored in ${results.store}` : ""})${verdictOn}\n`);
  if (results.runs.length < 2) {
    process.exitCode = 130;
    return true;
  }
  return false;
}

/** Flags of every command that trains a study. */
export interface StudyRunFlags extends StudyStoreFlags {
  first: string;
  metric: string;
  logdir: string;
  steps?: string;
  schedule: string;
  split?: string;
  json?: boolean;
}

/** --split, checked (undefined: the study's own mode). */
export function splitOption(flags: { split?: string }): SplitMode | undefined {
  if (flags.split === undefined) return undefined;
  try {
    return parseSplitMode(flags.split, "--split");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Runs a study for a command: progress bars, Ctrl-C, the store options.
 * Returns undefined when the study stopped with nothing to report on.
 */
export async function runStudyCommand(spec: StudySpec, file: string, plan: SeedPlan | undefined, flags: StudyRunFlags): Promise<StudyResults | undefined> {
  const progress = studyProgress(flags.json);
  const interrupt = interruptSignal();
  try {
    // The trainer (and libtorch) loaded once there is a study to run: `--help` and a wrong option do not wait for it.
    const { runStudy } = await import("../study/run-study.ts");
    const results = await runStudy(spec, {
      studyFile: resolve(file),
      schedule: parseSchedule(flags.schedule),
      plan,
      split: splitOption(flags),
      logdir: resolve(flags.logdir),
      onRunStart: progress.onRunStart,
      onProgress: progress.onProgress,
      onRunEnd: progress.onRunEnd,
      ...storeRunOptions(flags),
      signal: interrupt.signal,
    });
    progress.stop();
    if (results.halted) {
      const left = (results.runIds?.length ?? 0) - results.runs.length;
      process.stderr.write(`twin: stopped early: ${left} planned run(s) not started, because every variant failed the same way (the error is above); the verdict below is on the ${results.runs.length} run(s) that ended\n`);
    }
    const nothingToReport = reportStopped(results, flags);
    // Stopped by a signal with results to print: the verdict follows, but the status says the study did not complete.
    const signalled = interrupt.exitCode();
    if (results.stopped && signalled !== undefined) process.exitCode = signalled;
    return nothingToReport ? undefined : results;
  } finally {
    interrupt.release();
    progress.stop();
  }
}
