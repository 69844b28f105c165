/**
 * A study's accumulator saved in the dashboard's index when the dashboard
 * stops, so that after a restart the first update of a study is an update, not
 * a rebuild of every run from the index: the accumulator's state
 * (StudyAccumulator.snapshot: the curve columns as typed arrays, the steps'
 * statistics, each run's final values) and the stamps of the seeds it holds.
 *
 * The bytes: the snapshot's structure in V8's serialisation format with each
 * typed array written as a reference (type, offset, length) into a data
 * section that follows, every array 8-byte aligned there, so that a restore
 * makes each array a view on the bytes read, with no copy. (V8's own format
 * puts an array's bytes wherever the structure leaves them, and Node copies
 * every array not aligned for its type: at 10,000 runs 1,557 of 1,803 arrays,
 * 62 of 72 MB, and deserialising took 180–230 ms of CPU instead of ~15.)
 *
 * The check: a CRC-32 of the bytes, stored beside them. It is there to catch
 * accidental damage (a torn or partial write, a flipped bit, a truncated
 * row), which is what CRC-32 is made for: every burst of errors up to 32 bits
 * and all but 2^-32 of other changes are detected. A cryptographic digest adds
 * nothing here: it is stored in the same row as the bytes, so whoever can
 * change the bytes can write its digest too (SHA-256 was 2–3× the CPU: 61–69
 * ms against 22–44 ms for 77 MB). What the check cannot see, the structural
 * checks still refuse: bounds of every array, the format, the payload's shape.
 *
 * A saved accumulator is used only if its bytes pass the check, it is of
 * this format, and it was made with the same options and study header; seeds
 * whose stamps changed since (a run file written while the dashboard was
 * stopped) are read again as in any update. Anything else is dropped and the
 * accumulator is built from the index as before.
 */
import { createHash } from "node:crypto";
import { Deserializer, Serializer } from "node:v8";
import * as zlib from "node:zlib";
import { adoptSpecText, madeSpecText } from "../report/chart-runtime.ts";
import { adoptCurveCharts, curveChartsMade, type Chart } from "../report/charts/index.ts";
import type { CurveSnapshot } from "../report/model/curve-columns.ts";
import type { AccumulatorSnapshot, StudyAccumulator } from "../report/model/index.ts";
import { drawingCodeStamp } from "./drawing-code.ts";
import { packAudit, packRuns, unpackAudit, unpackRuns, type PackedAudit, type PackedRuns } from "./packed-runs.ts";

/** Bumped whenever a snapshot's layout or meaning changes (any class's snapshot() in report/model/), or the bytes' layout here: older ones are not used. */
// 2: steps' means and sums of squares exactly rounded (curve-columns.ts), no longer summed in slot order.
// 3: typed arrays in an aligned data section after the structure; CRC-32 instead of SHA-256.
// 4: the final-value views rest on the runs the verdict does not set aside (not-independent.ts); store runs' fingerprints without split and command line.
// 5: the curves of the seeds set aside are kept apart (asideCurves, asidePairedCurves, curvesAside).
// 6: each curve drawn last is saved with its charts and their spec texts (`drawn`, `drawings`), for the code that drew them (`drawingCode`);
//    the run summaries and the audit's seeds as packed columns (`runs`, `auditSeeds`: packed-runs.ts), their places in the snapshot left empty.
export const ACCUMULATOR_FORMAT = 6;

interface Payload {
  format: number;
  stamps: [string, string][];
  accumulator: AccumulatorSnapshot;
  /** The keys (spec digests) of the charts sent lately: a restored accumulator gives the same specs, which do not count as changed. */
  chartKeys: string[];
  /** The code that drew the saved curves (drawing-code.ts): other code draws them again. */
  drawingCode: string;
  /** Per curve saved with a drawing (in the order of {@link drawnCurves}), the charts made of it: [the chart's key in charts/index.ts, the chart, its spec's text]. */
  drawings: [number, [string, Chart, string][]][];
  /** The snapshot's run summaries (`bySeed`, then left empty) and audit seeds (`audit.seeds`, likewise), packed; absent: saved in place, as they are. */
  runs?: PackedRuns;
  auditSeeds?: PackedAudit;
}

