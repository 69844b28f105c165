// The dashboard model's part of a cold first view, alone: a synthetic study's
// runs (bench/synthetic-study.ts) read once into packed states and encoded as
// the reader threads send them (run-state.ts encodeRunState), then, timed, each
// seed's runs decoded as the view worker decodes them (decodeRunState as
// views, runDataOf) and folded into the dashboard's accumulator ("replace"
// mode: the curve columns), and the model finished (statistics, curves,
// finals; no charts). CPU seconds of this process per pass, median and range
// over ROUNDS (env, default 3; the first round's finish is the cold view's:
// its code not yet compiled), and the finish's CPU on the main thread alone
// (helper threads' compiling and marking left out: steadier under load).
// curves_sha hashes a few of the curves' statistics (comparable with older
// runs), model_sha every number of the model. `SRC` is the source tree to
// measure (default this checkout's src/): another checkout's src/ measures the
// code before a change, in a process of its own, on the same data.
//
//   nice -n 5 npx tsx bench/model-fold.ts RUNS [SRC]     # e.g. 10000 /tmp/old/src
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticStudy } from "./synthetic-study.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STEPS = 500;
const runs = Number(process.argv[2] ?? 10000);
const src = resolve(process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "src"));
const runState = (await import(join(src, "report/sources/run-state.ts"))) as typeof import("../src/report/sources/run-state.ts");
const build = (await import(join(src, "report/model/build.ts"))) as typeof import("../src/report/model/build.ts");

const root = join(tmpdir(), "twin-bench", `r${runs}`);
writeSyntheticStudy(root, "scan", runs / 2, STEPS);
const study = join(root, "scan");
/** Seeds in seed order, each with its runs' encoded states. */
const seeds = new Map<string, { variant: string; bytes: Buffer }[]>();
for (const variant of readdirSync(study)) {
  for (const dir of readdirSync(join(study, variant))) {
    const path = join(study, variant, dir, "metrics.jsonl");
    const state = runState.emptyRunState();
    runState.readAppended(path, state, statSync(path).size);
    const seed = dir.slice("seed-".length);
    let g = seeds.get(seed);
    if (!g) seeds.set(seed, (g = []));
    g.push({ variant, bytes: runState.encodeRunState(state) });
  }
}
const order = [...seeds.keys()].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** The main thread's CPU seconds alone (Linux: its /proc task's user + system ticks), without the compiler's and collector's helper threads; NaN elsewhere. */
const mainTask = `/proc/self/task/${process.pid}/stat`;
const mainThreadCpu = (): number => {
  if (!existsSync(mainTask)) return NaN;
  const fields = readFileSync(mainTask, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const fold: number[] = [], finish: number[] = [], finishMain: number[] = [];
let check = "", whole = "";
for (let round = 0; round < ROUNDS; round++) {
  const t0 = cpu();
  const acc = new build.StudyAccumulator({ name: "scan", source: "bench", variantOrder: ["baseline", "wider"] }, {}, "replace", order.length);
  for (const seed of order) {
    const runsOfSeed = seeds.get(seed)!.map(({ variant, bytes }) => runState.runDataOf(runState.decodeRunState(bytes, true), variant, seed, `${variant}/seed-${seed}`));
    acc.addGroup({ seed, runs: runsOfSeed, checks: [] });
  }
  const t1 = cpu(), m1 = mainThreadCpu();
  const model = acc.finish();
  const t2 = cpu();
  finishMain.push(mainThreadCpu() - m1);
  fold.push(t1 - t0);
  finish.push(t2 - t1);
  // The same numbers from either tree: the curves' statistics, compared by the caller across trees.
  check = JSON.stringify([model.curves, model.pairedCurves].map((cs) => cs.map((c) => c.stats.slice(0, 3).concat(c.stats.slice(-3)))));
  // Every number of the model but its time stamp, −0, NaN and the infinities told apart (JSON would print them as 0 and null).
  whole = JSON.stringify({ ...model, generatedAt: "" }, (_, v: unknown) => (typeof v === "number" && (Object.is(v, -0) || !Number.isFinite(v)) ? `number ${Object.is(v, -0) ? "-0" : v}` : v));
}
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const { createHash } = await import("node:crypto");
console.log(JSON.stringify({ src, runs, fold_cpu_s: r2(median(fold)), fold_range: [r2(Math.min(...fold)), r2(Math.max(...fold))], finish_cpu_s: r2(median(finish)), finish_range: [r2(Math.min(...finish)), r2(Math.max(...finish))], finish_rounds: finish.map(r2), finish_main_thread_rounds: finishMain.map(r2), curves_sha: createHash("sha256").update(check).digest("hex").slice(0, 16), model_sha: createHash("sha256").update(whole).digest("hex").slice(0, 16), load_1min: Number((await import("node:fs")).readFileSync("/proc/loadavg", "utf8").split(" ")[0]) }));
