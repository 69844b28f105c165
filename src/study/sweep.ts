/**
 * `twin sweep`: any training command, run once per seed with per-factor seeds
 * in its environment, its metrics collected and stored like native runs, and
 * analysed with the same statistics as `twin stats`.
 *
 * A sweep is a study in the store (kind "sweep") whose variants each have a
 * command. Running `twin sweep --name S --variant a -- cmdA`, then
 * `--variant b -- cmdB`, builds one study whose variants are paired by seed.
 * Finished runs are kept and never redone; a run interrupted by Ctrl-C (or by
 * twin being killed) is run again by the same command; a failed run stays
 * failed unless `retryFailed`.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, extname, join, relative, resolve } from "node:path";
import { FACTORS } from "../rng/streams.ts";
import { resolveFactorSeeds } from "../rng/streams.ts";
import { describe } from "../stats/index.ts";
import { canonicalJson, collectFingerprint, diffFingerprints, formatDifferences, openStore, sha256, StoreError } from "../store/index.ts";
import type { RunRecord, Store } from "../store/types.ts";
import { analyzeResults, type Analysis, type TestChoice } from "./analyze.ts";
import type { ResultRow, ResultTable } from "./results-file.ts";
import { planRuns, type PlannedRun } from "./seed-plan.ts";
import { runCommand, type CommandResult } from "./sweep-command.ts";
import { dedupeSteps, finalValues, mergeSeries, readRunDirMetrics } from "./sweep-metrics.ts";

export interface SweepVariant {
  name: string;
  /** argv: run as is, no shell. */
  command: string[];
  /** Extra environment variables for this variant. */
  env?: Record<string, string>;
}

export interface SweepOptions {
  /** Study name in the store (default: from the command, e.g. `train` for `python train.py`). */
  name?: string;
  variants: SweepVariant[];
  /** Number of seeds (default 5). */
  seeds?: number;
  /** First seed (default 0). */
  first?: number;
  /** Vary only this factor's seed; the root seed stays at `first`. */
  vary?: string;
  /** Seconds per run (none by default). */
  timeout?: number;
  /** Seconds between SIGTERM and SIGKILL (default 10). */
  killAfter?: number;
  /** Commands at once (default 1). */
  jobs?: number;
  storeUrl?: string;
  cwd?: string;
  /** Run failed runs again (a new record; the failed one stays for the audit trail). */
  retryFailed?: boolean;
  /** Accept a variant whose command or files changed since its first runs. */
  allowChanged?: boolean;
  signal?: AbortSignal;
  /** Analysis of the chosen metric (default: an accuracy, else a validation metric, else the first). */
  metric?: string;
  lowerIsBetter?: boolean;
  reference?: string;
  test?: TestChoice;
  alpha?: number;
  onRunStart?: (run: SweepRunInfo) => void;
  onRunEnd?: (outcome: SweepOutcome, done: number, total: number) => void;
  onOutput?: (run: SweepRunInfo, line: string, stream: "stdout" | "stderr") => void;
  onWarning?: (message: string) => void;
}

export interface SweepRunInfo {
  id: string;
  variant: string;
  label: number;
  rootSeed: string;
  seeds: Record<string, string>;
  runDir: string;
}

export interface SweepOutcome extends SweepRunInfo {
  status: "finished" | "failed" | "skipped";
  /** true when the run was already in the store (finished or failed earlier) and not run now. */
  reused: boolean;
  error?: string;
  /** Final value of each metric. */
  metrics: Record<string, number>;
  seconds?: number;
}

export interface MetricSummary {
  metric: string;
  variants: { name: string; n: number; mean: number; sd: number; min: number; max: number; nonFinite: number }[];
}

export interface SweepResult {
  name: string;
  store: string;
  vary: string | null;
  /** The runs this sweep asked for, in plan order. */
  runs: SweepOutcome[];
  stopped: boolean;
  /** Final values of every finished run of the study's variants (their current commands). */
  table: ResultTable;
  summaries: MetricSummary[];
  /** The verdict on the chosen metric when the study has two or more variants. */
  analysis?: Analysis;
  /** Why there is no verdict (one variant, no finished runs…). */
  analysisNote?: string;
}