/** The snapshot with its run summaries and audit seeds packed, where they can be (packed-runs.ts). */
function packed(accumulator: AccumulatorSnapshot): Pick<Payload, "accumulator" | "runs" | "auditSeeds"> {
  const runs = packRuns(accumulator.bySeed);
  const auditSeeds = packAudit(accumulator.audit.seeds);
  return {
    accumulator: { ...accumulator, ...(runs ? { bySeed: new Map() } : {}), ...(auditSeeds ? { audit: { ...accumulator.audit, seeds: new Map() } } : {}) },
    ...(runs ? { runs } : {}),
    ...(auditSeeds ? { auditSeeds } : {}),
  };
}

/** The payload's snapshot with its packed run summaries and audit seeds back in place. */
function unpacked(payload: Payload): AccumulatorSnapshot {
  const s = payload.accumulator;
  if (payload.runs) {
    if (s.bySeed.size > 0) throw new Error("run summaries saved both packed and in place");
    s.bySeed = unpackRuns(payload.runs);
  }
  if (payload.auditSeeds) {
    if (s.audit.seeds.size > 0) throw new Error("audit seeds saved both packed and in place");
    s.audit = { ...s.audit, seeds: unpackAudit(payload.auditSeeds) };
  }
  return s;
}

/** Every curve of a snapshot, in one order: the kept curves, paired, then those of the seeds set aside. */
function drawnCurves(s: AccumulatorSnapshot): CurveSnapshot[] {
  return [...s.curves, ...s.pairedCurves, ...s.asideCurves, ...s.asidePairedCurves];
}

/**
 * The charts made of each curve drawn last, with their spec texts, so that
 * after a restart a first update draws only the curves whose runs changed, as
 * any later update does: at 10,000 runs the curves of the tags it leaves as
 * they were (drawing them, their charts and spec texts) were about half of the
 * first update's CPU.
 */
function drawingsOf(s: AccumulatorSnapshot): Payload["drawings"] {
  const out: Payload["drawings"] = [];
  drawnCurves(s).forEach((c, i) => {
    if (!c.drawn?.data) return;
    const charts = curveChartsMade(c.drawn.data).flatMap(([key, chart]): [string, Chart, string][] => {
      const text = madeSpecText(chart.spec);
      return text === undefined ? [] : [[key, chart, text]];
    });
    if (charts.length > 0) out.push([i, charts]);
  });
  return out;
}

/**
 * The saved drawings taken as the charts of the restored curves where the
 * code now is the code that drew them; else every curve's saved drawing is
 * dropped (`drawn` deleted), and the curves are drawn again.
 */
function adoptDrawings(payload: Payload): void {
  if (payload.drawingCode !== drawingCodeStamp()) {
    for (const c of drawnCurves(payload.accumulator)) delete c.drawn;
    return;
  }
  if (payload.drawings.length === 0) return;
  const curves = drawnCurves(payload.accumulator);
  for (const [i, charts] of payload.drawings) {
    const data = curves[i]?.drawn?.data;
    if (!data) throw new Error("a saved drawing of a curve not drawn");
    for (const [, chart, text] of charts) adoptSpecText(chart.spec, text);
    adoptCurveCharts(data, charts.map(([key, chart]) => [key, chart]));
  }
}

/** The bytes saved and their check. */
export interface SavedAccumulatorBytes {
  digest: Buffer;
  body: Buffer;
}

/**
 * The check of saved bytes: CRC-32 (4 bytes) where the runtime has it (Node
 * 20.15 and later), else SHA-256 (32 bytes). Bytes saved under one and read
 * under the other do not match: rebuilt, as any other mismatch.
 */
function check(body: Uint8Array): Buffer {
  if (typeof zlib.crc32 === "function") {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(zlib.crc32(body));
    return out;
  }
  return createHash("sha256").update(body).digest();
}

/** Typed array kinds, by the number written for each. */
const VIEW_TYPES: readonly { new (buffer: ArrayBuffer, byteOffset: number, length: number): ArrayBufferView; BYTES_PER_ELEMENT?: number }[] = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
];
/** The structure's length (uint32, little-endian), then 4 bytes of 0. */
const HEAD = 8;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Node's hooks for typed arrays written and read as host objects (not in its type declarations). */
interface HostObjectHooks {
  _setTreatArrayBufferViewsAsHostObjects(on: boolean): void;
}

/** V8's serialiser writing each typed array as a reference into the data section (`views`, at `size` bytes so far). */
class ArraysApart extends Serializer {
  readonly views: ArrayBufferView[] = [];
  size = 0;

