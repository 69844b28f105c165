/**
 * A study's accumulator saved in the dashboard's index when the dashboard
 * stops, so that after a restart the first update of a study is an update, not
 * a rebuild of every run from the index: the accumulator's state
 * (StudyAccumulator.snapshot: the curve columns as typed arrays, the steps'
 * statistics, each run's final values) and the stamps of the seeds it holds,
 * in V8's serialisation format, with a SHA-256 digest of those bytes.
 *
 * A saved accumulator is used only if its bytes match the digest, it is of
 * this format, and it was made with the same options and study header; seeds
 * whose stamps changed since (a run file written while the dashboard was
 * stopped) are read again as in any update. Anything else is dropped and the
 * accumulator is built from the index as before.
 */
import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import type { AccumulatorSnapshot, StudyAccumulator } from "../report/model/index.ts";

/** Bumped whenever a snapshot's layout or meaning changes (any class's snapshot() in report/model/): older ones are not used. */
// 2: steps' means and sums of squares exactly rounded (curve-columns.ts), no longer summed in slot order.
// 3: the final-value views rest on the runs the verdict does not set aside (not-independent.ts); store runs' fingerprints without split and command line.
const FORMAT = 3;

interface Payload {
  format: number;
  stamps: [string, string][];
  accumulator: AccumulatorSnapshot;
  /** The keys (spec digests) of the charts sent lately: a restored accumulator gives the same specs, which do not count as changed. */
  chartKeys: string[];
}

/** The bytes saved and their digest. */
export interface SavedAccumulatorBytes {
  digest: Buffer;
  body: Buffer;
}

/** An accumulator, the stamps of the seeds folded into it and the keys of the charts sent lately, as bytes to save. */
export function encodeAccumulator(stamps: ReadonlyMap<string, string>, acc: StudyAccumulator, chartKeys: Iterable<string>): SavedAccumulatorBytes {
  const body = serialize({ format: FORMAT, stamps: [...stamps], accumulator: acc.snapshot(), chartKeys: [...chartKeys] } satisfies Payload);
  return { digest: createHash("sha256").update(body).digest(), body };
}

/** The snapshot, stamps and chart keys of saved bytes; undefined when they are damaged (digest), of another format, or not a snapshot. */
export function decodeAccumulator(saved: SavedAccumulatorBytes): { stamps: Map<string, string>; snapshot: AccumulatorSnapshot; chartKeys: string[] } | undefined {
  if (!createHash("sha256").update(saved.body).digest().equals(saved.digest)) return undefined;
  let payload: Payload;
  try {
    payload = deserialize(saved.body) as Payload;
  } catch {
    return undefined;
  }
  if (payload?.format !== FORMAT || !Array.isArray(payload.stamps) || typeof payload.accumulator !== "object" || !Array.isArray(payload.chartKeys)) return undefined;
  return { stamps: new Map(payload.stamps), snapshot: payload.accumulator, chartKeys: payload.chartKeys };
}
