/**
 * The compiled CLI on its own: dist/ copied without src/ next to the
 * package's node_modules (an installation of the build only) runs every
 * command that reads, including the files those commands start on their own
 * (the sweep's command launcher, the dashboard's view worker and log reader
 * thread, the report's chart runtime and assets), and a command that trains
 * says what it needs.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixture } from "../report/fixture.ts";
import { EventFileWriter } from "../../src/log/event-writer.ts";
import { servedAddress } from "../../bench/served-address.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "twin-dist-"));
const install = join(dir, "twin");
let study: string;

before(() => {
  const built = spawnSync("bash", [join(ROOT, "scripts/build.sh"), "--if-stale"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `scripts/build.sh failed:\n${built.stdout}${built.stderr}`);
  mkdirSync(install);
  for (const part of ["dist", "bin", "package.json"]) cpSync(join(ROOT, part), join(install, part), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(install, "node_modules"));
  study = writeFixture(join(dir, "logs"), { study: "ab", seeds: 3, steps: 20 });
});

after(() => rmSync(dir, { recursive: true, force: true }));

function twin(args: string[], cwd = dir): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(install, "bin/twin.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("the build alone: no src/ in the installation", () => {
  assert.ok(!existsSync(join(install, "src")));
  assert.ok(existsSync(join(install, "dist/.built")));
});

test("twin report from the build writes a page with the chart runtime and its assets", () => {
  const out = join(dir, "report.html");
  const r = twin(["report", study, "-o", out]);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(out, "utf8");
  assert.match(html, /\.vegaLite=\{\}/);
  assert.match(html, /data-charts/);
  assert.equal((html.match(/<script type="application\/json" class="chart-spec">/g) ?? []).length, Number(/\((\d+) charts/.exec(r.stdout)![1]));
});

test("twin sweep from the build starts its command launcher (dist/study/sweep-launcher.js)", () => {
  const cwd = join(dir, "sweep");
  mkdirSync(cwd);
  const r = twin(["sweep", "--seeds", "2", "--", "sh", "-c", 'echo "{\\"step\\": 1, \\"val_accuracy\\": 0.8$TWIN_SEED_INIT}"'], cwd);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /\[2\/2\] default seed 1: finished/);
});

test("twin serve from the build starts its view worker (dist/serve/view-worker-main.cjs) and serves a study's charts", async () => {
  // Its index in the test's folder, not in the user's cache directory.
  const child = spawn(process.execPath, [join(install, "bin/twin.js"), "serve", "--logdir", join(dir, "logs"), "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TWIN_INDEX_DIR: join(dir, "index") } });
  try {
    const url = await servedAddress(child);
    const res = await fetch(new URL("/api/studies/ab", url));
    const body = (await res.json()) as { html?: string; charts?: unknown[]; error?: string };
    assert.equal(res.status, 200, body.error);
    assert.ok((body.charts?.length ?? 0) >= 5);
    assert.match(body.html!, /class="chart-spec"/);
    // The dashboard's index of the folder (its runs were read into it by this view).
    assert.ok(readdirSync(join(dir, "index")).some((f) => /^logs-[0-9a-f]{16}\.sqlite$/.test(f)));
  } finally {
    child.kill("SIGTERM");
  }
});

test("the view worker from the build sets up no protocol-buffer runtime until a run without a metrics.jsonl needs its reader (dist/serve/event-reader.cjs), then reads it", async () => {
  const worker = readFileSync(join(install, "dist/serve/view-worker-main.cjs"), "utf8");
  assert.ok(!worker.includes("google/protobuf/descriptor.proto"), "the worker's bundle holds the protocol-buffer runtime");
  assert.match(readFileSync(join(install, "dist/serve/event-reader.cjs"), "utf8"), /google\/protobuf\/descriptor\.proto/);
  // A study of TensorBoard event files only (another tool's logs), served by the worker from the build.
  const logs = join(dir, "event-logs");
  for (const v of ["a", "b"]) {
    for (const s of [1, 2, 3]) {
      const runDir = join(logs, "tb", v, `seed-${s}`);
      mkdirSync(runDir, { recursive: true });
      const w = new EventFileWriter(runDir, { hostname: "h" });
      for (let step = 1; step <= 5; step++) w.addScalar("val/accuracy", 0.5 + 0.01 * step + (v === "b" ? 0.02 : 0) + 0.001 * s, step, step);
      w.close();
    }
  }
  const child = spawn(process.execPath, [join(install, "bin/twin.js"), "serve", "--logdir", logs, "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TWIN_INDEX_DIR: join(dir, "event-index") } });
  try {
    const url = await servedAddress(child);
    const res = await fetch(new URL("/api/studies/tb", url));
    const body = (await res.json()) as { html?: string; runs?: number; error?: string };
    assert.equal(res.status, 200, body.error);
    assert.equal(body.error, undefined);
    assert.equal(body.runs, 6);
    assert.match(body.html!, /val\/accuracy/);
  } finally {
    child.kill("SIGTERM");
  }
});

test("the dashboard's log reader thread starts from the build (dist/report/sources/log-reader-worker.js) and reads a run", () => {
  const file = readdirSync(study, { recursive: true, encoding: "utf8" }).find((f) => f.endsWith("metrics.jsonl"))!;
  const path = join(study, file);
  const entry = join(install, "dist/report/sources/log-reader-worker.js");
  const script = `
    import { Worker } from "node:worker_threads";
    const w = new Worker(${JSON.stringify(entry)}, { workerData: {} });
    w.on("message", (a) => { console.log(JSON.stringify({ results: a.results.length, error: a.results[0].error, bytes: a.results[0].state?.length ?? 0 })); process.exit(0); });
    w.on("error", (e) => { console.error(e.message); process.exit(1); });
    w.postMessage({ kind: "read", id: 1, study: "ab", files: [{ dir: "x", path: ${JSON.stringify(path)}, size: ${statSync(path).size}, mtimeMs: 0 }] });
  `;
  writeFileSync(join(dir, "reader-thread.mjs"), script);
  const r = spawnSync(process.execPath, [join(dir, "reader-thread.mjs")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const answer = JSON.parse(r.stdout) as { results: number; error?: string; bytes: number };
  assert.equal(answer.error, undefined);
  assert.equal(answer.results, 1);
  assert.ok(answer.bytes > 100, `a run's packed state, got ${answer.bytes} bytes`);
});

test("a command that trains, from the build alone, says that it needs the sources (its --help needs none)", () => {
  const r = twin(["compare", "study.ts"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /twin compare trains models and runs from twin's TypeScript sources \(src\/\), which this installation lacks/);
  const help = twin(["compare", "--help"]);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: twin compare \[options\] <study>/);
});
