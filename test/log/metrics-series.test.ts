// readMetricsSeries (twin report / twin stats on a log folder), with the native
// scanner and without it, against readMetricsJsonl (the JavaScript reference)
// grouped by tag as the readers grouped it before (a Map by step, the value
// written last, sorted by step): the same steps and values (Object.is), texts,
// hparams, status and cut-off last line, and the same error, with its line
// number and text, for a damaged line; over generated files mixing twin's
// lines with other spellings, CRLF, blanks, duplicated tags, resumed steps,
// non-finite values, lines across the 1 MiB reads, steps that are not numbers,
// and every kind of last line.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMetricsJsonl } from "../../src/log/metrics-jsonl.ts";
import { readMetricsSeries, type MetricsSeriesData, type TagSeries } from "../../src/log/metrics-series.ts";
import { nativeScan } from "../../src/log/native-scan.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";
import { writeLongLineFiles } from "./long-lines.ts";
import { line as otherLine, jsonNumber, parses } from "./scalars-lines.ts";

const root = mkdtempSync(join(tmpdir(), "twin-metrics-series-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** readMetricsJsonl's data grouped as log-dir.ts's bySteps (lastStep false) or event-reader.ts's toSeries (true) grouped it. */
function reference(path: string, lastStep: boolean): MetricsSeriesData {
  const data = readMetricsJsonl(path);
  const byTag = new Map<string, Map<unknown, number>>();
  for (const p of data.scalars) {
    if (!byTag.has(p.tag)) byTag.set(p.tag, new Map());
    const m = byTag.get(p.tag)!;
    if (lastStep) m.delete(p.step);
    m.set(p.step, p.value);
  }
  const scalars: MetricsSeriesData["scalars"] = {};
  for (const tag of [...byTag.keys()].sort()) {
    const points = [...byTag.get(tag)!].sort((a, b) => (a[0] as number) - (b[0] as number));
    scalars[tag] = { steps: Float64Array.from(points, (p) => p[0] as number), values: Float64Array.from(points, (p) => p[1]) };
  }
  return { ...data, scalars };
}

/** What a reader gives: its data, or its error's class and message. */
function outcome(read: () => MetricsSeriesData): MetricsSeriesData | string {
  try {
    return read();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

function assertSame(got: MetricsSeriesData | string, want: MetricsSeriesData | string, what: string): void {
  if (typeof want === "string" || typeof got === "string") {
    assert.equal(got, want, what);
    return;
  }
  assert.deepEqual(Object.keys(got.scalars), Object.keys(want.scalars), what);
  for (const tag of Object.keys(want.scalars)) {
    const g: TagSeries = got.scalars[tag]!, w: TagSeries = want.scalars[tag]!;
    assert.equal(g.steps.length, w.steps.length, `${what} ${tag}`);
    for (let i = 0; i < w.steps.length; i++) {
      assert.ok(Object.is(g.steps[i], w.steps[i]) && Object.is(g.values[i], w.values[i]), `${what} ${tag}[${i}]: ${g.steps[i]}, ${g.values[i]} vs ${w.steps[i]}, ${w.values[i]}`);
    }
  }
  assert.deepEqual({ ...got, scalars: {} }, { ...want, scalars: {} }, what);
}

/** Whether a line that parses has a number as its step (a scalars line without one sends the file to readMetricsJsonl). */
function stepIsNumber(text: string): boolean {
  const o = JSON.parse(text) as { step?: unknown } | null;
  return typeof o?.step === "number";
}

/**
 * A run's metrics.jsonl: twin's lines with resumed steps, non-finite values and
 * -0, and other spellings (generated lines that parse: whitespace, escapes,
 * duplicated and index tags, numbers beyond double's range), CRLF, blanks,
 * notes (some long, so that lines cross the 1 MiB reads).
 */
function fileText(r: Xoshiro128, lines: number, stepsAsText: boolean): string {
  const out = [JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant: "v", seed: "1", "seeds.init": 1 }, metrics: ["val/acc"] })];
  out.push(JSON.stringify({ kind: "text", step: 0, wall_time: 0, tag: "fingerprint", text: "sha256:x" }));
  let step = 0;
  for (let k = 0; k < lines; k++) {
    step = r.nextInt(8) === 0 ? r.nextInt(step + 2) : step + 1;
    const values: Record<string, number | string> = { "train/loss": (r.nextFloat() - 0.5) * 10 ** (r.nextInt(40) - 20) };
    if (k % 7 === 0) values["eval/acc"] = ["NaN", "Infinity", "-Infinity", -0, 5e-324, 1e308, "nan"][r.nextInt(7)]!;
    if (k > lines / 2) values[`late/${r.nextInt(3)}`] = r.nextFloat();
    const twins = JSON.stringify({ kind: "scalars", step, wall_time: 1.7e9 + k / 3, values });
    switch (r.nextInt(16)) {
      case 0: {
        let other = otherLine(r);
        for (let tries = 0; !parses(other) || (!stepsAsText && !stepIsNumber(other)); tries++) other = tries < 20 ? otherLine(r) : twins;
        out.push(other);
        break;
      }
      case 1:
        out.push(`${twins}\r`);
        break;
      case 2:
        out.push("", "  \r", twins);
        break;
      case 3:
        out.push(JSON.stringify({ kind: "text", step, wall_time: 0, tag: "note", text: r.nextInt(40) === 0 ? "x".repeat(1_200_000) : "✓ é" }));
        break;
      case 4:
        out.push(twins.replace('"train/loss":', `"train/loss":1e${r.nextInt(2) ? "" : "-"}400,"x":`));
        break;
      case 5:
        // A duplicated tag (JSON.parse keeps the last value, at the first one's place), and a step in another spelling.
        out.push(twins.replace('"train/loss":', `"train/loss":${jsonNumber(r)},"train/loss":`));
        out.push(twins.replace(`"step":${step},`, `"step":${step}.0e0,`));
        break;
      default:
        out.push(twins);
    }
  }
  out.push(JSON.stringify({ kind: "end", wall_time: 1, status: "success" }));
  return out.join("\n") + "\n";
}

/** The three readers agree on the file at `path`. */
function check(path: string, what: string): void {
  assert.ok(nativeScan, "the native scanner is built (npm run build:native)");
  for (const lastStep of [false, true]) {
    const want = outcome(() => reference(path, lastStep));
    assertSame(outcome(() => readMetricsSeries(path, { lastStep })), want, `${what}, native, lastStep ${lastStep}`);
    assertSame(outcome(() => readMetricsSeries(path, { lastStep, scan: null })), want, `${what}, JavaScript, lastStep ${lastStep}`);
  }
}

test("metrics-series: native, JavaScript and readMetricsJsonl grouped read generated files alike, with every kind of last line", () => {
  const r = new Xoshiro128(29);
  for (let k = 0; k < 24; k++) {
    let text = fileText(r, 200 + r.nextInt(k % 6 === 0 ? 20_000 : 600), k % 4 === 3);
    if (k % 3 === 1) text += '{"kind":"scalars","step":9,"wall_time":1,"val'; // cut off while written
    if (k % 3 === 2) text = text.slice(0, -1); // a last line that lost only its newline
    if (k % 8 === 5) text += '{"kind":"scalars","step":1e9,"wall_time":1,"values":{"train/loss":0.5}}'; // a whole scalars line without its newline
    const path = join(root, `m${k}.jsonl`);
    writeFileSync(path, text);
    check(path, `file ${k}`);
  }
});

test("metrics-series: a damaged line is named by the same line number and text, wherever it is", () => {
  const r = new Xoshiro128(31);
  const damages = ['{"kind":"scalars","step":2,"wall_time":0,"values":{"a":.5}}', '{"kind":"scalars","step":2,"wall_time":0,"values":{"a":1}', "garbage", '{"kind":"text","step":1,"tag":"x","text":"unclosed}', "\u0000\u0001"];
  for (let k = 0; k < 10; k++) {
    const lines = fileText(r, 300 + r.nextInt(20_000), false).split("\n");
    const at = 1 + r.nextInt(lines.length - 2);
    lines.splice(at, 0, damages[k % damages.length]!);
    const path = join(root, `damaged-${k}.jsonl`);
    writeFileSync(path, lines.join("\n"));
    const got = outcome(() => readMetricsSeries(path));
    assert.match(got as string, new RegExp(`^JsonlParseError: .*damaged-${k}\\.jsonl:${at + 1}: malformed JSON line`));
    check(path, `damaged ${k}`);
  }
});

test("metrics-series: a text note over 64 MiB is passed over with its tag and step, another line that long is too long, as readMetricsJsonl reads them", () => {
  const { note: path, other } = writeLongLineFiles(root);
  check(path, "long note");
  assert.deepEqual(readMetricsSeries(path).texts.map((t) => t.text), ["(a text of more than 64 MiB, left out: twin reads lines of up to 67108864 bytes)"]);
  check(other, "long other line");
  assert.match(outcome(() => readMetricsSeries(other)) as string, /long-other\.jsonl:2: a line longer than 64 MiB/);
});