export const SWEEP_STUDY_HASH = sha256("twin.sweep.v1");
const HEARTBEAT_MS = 15_000;
const STALE_MS = 60_000;
/** Fingerprint keys that do not matter to an external command's results. */
const SWEEP_FINGERPRINT_IGNORE = ["argv", "git", "versions", "lockfile"];

// ------------------------------------------------------------ input checks

/** A positive integer from CLI text, or a clear error. */
export function parseCount(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${what} must be a positive integer (got '${text}')`);
  }
  return Number(text);
}

/** A seed (non-negative integer) from CLI text. */
export function parseSeed(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`${what} must be a non-negative integer (got '${text}')`);
  return Number(text);
}

/** Seconds (> 0) from CLI text. */
export function parseSeconds(text: string, what: string, allowZero = false): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`${what} must be a number of seconds${allowZero ? "" : " above 0"} (got '${text}')`);
  }
  return v;
}

export function checkFactor(factor: string): string {
  const f = factor.trim().toLowerCase();
  if (!(FACTORS as readonly string[]).includes(f)) {
    throw new Error(`--vary ${factor}: unknown factor; the factors are ${FACTORS.join(", ")}`);
  }
  return f;
}

export function checkVariantName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`variant name '${name}' cannot be used: use letters, digits, '.', '_' and '-' (it names a folder)`);
  }
  return name;
}

function checkCommand(command: unknown, where: string): string[] {
  if (typeof command === "string") {
    if (command.trim() === "") throw new Error(`${where}: empty command`);
    return ["sh", "-c", command];
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === "string") || command[0] === "") {
    throw new Error(`${where}: a command is a non-empty list of strings (run as is) or a string (run with sh -c)`);
  }
  return command as string[];
}

/**
 * A variants file (JSON): `{"a": ["python", "train.py"], "b": "python train.py --wide"}`
 * or `{"variants": {...}}`; a variant may also be `{"command": [...], "env": {"K": "V"}}`.
 * A string command runs with `sh -c`; a list runs as is.
 */
export function readVariantsFile(path: string): SweepVariant[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `--variants-file ${path}: no such file` : `--variants-file ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (data && typeof data === "object" && !Array.isArray(data) && "variants" in data) data = (data as { variants: unknown }).variants;
  if (!data || typeof data !== "object" || Array.isArray(data) || Object.keys(data).length === 0) {
    throw new Error(`--variants-file ${path}: expected an object of variants, e.g. {"base": ["python", "train.py"], "wide": "python train.py --width 512"}`);
  }
  return Object.entries(data as Record<string, unknown>).map(([name, spec]) => {
    const where = `--variants-file ${path}, variant '${name}'`;
    checkVariantName(name);
    if (spec && typeof spec === "object" && !Array.isArray(spec)) {
      const { command, env } = spec as { command?: unknown; env?: unknown };
      if (env !== undefined && (typeof env !== "object" || env === null || Object.values(env).some((v) => typeof v !== "string"))) {
        throw new Error(`${where}: env must map names to strings`);
      }
      return { name, command: checkCommand(command, where), ...(env ? { env: env as Record<string, string> } : {}) };
    }
    return { name, command: checkCommand(spec, where) };
  });
}

/** A study name from the command: `python train.py` → "train". */
export function defaultSweepName(command: readonly string[]): string {
  const candidate = command.slice(1).find((a) => !a.startsWith("-") && !/\s/.test(a)) ?? command[0] ?? "sweep";
  const base = basename(candidate, extname(candidate)).replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+/, "");
  return base || "sweep";
}

// ------------------------------------------------------------ seeds

/** The environment of one run: TWIN_SEED, TWIN_SEED_<FACTOR>, TWIN_RUN_DIR, TWIN_VARIANT. */
export function sweepEnv(root: bigint, seeds: Record<string, bigint>, runDir: string, variant: string): Record<string, string> {
  const env: Record<string, string> = { TWIN_SEED: root.toString(), TWIN_RUN_DIR: runDir, TWIN_VARIANT: variant };
  for (const [factor, seed] of Object.entries(seeds)) env[`TWIN_SEED_${factor.toUpperCase()}`] = seed.toString();
  return env;
}

