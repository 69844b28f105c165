// The native line scanner (native/scan.cc, src/log/native-scan.ts) against
// JSON.parse and the JavaScript scanner (scalars-line.ts), the reference: on a
// line it reads, the tags and values (Object.is: -0 and NaN included) that
// JSON.parse gives; it reads exactly the lines the JavaScript scanner reads
// but those with a number out of double's range (left to JSON.parse); and a
// run read with it (run-state.ts readAppended) is, byte for byte, the run
// read without it, whatever the lines, whether read at once or in appended
// pieces. It loads in a worker thread, and without it the logs are read the same.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { nativeScan, nativeScanMissing, type ScanScalars } from "../../src/log/native-scan.ts";
import { newScalarsLine, scanScalarsLine } from "../../src/log/scalars-line.ts";
import { emptyRunState, encodeRunState, readAppended, type RunState } from "../../src/report/sources/run-state.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";
import { BAD_NUMBERS, jsonNumber, line, parses, reference, SPECIAL, type Read } from "./scalars-lines.ts";

const root = mkdtempSync(join(tmpdir(), "twin-native-scan-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("native-scan: the scanner is built and loads", () => {
  assert.ok(nativeScan, `the native scanner did not load: ${nativeScanMissing}`);
});
const scan = nativeScan as ScanScalars;

/** The native scanner's reading of one line (followed by a line it must not read), or undefined when it declines it. */
function nativeRead(text: string): Omit<Read, "wallTime"> | undefined {
  const bytes = Buffer.from(`${text}\n{"kind":"end"}\n`, "utf8");
  const got = scan(bytes, 0, bytes.length);
  if (got[1] === 0) {
    assert.deepEqual(got, [0, 0], `a declined line is read as nothing: ${text}`);
    return undefined;
  }
  assert.equal(got[1], 1, text);
  assert.equal(got[0], bytes.indexOf(0x0a) + 1, text);
  const tags: string[] = [], values: number[] = [];
  let step = NaN;
  for (let k = 2; k < got.length; k += 4) {
    const steps = got[k + 1] as Float64Array, vals = got[k + 2] as Float64Array;
    assert.equal(steps.length, 1, text);
    assert.equal(vals.length, 1, text);
    assert.equal(got[k + 3], true, text);
    step = steps[0]!;
    tags.push(got[k] as string);
    values.push(vals[0]!);
  }
  return { step, tags, values };
}

const jsLine = newScalarsLine();
function jsTakes(text: string): boolean {
  const bytes = Buffer.from(`${text}\n`, "utf8");
  return scanScalarsLine(bytes, 0, bytes.length - 1, jsLine);
}

