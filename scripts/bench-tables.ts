/**
 * Prints the benchmark results in bench/results/*.json as the Markdown tables
 * the README shows (run after the benchmarks, paste into README.md).
 *   npx tsx scripts/bench-tables.ts
 */
import { existsSync, readFileSync } from "node:fs";

type Row = Record<string, string | number>;

function read(name: string): { cases?: Row[]; [k: string]: unknown } | undefined {
  const p = `bench/results/${name}.json`;
  return existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : undefined;
}

function table(headers: string[], rows: (string | number)[][]): string {
  return [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const engine = read("engine");
if (engine?.cases) {
  console.log("### Engine (`npm run bench:engine`): twin / Python PyTorch, same libtorch, same run\n");
  const spreadOf = (c: Row) => (c.ratio_min !== undefined ? `${c.ratio_min}–${c.ratio_max}` : "");
  const pinOf = (c: Row) => (c.pinned_core === undefined ? "" : c.pinned_core === null ? "no" : `core ${c.pinned_core}`);
  console.log(table(
    ["case", "threads", "pinned", "twin ms", "PyTorch ms", "ratio", "ratio over rounds"],
    engine.cases.map((c) => [c.name, c.threads, pinOf(c), c.twin_ms, c.torch_ms, c.ratio, spreadOf(c)]),
  ));
  console.log();
}
const twin = read("twin");
if (twin?.cases) {
  console.log("### Twin training (`npm run bench:twin`): one K-variant twin run against K separate runs\n");
  console.log(table(["pipeline", "K", "twin s", "separate s", "ratio"], twin.cases.map((c) => [c.name, c.k, c.twin_s, c.separate_s, c.ratio])));
  console.log();
}
const parallel = read("parallel");
if (parallel?.cases) {
  console.log("### Schedules (`npm run bench:parallel`), K = 2 on 2 cores\n");
  console.log(table(
    ["workload", "sequential s", "parallel s", "2 separate processes s", "parallel / sequential", "parallel / separate"],
    parallel.cases.map((c) => [c.name, c.sequential_s, c.parallel_s, c.separate_concurrent_s, c.parallel_over_sequential, c.parallel_over_separate]),
  ));
  console.log();
}
const memory = read("memory") as Record<string, number> | undefined;
if (memory) {
  console.log("### Memory (`npm run bench:memory`): peak resident memory, U-Net 64×64, batch 32\n");
  console.log(table(["one U-Net", "twin, 4 U-Nets in one process", "4 separate processes", "twin4 / one"], [[`${memory.single_mb} MB`, `${memory.twin4_mb} MB`, `${memory.separate4_mb} MB`, memory.twin4_over_single]]));
  console.log();
}
const cli = read("cli") as { commands?: Row[] } | undefined;
if (cli?.commands) {
  console.log("### CLI start-up (`npm run bench:cli`): median of 5, milliseconds\n");
  console.log(table(
    ["command", "compiled (dist/) wall", "CPU", "TypeScript through tsx wall", "CPU"],
    cli.commands.map((c) => [c.name, c.compiled_ms, c.compiled_cpu_ms, c.source_ms, c.source_cpu_ms]),
  ));
  console.log();
}
const stats = read("stats");
if (stats?.cases) {
  console.log("### Statistics (`npm run bench:stats`): twin / SciPy 1.10\n");
  console.log(table(
    ["case", "twin ms", "SciPy ms", "ratio", "ratio over rounds"],
    stats.cases.map((c) => [c.name, c.twin_ms, c.scipy_ms, c.ratio, c.ratio_min !== undefined ? `${c.ratio_min}–${c.ratio_max}` : ""]),
  ));
  console.log();
}
const sweep = read("sweep");
if (sweep?.cases) {
  console.log("### Sweep (`npm run bench:sweep`): twin sweep of a trivial command (`/bin/echo` of one metric line)\n");
  console.log(table(
    ["runs", "--jobs", "sweep s", "ms a run", "bare command s", "twin's own ms a run (wall)", "twin's own CPU ms a run", "load average"],
    sweep.cases.map((c) => [c.runs, c.jobs, c.sweep_s, c.per_run_ms, c.bare_s, c.own_wall_ms_per_run, c.own_cpu_ms_per_run, c.loadavg ?? ""]),
  ));
}