/** The label that pairs runs across variants: the root seed, plus the factors that differ from it. */
export function pairLabel(root: bigint | string, seeds: Record<string, bigint | string>): string {
  const r = root.toString();
  const other = Object.entries(seeds)
    .filter(([, s]) => s.toString() !== r)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([f, s]) => `${f}=${s}`);
  return other.length ? `${r}:${other.join(",")}` : r;
}

function folderOf(name: string, vary: string | undefined): string {
  return vary ? `${name}.vary-${vary}` : name;
}

// ------------------------------------------------------------ the sweep

interface VariantState {
  variant: SweepVariant;
  specHash: string;
  fingerprintHash: string;
}

function sameCommand(a: unknown, b: SweepVariant): boolean {
  return canonicalJson(a ?? null) === canonicalJson({ command: b.command, env: b.env ?? {} });
}

function commandText(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./=:@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function fileArgs(cwd: string, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a.startsWith("-") || /\s/.test(a)) continue;
    try {
      const st = statSync(resolve(cwd, a));
      if (st.isFile() && st.size <= 50 * 1024 * 1024) out.push(a);
    } catch {
      // not a file
    }
  }
  return out;
}

async function prepareVariants(store: Store, study: string, variants: SweepVariant[], cwd: string, allowChanged: boolean, warn: (s: string) => void): Promise<VariantState[]> {
  const stored = await store.listVariants(study);
  const runs = await store.listRuns({ study });
  const states: VariantState[] = [];
  for (const v of variants) {
    const key = { command: v.command, env: v.env ?? {} };
    const specHash = sha256(canonicalJson({ kind: "sweep", variant: v.name, ...key }));
    const fingerprint = await collectFingerprint({ cwd, files: fileArgs(cwd, v.command), argv: v.command });
    const fingerprintHash = await store.putFingerprint(fingerprint);
    const before = stored.find((s) => s.name === v.name);
    const cfg = before?.config as { command?: string[]; env?: Record<string, string>; fingerprintHash?: string } | undefined;
    const earlier = runs.filter((r) => r.variants.length === 1 && r.variants[0] === v.name);
    if (cfg && earlier.length > 0) {
      if (!sameCommand({ command: cfg.command, env: cfg.env ?? {} }, v)) {
        const msg =
          `variant '${v.name}' of sweep '${study}' was swept with \`${commandText(cfg.command ?? [])}\`${cfg.env && Object.keys(cfg.env).length ? ` (env ${JSON.stringify(cfg.env)})` : ""}, ` +
          `not \`${commandText(v.command)}\`${v.env && Object.keys(v.env).length ? ` (env ${JSON.stringify(v.env)})` : ""}`;
        if (!allowChanged) {
          throw new StoreError(`${msg}. Give the new command another variant name (--variant NAME) or another sweep name (--name), or pass --allow-changed to replace it (its ${earlier.length} earlier run(s) stay in the store but leave the statistics).`);
        }
        warn(`${msg}; replacing it (--allow-changed): its ${earlier.length} earlier run(s) stay in the store but leave the statistics`);
      } else if (cfg.fingerprintHash && cfg.fingerprintHash !== fingerprintHash) {
        const old = await store.getFingerprint(cfg.fingerprintHash);
        const diffs = diffFingerprints(old?.fingerprint ?? {}, fingerprint, { ignore: SWEEP_FINGERPRINT_IGNORE });
        if (diffs.length > 0) {
          if (!allowChanged) {
            throw new StoreError(
              `variant '${v.name}' of sweep '${study}' began with other files or another machine; its runs would mix results from different code:\n${formatDifferences(diffs)}\n` +
                "Go back to what the sweep began with, give the sweep a new name (--name), or pass --allow-changed to mix them anyway.",
            );
          }
          warn(`variant '${v.name}' continues with a changed fingerprint (--allow-changed):\n${formatDifferences(diffs)}`);
        }
      }
    }
    states.push({ variant: v, specHash, fingerprintHash: cfg && earlier.length > 0 && sameCommand({ command: cfg.command, env: cfg.env ?? {} }, v) && cfg.fingerprintHash ? cfg.fingerprintHash : fingerprintHash });
  }
  // Keep the stored order; update or append this sweep's variants.
  const order = stored.map((s) => ({ name: s.name, config: s.config }));
  for (const s of states) {
    const config = { kind: "sweep", command: s.variant.command, env: s.variant.env ?? {}, fingerprintHash: s.fingerprintHash };
    const i = order.findIndex((o) => o.name === s.variant.name);
    if (i >= 0) order[i] = { name: s.variant.name, config };
    else order.push({ name: s.variant.name, config });
  }
  await store.putVariants(study, order);
  return states;
}

