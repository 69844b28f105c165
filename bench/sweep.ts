// Benchmark of twin sweep's own cost per run: a sweep of a trivial command
// (/bin/echo printing one metric line) at 100, 1,000 and 10,000 runs, with
// --jobs 1 and 2, against the same command spawned bare the same number of
// times from a light process (what the command itself costs on this machine).
//
//   npx tsx bench/sweep.ts                      # 100, 1,000, 10,000 runs
//   npx tsx bench/sweep.ts --runs 100,1000      # fewer
//   npx tsx bench/sweep.ts --cases 100x1,1000x1,1000x2,10000x2   # chosen runs x jobs
//
// Writes bench/results/sweep.json: {"cases":[{"runs","jobs","sweep_s","startup_s","bare_s","per_run_ms",
// "own_wall_ms_per_run","own_cpu_ms_per_run"}], "growth"}. From the first run's start to the last run's end:
// per_run_ms = wall time / runs; own_wall_ms_per_run = (that wall time - bare time at the same parallelism) / runs;
// own_cpu_ms_per_run = (CPU time of twin's two processes, main and launcher, not the commands - CPU time of the
// bare spawning process) / runs: store writes, IPC, output handling, bookkeeping. On a shared machine the CPU
// figure is the steadier one; loadavg is the 1-minute load average after each case.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runSweep } from "../src/study/sweep.ts";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const RUNS = arg("--runs", "100,1000,10000").split(",").map(Number);
const JOBS = arg("--jobs", "1,2").split(",").map(Number);
/** Cases as runs x jobs ("100x1,10000x2"); default: every --runs with every --jobs. */
const CASES = process.argv.includes("--cases")
  ? arg("--cases", "").split(",").map((c) => c.split("x").map(Number) as [number, number])
  : RUNS.flatMap((n) => JOBS.map((j) => [n, j] as [number, number]));
const COMMAND = ["/bin/echo", '{"step": 1, "acc": 0.5}'];

/** Wall and CPU seconds (of the spawning process) of n spawns of the command, `jobs` at a time, from a light Node process. */
function bare(n: number, jobs: number): Promise<{ wall: number; cpu: number }> {
  const code = `const { spawn } = require("node:child_process");
const [file, ...args] = ${JSON.stringify(COMMAND)};
let next = 0;
const one = () => new Promise((res, rej) => {
  const c = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  c.stdout.resume(); c.stderr.resume(); c.on("error", rej); c.on("close", res);
});
const t0 = performance.now();
const c0 = process.cpuUsage();
Promise.all(Array.from({ length: ${jobs} }, async () => { while (next++ < ${n}) await one(); }))
  .then(() => { const c = process.cpuUsage(c0); console.log(JSON.stringify({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 })); });`;
  return new Promise((res, rej) => {
    const c = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.on("error", rej);
    c.on("close", (status) => (status === 0 ? res(JSON.parse(out) as { wall: number; cpu: number }) : rej(new Error(`bare baseline exited ${status}`))));
  });
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** The sweep launcher started by this process (its child running sweep-launcher.ts). */
function launcherPid(): number | undefined {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, "latin1").includes("sweep-launcher")) return Number(name);
    } catch {
      // gone
    }
  }
  return undefined;
}

interface SweepTiming {
  /** Wall seconds of the whole sweep (start-up, runs, analysis). */
  wall: number;
  /** Seconds from the call to the first run's start (store, fingerprints, launcher). */
  startup: number;
  /** Wall and CPU seconds (twin's main process + launcher, not the commands) from the first run's start to the last run's end. */
  runsWall: number;
  runsCpu: number;
}

async function sweep(n: number, jobs: number): Promise<SweepTiming> {
  const cwd = mkdtempSync(join(tmpdir(), "twin-bench-sweep-"));
  try {
    const t0 = performance.now();
    let first: { t: number; main: NodeJS.CpuUsage; launcher: number } | undefined;
    let last: { t: number; main: NodeJS.CpuUsage; launcher: number } | undefined;
    let launcher: number | undefined;
    const r = await runSweep({
      cwd,
      name: "bench",
      seeds: n,
      jobs,
      variants: [{ name: "echo", command: COMMAND }],
      onWarning: () => {},
      onRunStart: () => {
        if (first) return;
        launcher = launcherPid();
        first = { t: performance.now(), main: process.cpuUsage(), launcher: launcher === undefined ? 0 : cpuOf(launcher) };
      },
      onRunEnd: (_o, done, total) => {
        if (done === total) last = { t: performance.now(), main: process.cpuUsage(), launcher: launcher === undefined ? 0 : cpuOf(launcher) };
      },
    });
    const wall = (performance.now() - t0) / 1000;
    const finished = r.runs.filter((o) => o.status === "finished").length;
    if (finished !== n || !first || !last || launcher === undefined) throw new Error(`only ${finished} of ${n} runs finished`);
    const mainCpu = (last.main.user + last.main.system - first.main.user - first.main.system) / 1e6;
    return { wall, startup: (first.t - t0) / 1000, runsWall: (last.t - first.t) / 1000, runsCpu: mainCpu + last.launcher - first.launcher };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

const cases: {
  runs: number;
  jobs: number;
  sweep_s: number;
  startup_s: number;
  bare_s: number;
  per_run_ms: number;
  own_wall_ms_per_run: number;
  own_cpu_ms_per_run: number;
  loadavg: number;
}[] = [];
for (const [n, jobs] of CASES) {
  {
    const b = await bare(n, jobs);
    const bare_s = b.wall;
    const t = await sweep(n, jobs);
    const c = {
      runs: n,
      jobs,
      sweep_s: +t.wall.toFixed(2),
      startup_s: +t.startup.toFixed(2),
      bare_s: +bare_s.toFixed(2),
      per_run_ms: +((t.runsWall / n) * 1000).toFixed(2),
      own_wall_ms_per_run: +(((t.runsWall - bare_s) / n) * 1000).toFixed(2),
      own_cpu_ms_per_run: +(((t.runsCpu - b.cpu) / n) * 1000).toFixed(2),
      loadavg: +loadavg()[0].toFixed(1),
    };
    cases.push(c);
    console.log(
      `${n} runs, --jobs ${jobs}: sweep ${c.sweep_s} s (start-up ${c.startup_s} s, then ${c.per_run_ms} ms a run); the bare command ${c.bare_s} s; ` +
        `twin's own cost a run: ${c.own_wall_ms_per_run} ms of wall time, ${c.own_cpu_ms_per_run} ms of CPU (load average ${c.loadavg})`,
    );
  }
}
// Growth law: the exponent k of time ∝ runs^k between the smallest and largest size, per --jobs.
const growth = [...new Set(CASES.map(([, j]) => j))].map((jobs) => {
  const rows = cases.filter((c) => c.jobs === jobs).sort((a, b) => a.runs - b.runs);
  const a = rows[0]!;
  const b = rows[rows.length - 1]!;
  return { jobs, from: a.runs, to: b.runs, exponent: rows.length > 1 ? +(Math.log(b.sweep_s / a.sweep_s) / Math.log(b.runs / a.runs)).toFixed(3) : null };
});
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "sweep.json"), JSON.stringify({ command: COMMAND.join(" "), cores: cpus().length, cases, growth }, null, 2) + "\n");
console.log(JSON.stringify(growth));