/** Whether the line holds a JSON number that is not a finite nonzero double or zero as written (JSON.parse gives ±Infinity, or ±0 for digits that are not all zero). */
function outOfRange(text: string): boolean {
  for (const [x] of text.matchAll(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    const v = Number(x);
    if (!Number.isFinite(v) || (v === 0 && /[1-9]/.test(x.replace(/[eE].*$/, "")))) return true;
  }
  return false;
}

/** Checks one line; returns whether the native scanner read it. */
function check(text: string): boolean {
  const got = nativeRead(text);
  const js = jsTakes(text);
  if (got === undefined) {
    assert.ok(!js || outOfRange(text), `the native scanner declined a line the JavaScript scanner reads: ${text}`);
    return false;
  }
  assert.ok(js, `the native scanner read a line the JavaScript scanner declines: ${text}`);
  const want = reference(text);
  assert.ok(want, `the native scanner read a line JSON.parse does not read as a scalars line: ${text}`);
  assert.deepEqual(got.tags, want.tags, text);
  if (want.tags.length > 0) assert.ok(Object.is(got.step, want.step), `step of ${text}: ${got.step} vs ${want.step}`);
  for (let k = 0; k < want.values.length; k++) assert.ok(Object.is(got.values[k], want.values[k]), `value ${k} of ${text}: ${got.values[k]} vs ${want.values[k]}`);
  return true;
}

test("native-scan: agrees with JSON.parse on generated lines, and reads the lines the JavaScript scanner reads", () => {
  const r = new Xoshiro128(20261201);
  let read = 0;
  const lines = 60_000;
  for (let k = 0; k < lines; k++) if (check(line(r))) read++;
  assert.ok(read > lines / 6 && read < lines / 2, `the native scanner read ${read} of ${lines} lines`);
});

test("native-scan: every JSON number spelling reads to JSON.parse's double (17 digits, subnormals, 1e308, -0, exponents)", () => {
  const r = new Xoshiro128(8);
  const all = [...SPECIAL];
  for (let k = 0; k < 200_000; k++) all.push(jsonNumber(r));
  // Every double's shortest spelling around the decimal exponents JSON.stringify switches at, and 17-digit spellings.
  for (let k = 0; k < 20_000; k++) {
    const x = (r.nextFloat() + r.nextFloat() * 2 ** -26) * 10 ** (r.nextInt(40) - 20);
    all.push(JSON.stringify(x), x.toPrecision(17), x.toExponential(16), (-x).toPrecision(17));
  }
  let declined = 0;
  for (const x of all) {
    const text = `{"kind":"scalars","step":${x},"wall_time":${x},"values":{"v":${x}}}`;
    if (!check(text)) {
      declined++;
      assert.ok(outOfRange(text), `a number in range was declined: ${x}`);
    }
  }
  // Out of range (1e400, 1e-400, …): left to JSON.parse; about 2% of these spellings.
  assert.ok(declined > 0 && declined < all.length / 20, `${declined} of ${all.length} declined`);
  for (const x of BAD_NUMBERS) assert.equal(nativeRead(`{"kind":"scalars","step":1,"wall_time":2,"values":{"v":${x}}}`), undefined, x);
  for (const [x, v] of [["1e308", 1e308], ["-1.7976931348623157e308", -1.7976931348623157e308], ["5e-324", 5e-324], ["-0", -0], ["2.2250738585072011e-308", 2.2250738585072011e-308], ['"NaN"', NaN], ['"Infinity"', Infinity], ['"-Infinity"', -Infinity], ['"nan"', NaN], ["0.30000000000000004", 0.30000000000000004]] as const) {
    assert.ok(Object.is(nativeRead(`{"kind":"scalars","step":1,"wall_time":2,"values":{"v":${x}}}`)?.values[0], v), x);
  }
});

test("native-scan: a stretch of lines is read up to the first line it does not read", () => {
  const ok = (step: number, values: object) => JSON.stringify({ kind: "scalars", step, wall_time: 1.5, values });
  const text = [ok(1, { a: 0.1, b: "NaN" }), ok(2, { b: 2, a: 0.2 }), ok(2, { a: 0.25 }), ok(1, { a: 0.3 }), '{"kind":"end","wall_time":1,"status":"success"}', ok(3, { a: 1 })].join("\n") + "\n";
  const bytes = Buffer.from(text);
  const got = scan(bytes, 0, bytes.length);
  assert.equal(got[0], text.indexOf('{"kind":"end"'));
  assert.equal(got[1], 4);
  assert.deepEqual(got.slice(2), ["a", new Float64Array([1, 2, 2, 1]), new Float64Array([0.1, 0.2, 0.25, 0.3]), false, "b", new Float64Array([1, 2]), new Float64Array([NaN, 2]), true]);
  // From an offset; a last line without its newline is not read.
  const from = text.lastIndexOf('{"kind":"scalars"');
  assert.deepEqual(scan(bytes, from, bytes.length), [bytes.length, 1, "a", new Float64Array([3]), new Float64Array([1]), true]);
  assert.deepEqual(scan(bytes, from, bytes.length - 1), [from, 0]);
  assert.throws(() => scan(bytes, 10, 5), /start <= end/);
  assert.throws(() => scan(bytes, 0, bytes.length + 1), /bytes\.length/);
  assert.throws(() => (scan as unknown as (x: unknown, a: number, b: number) => unknown)("text", 0, 1), /Uint8Array/);
});

/** A run's lines: twin's own (17-digit values, NaN/Infinity, -0, subnormals, resumed and repeated steps, new tags midway), the generated lines JSON.parse reads, other kinds, blank and CRLF lines, and (`long`) lines longer than a read. */
function runText(r: Xoshiro128, lines: number, long = false): string {
  const out = [JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant: "v", seed: "1" }, metrics: ["val/acc"] })];
  let step = 0;
  for (let k = 0; k < lines; k++) {
    step = r.nextInt(8) === 0 ? r.nextInt(step + 2) : step + 1;
    const values: Record<string, number | string> = { "train/loss": (r.nextFloat() - 0.5) * 10 ** (r.nextInt(40) - 20) };
    if (k % 7 === 0) values["eval/acc"] = ["NaN", "Infinity", "-Infinity", -0, 5e-324, 1e308, 2.2250738585072011e-308][r.nextInt(7)]!;
    if (k > lines / 2) values[`late/${r.nextInt(3)}`] = r.nextFloat();
    const twins = JSON.stringify({ kind: "scalars", step, wall_time: 1.7e9 + k / 3, values });
    switch (r.nextInt(14)) {
      case 0: {
        let other = line(r);
        for (let tries = 0; !parses(other); tries++) other = tries < 20 ? line(r) : twins;
        out.push(other);
        break;
      }
      case 1:
        out.push(`${twins}\r`);
        break;
      case 2:
        out.push("", "  ", twins);
        break;
      case 3:
        out.push(JSON.stringify({ kind: "text", step, wall_time: 0, tag: "note", text: "✓" }));
        break;
      case 4:
        out.push(twins.replace('"train/loss":', `"train/loss":1e${r.nextInt(2) ? "" : "-"}400,"x":`));
        break;
      default:
        out.push(twins);
    }
    if (long && k === lines >> 1) out.push(JSON.stringify({ kind: "text", step, wall_time: 0, tag: "note", text: "x".repeat(5 << 20) }));
  }
  out.push(JSON.stringify({ kind: "end", wall_time: 1, status: "success" }));
  return out.join("\n") + "\n";
}