function errorText(r: CommandResult, opts: { timeout?: number; killAfter?: number }): string {
  let head: string;
  if (r.spawnError) head = r.spawnError;
  else if (r.aborted) head = "interrupted (Ctrl-C); the same twin sweep command runs it again";
  else if (r.timedOut) head = `timed out after ${opts.timeout} s (stopped with SIGTERM${r.signal === "SIGKILL" ? `, then SIGKILL after ${opts.killAfter ?? 10} s` : ""})`;
  else if (r.signal) head = `killed by ${r.signal}`;
  else if (r.exitCode !== 0) head = `exit code ${r.exitCode}`;
  else head = 'exited 0 but reported no metrics: print JSON lines such as {"step": 100, "val_accuracy": 0.87} on stdout, or write metrics.jsonl or TensorBoard event files under $TWIN_RUN_DIR';
  return r.stderrTail.length ? `${head}\n--- last ${r.stderrTail.length} line(s) of stderr ---\n${r.stderrTail.join("\n")}` : head;
}

function seedStrings(seeds: Record<string, bigint>): Record<string, string> {
  return Object.fromEntries(Object.entries(seeds).map(([k, v]) => [k, v.toString()]));
}

function pickMetric(names: readonly string[]): string | undefined {
  return names.find((n) => /acc/i.test(n)) ?? names.find((n) => /^(val|valid|eval|test)/i.test(n)) ?? names[0];
}

/** Lower is better for losses and errors, unless said otherwise. */
export function guessLowerIsBetter(metric: string): boolean {
  return /loss|err|mse|mae|rmse|perplexity|ppl|nll|wer|cer/i.test(metric) && !/acc/i.test(metric);
}

/**
 * The study's results as a ResultTable: per variant (its current command),
 * per pairing label, the latest finished run's final metrics.
 */
export async function sweepResults(store: Store, study: string): Promise<ResultTable> {
  const variants = await store.listVariants(study);
  const runs = await store.listRuns({ study, status: "finished" });
  const metricNames: string[] = [];
  const rows: ResultRow[] = [];
  for (const v of variants) {
    const cfg = v.config as { command?: string[]; env?: Record<string, string> } | null;
    const chosen = new Map<string, RunRecord>();
    for (const r of runs) {
      const rc = r.config as { kind?: string; command?: string[]; env?: Record<string, string> } | null;
      if (r.variants.length !== 1 || r.variants[0] !== v.name || rc?.kind !== "sweep") continue;
      if (canonicalJson({ c: rc.command, e: rc.env ?? {} }) !== canonicalJson({ c: cfg?.command, e: cfg?.env ?? {} })) continue;
      const label = pairLabel(r.rootSeed, r.seeds);
      const prev = chosen.get(label);
      if (!prev || (r.finishedAt ?? 0) >= (prev.finishedAt ?? 0)) chosen.set(label, r);
    }
    if (chosen.size === 0) continue;
    const finals = await store.finalMetrics({ study, runIds: [...chosen.values()].map((r) => r.id) });
    for (const [label, r] of chosen) {
      const m: Record<string, number> = {};
      for (const f of finals) {
        if (f.runId !== r.id) continue;
        m[f.name] = f.value;
        if (!metricNames.includes(f.name)) metricNames.push(f.name);
      }
      rows.push({ variant: v.name, seed: label, metrics: m, where: `run ${r.id}` });
    }
  }
  return { rows, metrics: metricNames };
}