  constructor() {
    super();
    (this as unknown as HostObjectHooks)._setTreatArrayBufferViewsAsHostObjects(true);
  }

  _writeHostObject(view: ArrayBufferView): void {
    const type = VIEW_TYPES.findIndex((T) => view instanceof T);
    if (type < 0) throw new Error(`cannot save a ${view.constructor.name}`);
    this.writeUint32(type);
    this.writeDouble(this.size);
    this.writeDouble(view.byteLength);
    this.views.push(view);
    this.size += align8(view.byteLength);
  }
}

/** V8's deserialiser making each typed array a view on `data` (8-byte aligned). */
class ArraysInPlace extends Deserializer {
  constructor(structure: Buffer, private readonly data: Buffer) {
    super(structure);
  }

  _readHostObject(): ArrayBufferView {
    const T = VIEW_TYPES[this.readUint32()];
    const offset = this.readDouble(), length = this.readDouble();
    const per = T?.BYTES_PER_ELEMENT ?? 1;
    if (!T || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset % 8 !== 0 || length % per !== 0 || offset + length > this.data.length) {
      throw new Error("a typed array outside the saved data");
    }
    return new T(this.data.buffer as ArrayBuffer, this.data.byteOffset + offset, length / per);
  }
}

/** Any value as saved bytes (the structure, then its typed arrays' bytes, aligned) and their check. Exported for tests. */
export function encodeSaved(value: unknown): SavedAccumulatorBytes {
  const s = new ArraysApart();
  s.writeHeader();
  s.writeValue(value);
  const structure = s.releaseBuffer();
  const dataStart = align8(HEAD + structure.length);
  const body = Buffer.alloc(dataStart + s.size);
  body.writeUInt32LE(structure.length, 0);
  structure.copy(body, HEAD);
  let at = dataStart;
  for (const v of s.views) {
    body.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += align8(v.byteLength);
  }
  return { digest: check(body), body };
}

/** The value of saved bytes, its typed arrays views on them; undefined when they fail the check or are not of this layout. */
function decodeSaved(saved: SavedAccumulatorBytes): unknown {
  if (!check(saved.body).equals(saved.digest) || saved.body.length < HEAD) return undefined;
  const length = saved.body.readUInt32LE(0);
  const dataStart = align8(HEAD + length);
  if (dataStart > saved.body.length) return undefined;
  // The arrays are views: their bytes must be aligned for their type (a buffer of its own starts aligned).
  let body = saved.body;
  if ((body.byteOffset + dataStart) % 8 !== 0) body = Buffer.from(new Uint8Array(saved.body));
  const d = new ArraysInPlace(body.subarray(HEAD, HEAD + length), body.subarray(dataStart));
  d.readHeader();
  return d.readValue();
}

/** An accumulator, the stamps of the seeds folded into it and the keys of the charts sent lately, as bytes to save. */
export function encodeAccumulator(stamps: ReadonlyMap<string, string>, acc: StudyAccumulator, chartKeys: Iterable<string>): SavedAccumulatorBytes {
  const accumulator = acc.snapshot();
  return encodeSaved({ format: ACCUMULATOR_FORMAT, stamps: [...stamps], ...packed(accumulator), chartKeys: [...chartKeys], drawingCode: drawingCodeStamp(), drawings: drawingsOf(accumulator) } satisfies Payload);
}

/**
 * The snapshot, stamps and chart keys of saved bytes; undefined when they are
 * damaged (check), of another format, or not a snapshot. The charts saved of
 * its drawn curves are taken as theirs (charts/index.ts, chart-runtime.ts)
 * where the same code drew them.
 */
export function decodeAccumulator(saved: SavedAccumulatorBytes): { stamps: Map<string, string>; snapshot: AccumulatorSnapshot; chartKeys: string[] } | undefined {
  try {
    const payload = decodeSaved(saved) as Payload;
    if (payload?.format !== ACCUMULATOR_FORMAT || !Array.isArray(payload.stamps) || typeof payload.accumulator !== "object" || !Array.isArray(payload.chartKeys) || !Array.isArray(payload.drawings)) return undefined;
    const snapshot = unpacked(payload);
    adoptDrawings(payload);
    return { stamps: new Map(payload.stamps), snapshot, chartKeys: payload.chartKeys };
  } catch {
    return undefined;
  }
}
