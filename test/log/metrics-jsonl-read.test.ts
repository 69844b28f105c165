// readMetricsJsonl, which reads twin's scalars lines with the scanner of
// scalars-line.ts, against the same decoding of every line by JSON.parse
// (parseJsonl): the same scalars in file order (Object.is on every number),
// texts, hparams, status and truncated last line, on files mixing twin's lines
// with other spellings, blank and CRLF lines, and lines longer than a read.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJsonl } from "../../src/log/jsonl.ts";
import { fromJsonNumber, readMetricsJsonl, type MetricsFileData, type MetricsLine } from "../../src/log/metrics-jsonl.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";
import { writeLongLineFiles } from "./long-lines.ts";
import { readRunTree } from "../../src/log/event-reader.ts";

const root = mkdtempSync(join(tmpdir(), "twin-metrics-read-"));
after(() => rmSync(root, { recursive: true, force: true }));

function reference(text: string): MetricsFileData {
  const { records, truncatedLine } = parseJsonl<MetricsLine>(text);
  const out: MetricsFileData = { scalars: [], texts: [] };
  if (truncatedLine !== undefined) out.truncatedLine = truncatedLine;
  for (const r of records) {
    if (r.kind === "scalars") for (const [tag, v] of Object.entries(r.values)) out.scalars.push({ tag, step: r.step, value: fromJsonNumber(v), wallTime: r.wall_time });
    else if (r.kind === "text") out.texts.push({ tag: r.tag, step: r.step, text: r.text, wallTime: r.wall_time });
    else if (r.kind === "hparams") out.hparams = { hparams: r.hparams, metrics: r.metrics ?? [], ...(r.group !== undefined ? { group: r.group } : {}) };
    else if (r.kind === "end") out.status = r.status;
  }
  return out;
}

function assertSame(got: MetricsFileData, want: MetricsFileData): void {
  assert.equal(got.scalars.length, want.scalars.length);
  got.scalars.forEach((g, i) => {
    const w = want.scalars[i]!;
    assert.ok(g.tag === w.tag && Object.is(g.step, w.step) && Object.is(g.value, w.value) && Object.is(g.wallTime, w.wallTime), `scalar ${i}: ${JSON.stringify(g)} vs ${JSON.stringify(w)}`);
  });
  assert.deepEqual({ ...got, scalars: [] }, { ...want, scalars: [] });
}

function fileText(r: Xoshiro128, steps: number): string {
  const out = [JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant: "v", seed: "1" }, metrics: ["val/acc"], group: "s/v" })];
  for (let k = 0; k < steps; k++) {
    const v = (r.nextFloat() - 0.5) * 10 ** (r.nextInt(30) - 15);
    const line = JSON.stringify({ kind: "scalars", step: k, wall_time: 1.7e9 + k / 7, values: { "train/loss": v, ...(k % 5 === 0 ? { "eval/acc": ["NaN", "Infinity", "-Infinity", -0, 5e-324][r.nextInt(5)] } : {}) } });
    const pick = r.nextInt(20);
    if (pick === 0) out.push(line.replace(',"values"', ', "values"'));
    else if (pick === 1) out.push(`${line}\r`, "");
    else if (pick === 2) out.push(line.replace('"eval/acc"', '"2"').replace('"train/loss"', '"loß"'));
    else if (pick === 3) out.push(JSON.stringify({ kind: "text", step: k, wall_time: 1, tag: "note", text: "x".repeat(r.nextInt(2) ? 10 : 1_500_000) }));
    else out.push(line);
  }
  out.push(JSON.stringify({ kind: "end", wall_time: 1, status: "success" }));
  return out.join("\n") + "\n";
}

test("metrics-jsonl: readMetricsJsonl reads as JSON.parse line by line does", () => {
  const r = new Xoshiro128(5);
  for (let k = 0; k < 12; k++) {
    let text = fileText(r, 100 + r.nextInt(300));
    if (k % 3 === 1) text += '{"kind":"scalars","step":9,"wall_time":1,"val'; // a last line cut short
    if (k % 3 === 2) text = text.slice(0, -1); // a last line that lost only its newline
    const path = join(root, `m${k}.jsonl`);
    writeFileSync(path, text);
    assertSame(readMetricsJsonl(path), reference(text));
  }
});

test("metrics-jsonl: a malformed line in the middle names its line", () => {
  const path = join(root, "bad.jsonl");
  writeFileSync(path, '{"kind":"scalars","step":1,"wall_time":0,"values":{"a":1}}\n{"kind":"scalars","step":2,"wall_time":0,"values":{"a":.5}}\n{"kind":"end","wall_time":0,"status":"success"}\n');
  assert.throws(() => readMetricsJsonl(path), /bad\.jsonl:2: malformed JSON line/);
});

test("metrics-jsonl: a text note over 64 MiB is passed over with its tag and step (the run's metrics are read); another line that long is called too long, with the limit", () => {
  const { note: path, other } = writeLongLineFiles(root);
  const data = readMetricsJsonl(path);
  assert.deepEqual(data.scalars.map((s) => [s.step, s.value]), [[1, 0.5], [2, 0.75]]);
  assert.deepEqual(data.texts, [{ tag: "dump", step: 1, wallTime: 11, text: "(a text of more than 64 MiB, left out: twin reads lines of up to 67108864 bytes)" }]);
  assert.equal(data.status, "success");
  // With no event files to read instead, the run is read (it was left unread as "malformed").
  const [run] = readRunTree(join(root, "big"), { prefer: "jsonl" });
  assert.deepEqual(run!.scalars["val/acc"]!.map((p) => p.value), [0.5, 0.75]);
  assert.throws(() => readMetricsJsonl(other), /long-other\.jsonl:2: a line longer than 64 MiB \(67108864 bytes\), the longest twin reads as one JSON Lines record; twin's own metrics lines are far shorter/);
});
