/**
 * Per-file cost of the test suite: each test file run alone, one after the
 * other, as scripts/test.sh runs it (`node --import tsx --test <file>`), with
 * its wall-clock time and the CPU time of the whole process tree (the test
 * runner, the file's process and every CLI or Python process it waited for).
 *
 *   nice -n 5 npx tsx bench/test-times.ts [pattern]
 *
 * Child CPU comes from this process's own counters of reaped children
 * (cutime + cstime in /proc/self/stat, 10 ms ticks), read before and after
 * each file: no `time` program needed. Servers a file leaves running in the
 * background (none should) would not be counted.
 *
 * Merges into bench/results/test-times.json: the files measured now replace
 * their entries, the others keep theirs (each entry says when, on which
 * commit and at which load it was measured), so a few files can be re-measured.
 * scripts/test.sh reads the file to start the longest files first.
 * {"files":[{"file","wall_s","cpu_s","tests","pass","fail","load1","commit","measured_at"}],
 *  "total_wall_s","total_cpu_s","cpus"}
 */
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const OUT = join(ROOT, "bench/results/test-times.json");
const TICKS_PER_SECOND = 100;

interface FileTime {
  file: string;
  wall_s: number;
  cpu_s: number;
  tests: number;
  pass: number;
  fail: number;
  load1: number;
  commit: string;
  measured_at: string;
}

/** CPU seconds of this process's reaped children so far (fields 16–17 of /proc/self/stat). */
function childCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return (cutime + cstime) / TICKS_PER_SECOND;
}

function testFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (name.endsWith(".test.ts")) found.push(relative(ROOT, path));
  }
  return found.sort();
}

/** The `# tests N`, `# pass N`, `# fail N` summary lines of node's TAP reporter. */
function tapCount(output: string, key: string): number {
  const match = new RegExp(`^# ${key} (\\d+)$`, "m").exec(output);
  return match ? Number(match[1]) : 0;
}

function measure(file: string, indexDir: string, commit: string): FileTime {
  const load1 = +loadavg()[0].toFixed(2);
  const cpuBefore = childCpuSeconds();
  const start = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", file], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, TWIN_INDEX_DIR: indexDir },
  });
  const wall = (performance.now() - start) / 1000;
  const cpu = childCpuSeconds() - cpuBefore;
  const output = run.stdout + run.stderr;
  // A file that exits non-zero with no failing test (a crash before any test) counts as one failure.
  const fail = Math.max(tapCount(output, "fail"), run.status === 0 ? 0 : 1);
  return {
    file,
    wall_s: +wall.toFixed(2),
    cpu_s: +cpu.toFixed(2),
    tests: tapCount(output, "tests"),
    pass: tapCount(output, "pass"),
    fail,
    load1,
    commit,
    measured_at: new Date().toISOString(),
  };
}

function previous(): FileTime[] {
  if (!existsSync(OUT)) return [];
  return (JSON.parse(readFileSync(OUT, "utf8")) as { files: FileTime[] }).files;
}

const pattern = process.argv[2] ?? "";
const files = testFiles(join(ROOT, "test")).filter((f) => f.includes(pattern));
if (files.length === 0) {
  console.error(`no test files match '${pattern}'`);
  process.exit(1);
}
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
const indexDir = mkdtempSync(join(tmpdir(), "twin-test-index-"));
const measured = new Map(previous().map((t) => [t.file, t]));
const all = new Set(testFiles(join(ROOT, "test")));
try {
  for (const file of files) {
    const time = measure(file, indexDir, commit);
    measured.set(file, time);
    const status = time.fail > 0 ? `  FAILED ${time.fail}` : "";
    console.log(`${time.wall_s.toFixed(1).padStart(6)} s wall ${time.cpu_s.toFixed(1).padStart(6)} s cpu  load ${time.load1.toFixed(2)}  ${file}${status}`);
  }
} finally {
  rmSync(indexDir, { recursive: true, force: true });
}
// Entries of files that no longer exist are dropped.
const table = [...measured.values()].filter((t) => all.has(t.file)).sort((a, b) => b.wall_s - a.wall_s);
const sum = (key: "wall_s" | "cpu_s") => +table.reduce((s, t) => s + t[key], 0).toFixed(1);
writeFileSync(OUT, JSON.stringify({ cpus: cpus().length, total_wall_s: sum("wall_s"), total_cpu_s: sum("cpu_s"), files: table }, null, 2) + "\n");
console.log(`${files.length} files measured; table of ${table.length} files (wall ${sum("wall_s")} s, cpu ${sum("cpu_s")} s in all) in ${relative(ROOT, OUT)}`);