/** Everything the state holds (encodeRunState: offset, lines, status, hparams, notes, every tag in order with its steps and values as float64 bytes). */
function stateBytes(state: RunState): Buffer {
  return encodeRunState(state);
}

test("native-scan: a run read with it is, byte for byte, the run read by the JavaScript path, at once and in appended pieces", () => {
  const r = new Xoshiro128(31);
  for (let run = 0; run < 24; run++) {
    let text = runText(r, 20 + r.nextInt(run % 4 === 0 ? 3000 : 300), run % 8 === 0);
    if (run % 3 === 1) text += '{"kind":"scalars","step":9,"wall_time":1,"val'; // a last line cut short
    const path = join(root, `run-${run}.jsonl`);
    writeFileSync(path, text);
    const size = statSync(path).size;
    const js = emptyRunState(), native = emptyRunState();
    const jsTail = readAppended(path, js, size, 64, null);
    const nativeTail = readAppended(path, native, size, 64, scan);
    assert.deepEqual(stateBytes(native), stateBytes(js), `run ${run}`);
    assert.deepEqual(nativeTail, jsTail);
    // Appended in pieces cut anywhere, read with the native scanner as they come: the same as the whole file read by the JavaScript path.
    const piecewise = join(root, `piecewise-${run}.jsonl`);
    writeFileSync(piecewise, "");
    const bytes = Buffer.from(text, "utf8");
    const state = emptyRunState();
    for (let at = 0; at < bytes.length; ) {
      const next = Math.min(bytes.length, at + 1 + r.nextInt(run % 8 === 0 ? 2_000_000 : 5000));
      appendFileSync(piecewise, bytes.subarray(at, next));
      readAppended(piecewise, state, statSync(piecewise).size, 0, scan);
      at = next;
    }
    assert.deepEqual(stateBytes(state), stateBytes(js), `run ${run}, in pieces`);
  }
});

