/**
 * Scripted variants through the CLI: a study file anywhere whose variants are
 * nn.torchscript(...) (an MLP with dropout from the file's weights and with
 * init "twin", an MLP with tied weights) runs with `twin compare` in one
 * process under the sequential schedule and in two pool processes under the
 * parallel schedule (variant worker threads load the files) with identical
 * stores; stopped with Ctrl-C and run again it ends with the
 * same store; `twin verify` trains a run again bit-identically; `twin seeds
 * --vary each` and `twin report` work on it. A study whose scripted variants
 * cannot run (a forward that does not fit the batch, a file that is not
 * TorchScript, a file from a newer PyTorch) names the problem and keeps the
 * results of the variants that ran; a traced file trains with a warning.
 * `twin doctor` reports TorchScript. The studies take their data from a helper
 * module (blobs.ts) that imports "twin" itself, as a user's project would.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dumpStore, sleep, startTwin, storePath, twin } from "../study/fixtures/store-dump.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

const BLOBS = `
import { data } from "twin";

export function blobs(n: number) {
  const x = new Float32Array(n * 16);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    y[i] = BigInt(c);
    for (let j = 0; j < 16; j++) x[i * 16 + j] = (j % 4 === c ? 2 : 0) + Math.sin(i * 7 + j);
  }
  return { name: "toy", inputs: data.hostArray(x, [n, 16]), targets: data.hostArray(y, [n]) };
}
`;

const STUDY = `
import { defineStudy, nn, optim } from "twin";
import { blobs } from "./blobs.ts";

const scripted = (file: string, options: { init?: "file" | "twin" } = {}) => nn.torchscript(new URL(file, import.meta.url), options);
const sgd = (p: Parameters<typeof optim.sgd>[0]) => optim.sgd(p, { lr: 0.05, momentum: 0.9 });

export default defineStudy({
  name: "scripted-cli",
  data: { name: "toy", validation: 32, load: () => ({ train: blobs(192) }) },
  batchSize: 16,
  steps: 60,
  evalEvery: 20,
  variants: {
    "from-file": () => ({ model: scripted("./blob-mlp.pt"), optimizer: sgd }),
    "twin-init": () => ({ model: scripted("./blob-mlp.pt", { init: "twin" }), optimizer: sgd }),
    tied: () => ({ model: scripted("./blob-tied.pt"), optimizer: sgd }),
  },
});
`;

const BROKEN_STUDY = `
import { defineStudy, nn, optim } from "twin";
import { blobs } from "./blobs.ts";

const sgd = (p: Parameters<typeof optim.sgd>[0]) => optim.sgd(p, { lr: 0.05 });

export default defineStudy({
  name: "scripted-broken",
  data: { name: "toy", validation: 32, load: () => ({ train: blobs(192) }) },
  batchSize: 16,
  steps: 12,
  evalEvery: 6,
  variants: {
    good: () => ({ model: nn.torchscript(new URL("./blob-mlp.pt", import.meta.url)), optimizer: sgd }),
    "wrong-shape": () => ({ model: nn.torchscript(new URL("./linear.pt", import.meta.url)), optimizer: sgd }),
    "not-torchscript": () => ({ model: nn.torchscript(new URL("./junk.pt", import.meta.url)), optimizer: sgd }),
    newer: () => ({ model: nn.torchscript(new URL("./newer.pt", import.meta.url)), optimizer: sgd }),
    traced: () => ({ model: nn.torchscript(new URL("./blob-traced.pt", import.meta.url)), optimizer: sgd }),
  },
});
`;

const STUDY_NAME = "scripted-cli";
let fixtures = "";

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  fixtures = mkdtempSync(join(tmpdir(), "twin-torchscript-cli-"));
  runPython("torchscript_ref.py", { dir: fixtures, steps: 1, batch: 1, fixtures: true });
});

after(() => {
  if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

/** A project folder of its own (its own store) holding the study files and the scripted models. */
function project(name: string): string {
  const dir = join(fixtures, name);
  mkdirSync(dir);
  for (const f of ["blob-mlp.pt", "blob-tied.pt", "blob-traced.pt", "linear.pt", "junk.pt", "newer.pt"]) copyFileSync(join(fixtures, f), join(dir, f));
  writeFileSync(join(dir, "blobs.ts"), BLOBS);
  writeFileSync(join(dir, "scripted.study.ts"), STUDY);
  writeFileSync(join(dir, "broken.study.ts"), BROKEN_STUDY);
  return dir;
}

const COMPARE = ["compare", "scripted.study.ts", "--seeds", "2", "--jobs", "1", "--json"];
let sequential: ReturnType<typeof dumpStore> | undefined;

function compareVariants(stdout: string): [string, number][] {
  return (JSON.parse(stdout) as { variants: { name: string; n: number }[] }).variants.map((v) => [v.name, v.n]);
}

