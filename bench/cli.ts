/**
 * CLI start-up benchmark: wall-clock and CPU time of `twin --help`,
 * `twin --version`, `twin stats` on a 20-row CSV, `twin runs` on a small
 * store, `twin sweep` of a one-line shell command over 3 seeds (no libtorch:
 * sweep runs other programs), `twin report` of a small logged study (3 variants × 5 seeds ×
 * 50 steps), `twin compare --help`, `twin verify --help`, `twin worker --help` and
 * `twin compare` of a small study file
 * that imports "twin" (2 seeds × 1 step of a 16-input MLP on 192 examples:
 * mostly start-up), each started as a user would (`node bin/twin.js …`, the
 * compiled CLI, built first when stale), median of 5 after one warm-up run;
 * next to it the same command from the TypeScript sources through tsx
 * (bench/source-cli.mjs, as bin/twin.js runs a checkout being edited, and
 * how every command started before dist/ existed). Then Fashion-MNIST's
 * loading in a fresh process (`fashionMnist()`), with the gunzip cache empty
 * and filled (src/data/host/gunzip-cache.ts).
 *
 *   npx tsx bench/cli.ts
 *
 * Writes bench/results/cli.json:
 * {"runs","commands":[{"name","argv","compiled_ms","compiled_cpu_ms","source_ms","source_cpu_ms"}],
 *  "fashion_mnist":{"empty_cache_ms","empty_cache_cpu_ms","filled_cache_ms","filled_cache_cpu_ms"}}
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RunLogger } from "../src/log/index.ts";
import { openStore } from "../src/store/index.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const RUNS = 5;

/** A 20-row results file: 2 variants × 10 seeds, in long form. */
function writeCsv(dir: string): string {
  const rows = ["variant,seed,accuracy"];
  for (let seed = 0; seed < 10; seed++) {
    const base = 0.86 + 0.004 * Math.sin(seed * 1.7);
    rows.push(`baseline,${seed},${base.toFixed(4)}`, `dropout,${seed},${(base + 0.003 + 0.001 * Math.cos(seed)).toFixed(4)}`);
  }
  const file = join(dir, "results.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  return file;
}

/** A store with one study of 2 variants and 10 finished twin runs. */
async function writeStore(dir: string): Promise<string> {
  const path = join(dir, "twin.db");
  const store = await openStore(path);
  try {
    await store.putStudy({ name: "bench", specHash: "bench-spec" });
    await store.putVariants("bench", [{ name: "baseline" }, { name: "dropout" }]);
    for (let seed = 0; seed < 10; seed++) {
      const { run } = await store.submitRun({ study: "bench", variants: ["baseline", "dropout"], specHash: "bench-spec", rootSeed: seed, seeds: { init: seed, order: seed } });
      await store.claimRun(run.id, "bench");
      await store.addMetrics([
        { runId: run.id, variant: "baseline", name: "val/accuracy", step: 100, value: 0.86 + 0.001 * seed },
        { runId: run.id, variant: "dropout", name: "val/accuracy", step: 100, value: 0.865 + 0.001 * seed },
      ]);
      await store.finishRun(run.id, { worker: "bench" });
    }
  } finally {
    await store.close();
  }
  return path;
}

/** A study file anywhere that imports "twin", as `twin init` writes one: 2 MLP variants on 192 synthetic examples of 16 features. */
function writeStudyFile(dir: string): string {
  const file = join(dir, "bench.study.ts");
  writeFileSync(
    file,
    `import { data, defineStudy, nn, optim } from "twin";
function examples(n: number) {
  const x = new Float32Array(n * 16), y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = BigInt(i % 4);
    for (let j = 0; j < 16; j++) x[i * 16 + j] = Math.sin(i * 7.1 + j * (1 + (i % 4)));
  }
  return { name: "bench", inputs: data.hostArray(x, [n, 16]), targets: data.hostArray(y, [n]) };
}
export default defineStudy({
  name: "bench-compare",
  data: { name: "bench", validation: 64, stratified: false, load: () => ({ train: examples(192) }) },
  batchSize: 32,
  steps: 1,
  variants: {
    small: () => ({ model: nn.mlp([16, 16, 4]), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
    wide: () => ({ model: nn.mlp([16, 64, 4]), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
  },
});
`,
  );
  return file;
}

/** fashionMnist() in a fresh process, median of RUNS: with the gunzip cache emptied before each start, then filled. */
function fashionMnistLoad(cacheDir: string): Record<string, number> {
  const script = `import { fashionMnist } from ${JSON.stringify(pathToFileURL(join(ROOT, "src/data/datasets/fashion-mnist.ts")).href)}; fashionMnist();`;
  const c = (empty: boolean): BenchCommand => ({
    name: `fashionMnist(), ${empty ? "empty" : "filled"} cache`,
    argv: [],
    env: { TWIN_CACHE_DIR: cacheDir },
    before: empty ? () => rmSync(cacheDir, { recursive: true, force: true }) : undefined,
  });
  const run = (cmd: BenchCommand): Timing => {
    cmd.before?.();
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["--import", pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href, "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...cmd.env } });
    if (r.status !== 0) throw new Error(`fashionMnist() failed: ${r.stderr}`);
    return { ms: performance.now() - t0, cpuMs: childrenCpuMs() - cpu0 };
  };
  const out: Record<string, number> = {};
  for (const empty of [true, false]) {
    const cmd = c(empty);
    run(cmd);
    const times = Array.from({ length: RUNS }, () => run(cmd));
    const key = empty ? "empty_cache" : "filled_cache";
    out[`${key}_ms`] = Math.round(median(times.map((t) => t.ms)));
    out[`${key}_cpu_ms`] = Math.round(median(times.map((t) => t.cpuMs)));
    process.stdout.write(`${cmd.name.padEnd(38)} ${String(out[`${key}_ms`]).padStart(5)} ms (cpu ${out[`${key}_cpu_ms`]})\n`);
  }
  return out;
}

/** A logged study `<logdir>/bench/<variant>/seed-<n>` with training and validation curves. */
function writeLogs(logdir: string): string {
  const study = "bench";
  for (const variant of ["baseline", "wider", "dropout"]) {
    for (let seed = 0; seed < 5; seed++) {
      const logger = new RunLogger({ logdir, study, variant, seed, flushSecs: 0 });
      logger.hparams({ study, variant, seed: String(seed), steps: 50 }, ["val/accuracy"]);
      for (let step = 1; step <= 50; step++) {
        const acc = 0.88 - 0.78 * Math.exp(-step / 9) + 0.003 * Math.sin(seed + step + variant.length);
        logger.log(step, { "train/loss": 2.3 * Math.exp(-step / 11) + 0.3 });
        if (step % 10 === 0) logger.log(step, { "val/accuracy": acc });
      }
      logger.close();
    }
  }
  return join(logdir, study);
}

interface Timing {
  ms: number;
  cpuMs: number;
}

/** CPU time (user + system, ms) of this process's waited-for children, from /proc/self/stat (clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  // After "pid (comm) ", field 3 is the state; cutime and cstime are fields 16 and 17 of the full line.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** A command to time; `before` runs ahead of every start (e.g. to start from an empty store), `cwd` is where it runs (default: the repository). */
interface BenchCommand {
  name: string;
  argv: string[];
  cwd?: string;
  before?: () => void;
  env?: Record<string, string>;
}

/** Starts the CLI once; wall time around the child and the child's CPU time. */
function timeOnce(c: BenchCommand, source: boolean): Timing {
  // tsx by path: a command that runs in another folder (the sweep) would not find the package 'tsx' from there.
  const entry = source ? [join(ROOT, "bench/source-cli.mjs")] : [join(ROOT, "bin/twin.js")];
  c.before?.();
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...entry, ...c.argv], { cwd: c.cwd ?? ROOT, encoding: "utf8", env: { ...process.env, ...c.env } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`twin ${c.argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { ms, cpuMs: childrenCpuMs() - cpu0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Throws unless bin/twin.js runs dist/: no file under src/ newer than the last build (editing during the run would measure tsx). */
function assertCompiledIsFresh(): void {
  const newer = spawnSync("find", ["src", "-newer", "dist/.built"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  if (newer) throw new Error(`sources changed since the build (${newer.split("\n")[0]}): run the benchmark again`);
}

/** Median wall and CPU time (ms) of RUNS starts after one warm-up start (file cache). */
function measure(c: BenchCommand, source: boolean): { ms: number; cpuMs: number } {
  timeOnce(c, source);
  const times = Array.from({ length: RUNS }, () => timeOnce(c, source));
  if (!source) assertCompiledIsFresh();
  return { ms: Math.round(median(times.map((t) => t.ms))), cpuMs: Math.round(median(times.map((t) => t.cpuMs))) };
}

async function main(): Promise<void> {
  const built = spawnSync("bash", [join(ROOT, "scripts/build.sh"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("scripts/build.sh failed: the compiled CLI cannot be measured");
  const dir = mkdtempSync(join(tmpdir(), "twin-bench-cli-"));
  try {
    const csv = writeCsv(dir);
    const store = await writeStore(dir);
    const study = writeLogs(join(dir, "runs"));
    const studyFile = writeStudyFile(dir);
    const sweepDir = join(dir, "sweep");
    mkdirSync(sweepDir);
    const commands: BenchCommand[] = [
      { name: "twin --help", argv: ["--help"] },
      { name: "twin --version", argv: ["--version"] },
      { name: "twin stats (20-row CSV)", argv: ["stats", csv, "--metric", "accuracy"] },
      { name: "twin runs (10 runs)", argv: ["runs", "--store", store] },
      {
        name: "twin sweep (3 seeds of sh -c echo)",
        argv: ["sweep", "--seeds", "3", "--", "sh", "-c", 'echo "{\\"step\\": 1, \\"val_accuracy\\": 0.8$TWIN_SEED_INIT}"'],
        cwd: sweepDir,
        before: () => rmSync(join(sweepDir, ".twin"), { recursive: true, force: true }),
      },
      { name: "twin report (3 variants × 5 seeds)", argv: ["report", study, "-o", join(dir, "report.html")] },
      { name: "twin compare --help", argv: ["compare", "--help"] },
      { name: "twin verify --help", argv: ["verify", "--help"] },
      { name: "twin worker --help", argv: ["worker", "--help"] },
      {
        name: "twin compare (2 seeds × 1 step, small MLP)",
        argv: ["compare", studyFile, "--seeds", "2", "--jobs", "1", "--logdir", join(dir, "compare-runs"), "--store", join(dir, "compare.db")],
        before: () => {
          for (const p of ["compare-runs", "compare.db", "compare.db-wal", "compare.db-shm"]) rmSync(join(dir, p), { recursive: true, force: true });
        },
      },
    ];
    const results = [];
    for (const c of commands) {
      const compiled = measure(c, false);
      const source = measure(c, true);
      const row = {
        name: c.name,
        argv: c.argv.map((a) => a.replace(dir, "<tmp>")),
        compiled_ms: compiled.ms,
        compiled_cpu_ms: compiled.cpuMs,
        source_ms: source.ms,
        source_cpu_ms: source.cpuMs,
      };
      results.push(row);
      process.stdout.write(`${row.name.padEnd(38)} compiled ${String(row.compiled_ms).padStart(5)} ms (cpu ${row.compiled_cpu_ms})   tsx ${String(row.source_ms).padStart(5)} ms (cpu ${row.source_cpu_ms})\n`);
    }
    const fashion = fashionMnistLoad(join(dir, "cache"));
    const out = join(ROOT, "bench/results/cli.json");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ runs: RUNS, cpus: cpus().length, loadavg: loadavg().map((x) => +x.toFixed(2)), commands: results, fashion_mnist: fashion }, null, 2) + "\n");
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