test("native-scan: a malformed line is named by its number, as by the JavaScript path", () => {
  const good = (step: number) => JSON.stringify({ kind: "scalars", step, wall_time: 0, values: { a: step / 3 } });
  for (const bad of ['{"kind":"scalars","step":2,"wall_time":0,"values":{"a":01}}', '{"kind":"scalars","step":2,', "{", "nan", '{"kind":"scalars","step":2,"wall_time":0,"values":{"a":1}}}']) {
    const path = join(root, "bad.jsonl");
    writeFileSync(path, [good(1), good(2), "", bad, good(3)].join("\n") + "\n");
    const size = statSync(path).size;
    assert.throws(() => readAppended(path, emptyRunState(), size, 0, null), /bad\.jsonl:4: malformed JSON line/);
    assert.throws(() => readAppended(path, emptyRunState(), size, 0, scan), /bad\.jsonl:4: malformed JSON line/);
  }
});

test("native-scan: loads and reads in a worker thread as in the main thread", async () => {
  const text = runText(new Xoshiro128(5), 500);
  const bytes = Buffer.from(text);
  const here = scan(bytes, text.indexOf("\n") + 1, bytes.length);
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const { scanScalars } = require(workerData.addon);
     parentPort.postMessage(scanScalars(workerData.bytes, workerData.start, workerData.bytes.length));`,
    { eval: true, workerData: { addon: join(import.meta.dirname, "..", "..", "build", "Release", "twin_scan.node"), bytes, start: text.indexOf("\n") + 1 } },
  );
  const there = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  assert.deepEqual(there, here);
});

test("native-scan: without the addon, logs are read by the JavaScript path, the same, and the reason is told", () => {
  const path = join(root, "missing.jsonl");
  writeFileSync(path, runText(new Xoshiro128(9), 400));
  const state = emptyRunState();
  readAppended(path, state, statSync(path).size);
  const script = `
    import { nativeScan, nativeScanMissing } from "./src/log/native-scan.ts";
    import { emptyRunState, encodeRunState, readAppended } from "./src/report/sources/run-state.ts";
    import { statSync } from "node:fs";
    const state = emptyRunState();
    readAppended(${JSON.stringify(path)}, state, statSync(${JSON.stringify(path)}).size);
    console.log(JSON.stringify({ loaded: nativeScan !== null, why: nativeScanMissing ?? "", state: encodeRunState(state).toString("base64") }));`;
  for (const [addon, why] of [[join(root, "nowhere", "twin_scan.node"), /nowhere\/twin_scan\.node is missing: build it with npm run build:native/], [path, /could not be loaded .*rebuild it with npm run build:native/], ["none", /^$/]] as const) {
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: join(import.meta.dirname, "..", ".."), env: { ...process.env, TWIN_SCAN_ADDON: addon }, encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    const got = JSON.parse(child.stdout) as { loaded: boolean; why: string; state: string };
    assert.equal(got.loaded, false);
    assert.match(got.why, why);
    assert.equal(got.state, encodeRunState(state).toString("base64"));
  }
});

/** What `twin serve` writes to stderr until it says where it listens. */
async function serveStderr(env: NodeJS.ProcessEnv): Promise<string> {
  const logdir = join(root, "logs");
  mkdirSync(logdir, { recursive: true });
  const child = spawn(process.execPath, [join(import.meta.dirname, "..", "..", "bin", "twin.js"), "serve", "--logdir", logdir, "--port", "0", "--no-index"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  try {
    let out = "", err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        if (/twin dashboard: http/.test(out)) resolve();
      });
      child.on("exit", (code) => reject(new Error(`twin serve exited (${code}): ${err}`)));
    });
    return err;
  } finally {
    child.kill("SIGTERM");
  }
}

test("native-scan: twin serve says when it reads logs without it, and only then", async () => {
  const missing = join(root, "nowhere", "twin_scan.node");
  assert.match(await serveStderr({ TWIN_SCAN_ADDON: missing }), /logs are read without the native line scanner: .*nowhere\/twin_scan\.node is missing: build it with npm run build:native.*The values are the same/);
  assert.doesNotMatch(await serveStderr({}), /native line scanner/);
});