test("twin compare: sequential and parallel schedules record identical stores; twin verify reproduces a run; twin report", () => {
  const seq = project("sequential");
  const a = twin(seq, COMPARE, 300_000);
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(compareVariants(a.stdout), [["from-file", 2], ["twin-init", 2], ["tied", 2]]);
  sequential = dumpStore(storePath(seq));
  assert.equal(sequential.runs.length, 2);
  assert.ok(sequential.runs.every((r) => r.status === "finished"), JSON.stringify(sequential.runs));

  const par = project("parallel");
  // Two worker processes (the local pool), each training its run's variants in worker threads.
  const b = twin(par, ["compare", "scripted.study.ts", "--seeds", "2", "--jobs", "2", "--json", "--schedule", "parallel"], 300_000);
  assert.equal(b.status, 0, b.stderr);
  assert.deepEqual(dumpStore(storePath(par)), sequential, "the parallel schedule recorded other numbers than the sequential one");

  const v = twin(par, ["verify", sequential.runs[0]!.id], 300_000);
  assert.equal(v.status, 0, v.stderr + v.stdout);
  assert.match(v.stdout, /bit-identical \(60 steps:/);

  const r = twin(seq, ["report", STUDY_NAME, "-o", "report.html", "--json"], 300_000);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(join(seq, "report.html"), "utf8");
  for (const name of ["from-file", "twin-init", "tied"]) assert.ok(html.includes(name), `the report names the variant ${name}`);
  assert.ok((JSON.parse(r.stdout) as { charts: string[] }).charts.length > 0);
});

test("twin compare stopped with Ctrl-C in the middle of a run, then the same command: the store equals the uninterrupted one's", async () => {
  assert.ok(sequential, "needs the sequential store of the test before");
  const dir = project("interrupted");
  const args = [...COMPARE, "--checkpoint-every", "5"];
  const first = startTwin(dir, args);
  const checkpoints = join(dir, ".twin", "checkpoints", STUDY_NAME);
  const deadline = Date.now() + 120_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `timed out waiting for a checkpoint: ${first.err()}`);
    const written = existsSync(checkpoints) ? readdirSync(checkpoints).flatMap((run) => readdirSync(join(checkpoints, run))) : [];
    if (written.some((f) => f.startsWith("step-") && !f.includes(".tmp-"))) break;
    await sleep(10);
  }
  first.child.kill("SIGINT");
  const code = await first.exited;
  assert.equal(code, 130, `stopped by Ctrl-C (status ${code}): ${first.err()}`);
  const stopped = dumpStore(storePath(dir));
  assert.ok(stopped.runs.filter((r) => r.status === "finished").length < 2, `the study finished before Ctrl-C reached it; make it longer: ${JSON.stringify(stopped.runs)}`);
  const again = twin(dir, args, 300_000);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(dumpStore(storePath(dir)), sequential, "the resumed study recorded other numbers than the uninterrupted one");
});

test("twin seeds --vary each on scripted variants: init 'file' varies nothing with the init stream, dropout varies the runs", () => {
  const dir = project("seeds");
  const r = twin(dir, ["seeds", "scripted.study.ts", "--n", "2", "--vary", "each", "--jobs", "1", "--steps", "20", "--metric", "loss", "--json"], 300_000);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { variants: { name: string; variance?: { factors: { factor: string; sd: number }[] } }[] };
  const sd = (variant: string, factor: string) => {
    const v = report.variants.find((x) => x.name === variant);
    const f = v?.variance?.factors.find((x) => x.factor === factor);
    assert.ok(f, `${variant}: no variance for factor ${factor} in ${r.stdout}`);
    return f.sd;
  };
  assert.equal(sd("from-file", "init"), 0, "the file's weights: every init seed starts the same");
  assert.equal(sd("tied", "init"), 0);
  assert.ok(sd("twin-init", "init") > 0, "init 'twin' draws the weights from the init stream");
  assert.ok(sd("from-file", "dropout") > 0, "the scripted dropout draws from the dropout stream");
  assert.equal(sd("tied", "dropout"), 0, "the tied model has no dropout");
  assert.ok(sd("tied", "order") > 0);
});

test("twin compare on scripted variants that cannot run: each names its problem, the good variant's results are kept", () => {
  const dir = project("broken");
  const r = twin(dir, ["compare", "broken.study.ts", "--seeds", "2", "--jobs", "1"], 300_000);
  assert.equal(r.status, 3, `exit status 3 (runs failed): ${r.stderr}`);
  const out = r.stdout + r.stderr;
  assert.match(out, /wrong-shape.*forward of the scripted module .*linear\.pt \(forward\(.*Tensor input\) -> Tensor\) on Tensor\[16, 16\] float32 failed: .*mat1 and mat2 shapes cannot be multiplied \(16x16 and 144x10\)/s);
  assert.match(out, /not-torchscript.*junk\.pt is not a TorchScript file/s);
  assert.match(out, /newer.*newer\.pt was saved by a newer PyTorch than the libtorch twin runs on: its file format is version 99, and libtorch [\d.]+ reads up to version \d+.*LIBTORCH=/s);
  // A traced file trains, with one warning (per process and file) that its control flow was frozen.
  assert.equal(r.stderr.match(/blob-traced\.pt was made by torch\.jit\.trace/g)?.length, 1, r.stderr);
  const store = dumpStore(storePath(dir));
  assert.equal(store.runs.length, 2);
  const variantsWithMetrics = new Set((store.metrics as { variant: string }[]).map((m) => m.variant));
  assert.ok(variantsWithMetrics.has("good") && variantsWithMetrics.has("traced"), "the variants that ran have their metrics recorded");
});

test("twin doctor reports that TorchScript loading works", () => {
  const r = twin(fixtures, ["doctor", "--json"]);
  const checks = (JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
  const ts = checks.find((c) => c.name === "TorchScript");
  assert.ok(ts, "a TorchScript check");
  assert.equal(ts.ok, true, ts.detail);
  assert.match(ts.detail, /loads scripted PyTorch models \(nn\.torchscript\)/);
});