/** n, mean ± sd, min, max per variant for every metric. */
export function summarize(table: ResultTable): MetricSummary[] {
  const variants = [...new Set(table.rows.map((r) => r.variant))];
  return table.metrics.map((metric) => ({
    metric,
    variants: variants.flatMap((name) => {
      const all = table.rows.filter((r) => r.variant === name && r.metrics[metric] !== undefined).map((r) => r.metrics[metric]!);
      if (all.length === 0) return [];
      const finite = all.filter(Number.isFinite);
      const d = finite.length ? describe(finite) : undefined;
      return [{ name, n: finite.length, mean: d?.mean ?? NaN, sd: d?.sd ?? NaN, min: d?.min ?? NaN, max: d?.max ?? NaN, nonFinite: all.length - finite.length }];
    }),
  }));
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const warn = options.onWarning ?? ((s: string) => process.stderr.write(`twin: ${s}\n`));
  if (options.variants.length === 0) throw new Error("nothing to run: give a command after --, e.g. twin sweep --seeds 5 -- python train.py");
  const names = new Set<string>();
  for (const v of options.variants) {
    checkVariantName(v.name);
    if (names.has(v.name)) throw new Error(`variant '${v.name}' appears twice`);
    names.add(v.name);
    checkCommand(v.command, `variant '${v.name}'`);
  }
  const vary = options.vary === undefined ? undefined : checkFactor(options.vary);
  const n = options.seeds ?? 5;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--seeds must be a positive integer (got ${n})`);
  const first = options.first ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) throw new Error(`--first must be a non-negative integer (got ${first})`);
  const jobs = options.jobs ?? 1;
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer (got ${jobs})`);
  const name = options.name ?? defaultSweepName(options.variants[0]!.command);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`sweep name '${name}' cannot be used: use letters, digits, '.', '_' and '-'`);
  const plans: PlannedRun[] = planRuns(vary ? { vary, n, first } : { n, first });

  const store = await openStore(options.storeUrl, { cwd });
  try {
    const { study } = await store.putStudy({ name, specHash: SWEEP_STUDY_HASH, spec: { kind: "sweep" } });
    if ((study.spec as { kind?: string } | null)?.kind !== "sweep") {
      throw new StoreError(`study '${name}' in the store at ${store.location} is not a sweep (it was made by twin compare/seeds); choose another --name`);
    }
    const states = await prepareVariants(store, name, options.variants, cwd, options.allowChanged ?? false, warn);
    // Runs left "running" by a sweep that was killed go back to the queue.
    const { requeued } = await store.requeueStale(STALE_MS, { study: name });
    if (requeued.length) warn(`running again ${requeued.length} run(s) left unfinished by a sweep that stopped: ${requeued.join(", ")}`);

    const worker = `sweep-${hostname()}-${process.pid}`;
    const root = join(cwd, ".twin", "sweeps", folderOf(name, vary));
    // Seed-major order: every variant of a seed before the next seed, so an interrupted sweep leaves whole pairs.
    const tasks = plans.flatMap((plan) => states.map((state) => ({ plan, state })));
    const outcomes: SweepOutcome[] = new Array(tasks.length);
    let done = 0;
    let stopped = false;

    const runTask = async (index: number): Promise<void> => {
      const { plan, state } = tasks[index]!;
      const v = state.variant;
      const seeds = resolveFactorSeeds(plan.seed);
      const rootSeed = BigInt(plan.seed.root);
      const runDir = join(root, v.name, `seed-${plan.label}`);
      const config = {
        kind: "sweep",
        command: v.command,
        env: v.env ?? {},
        cwd,
        runDir: relative(cwd, runDir),
        group: plan.group,
        label: plan.label,
        timeout: options.timeout ?? null,
      };
      let run: RunRecord | undefined;
      for (let attempt = 0; ; attempt++) {
        const specHash = attempt === 0 ? state.specHash : sha256(`${state.specHash}:retry${attempt}`);
        ({ run } = await store.submitRun({ study: name, variants: v.name, specHash, rootSeed, seeds, config, fingerprintHash: state.fingerprintHash }));
        const interrupted = (run.status === "failed" && run.error?.startsWith("interrupted")) ?? false;
        if ((run.status === "failed" || run.status === "diverged") && (options.retryFailed || interrupted)) continue;
        break;
      }
      const info: SweepRunInfo = { id: run.id, variant: v.name, label: plan.label, rootSeed: rootSeed.toString(), seeds: seedStrings(seeds), runDir };
      const finish = (o: SweepOutcome) => {
        outcomes[index] = o;
        options.onRunEnd?.(o, ++done, tasks.length);
      };
      const storedFinals = async () => Object.fromEntries((await store.finalMetrics({ runIds: [run!.id] })).map((m) => [m.name, m.value]));
      if (run.status === "finished") return finish({ ...info, status: "finished", reused: true, metrics: await storedFinals() });
      if (run.status === "failed" || run.status === "diverged") {
        return finish({ ...info, status: "failed", reused: true, error: run.error ?? "failed", metrics: await storedFinals() });
      }
      if (stopped || options.signal?.aborted) {
        stopped = true;
        return finish({ ...info, status: "skipped", reused: false, metrics: {} });
      }
      if (run.status !== "queued" || !(await store.claimRun(run.id, worker))) {
        warn(`run ${run.id} is being run by another sweep (${run.worker ?? "unknown worker"}); left to it`);
        return finish({ ...info, status: "skipped", reused: false, metrics: {} });
      }
      rmSync(runDir, { recursive: true, force: true });
      mkdirSync(runDir, { recursive: true });
      options.onRunStart?.(info);
      const beat = setInterval(() => void store.heartbeat(run!.id, worker).catch(() => {}), HEARTBEAT_MS);
      beat.unref();
      let result: CommandResult;
      try {
        result = await runCommand({
          argv: v.command,
          cwd,
          env: { ...process.env, PYTHONUNBUFFERED: process.env.PYTHONUNBUFFERED ?? "1", ...(v.env ?? {}), ...sweepEnv(rootSeed, seeds, runDir, v.name) },
          timeout: options.timeout,
          killAfter: options.killAfter,
          signal: options.signal,
          logDir: runDir,
          onOutput: (line, stream) => options.onOutput?.(info, line, stream),
        });
      } finally {
        clearInterval(beat);
      }
      let series = result.series;
      let readError: string | undefined;
      try {
        series = mergeSeries(result.series, readRunDirMetrics(runDir));
      } catch (e) {
        readError = `could not read the metrics files under ${runDir}: ${(e as Error).message}`;
      }
      const metrics = finalValues(series);
      const rows = dedupeSteps(series).map((r) => ({ runId: run!.id, variant: v.name, step: Math.max(0, r.step), name: r.name, value: r.value }));
      if (rows.length) await store.addMetrics(rows);
      const ok = !result.spawnError && !result.aborted && !result.timedOut && result.exitCode === 0 && rows.length > 0 && !readError;
      if (result.aborted) stopped = true;
      if (ok) {
        await store.finishRun(run.id, { worker });
        return finish({ ...info, status: "finished", reused: false, metrics, seconds: result.seconds });
      }
      const error = readError ?? errorText(result, options);
      await store.failRun(run.id, error, { worker });
      return finish({ ...info, status: "failed", reused: false, error, metrics, seconds: result.seconds });
    };

    let next = 0;
    const lanes = Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) await runTask(next++);
    });
    await Promise.all(lanes);
    if (options.signal?.aborted) stopped = true;

    const table = await sweepResults(store, name);
    const summaries = summarize(table);
    const result: SweepResult = { name, store: store.location, vary: vary ?? null, runs: outcomes, stopped, table, summaries };
    const variantsWithRuns = new Set(table.rows.map((r) => r.variant));
    if (options.metric !== undefined && table.rows.length > 0 && !table.metrics.includes(options.metric)) {
      throw new Error(`--metric ${options.metric}: no run reported it; the metrics are ${table.metrics.join(", ")}`);
    }
    const metric = options.metric ?? pickMetric(table.metrics);
    if (variantsWithRuns.size < 2 || metric === undefined) {
      result.analysisNote =
        variantsWithRuns.size === 0
          ? "no finished runs to analyse"
          : `one variant so far; sweep another into the same study (--name ${name} --variant NAME -- <command>) for a paired comparison`;
    } else {
      result.analysis = analyzeResults(table, {
        metric,
        lowerIsBetter: options.lowerIsBetter ?? guessLowerIsBetter(metric),
        reference: options.reference,
        test: options.test,
        alpha: options.alpha,
      });
    }
    return result;
  } finally {
    await store.close();
  }
}
