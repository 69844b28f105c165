/**
 * Which runs carry which fingerprint, said when they differ: the report's
 * reproducibility note, the dashboard's, and `twin stats` on a log folder.
 */
import { seedsText } from "./seeds-text.ts";

/** A fingerprint and the runs that carry it. */
export interface FingerprintRuns {
  fingerprint: string;
  runs: number;
  seeds: string[];
}

/** Runs grouped by fingerprint (runs without one left out), in the order first met; seeds "2" before "10". */
export function fingerprintRuns(runs: readonly { seed: string; fingerprint?: string | undefined }[]): FingerprintRuns[] {
  const by = new Map<string, { runs: number; seeds: Set<string> }>();
  for (const r of runs) {
    if (!r.fingerprint) continue;
    let f = by.get(r.fingerprint);
    if (!f) by.set(r.fingerprint, (f = { runs: 0, seeds: new Set() }));
    f.runs++;
    f.seeds.add(r.seed);
  }
  const order = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return [...by].map(([fingerprint, f]) => ({ fingerprint, runs: f.runs, seeds: [...f.seeds].sort(order) }));
}

/**
 * "runs carry 2 different fingerprints …: 3796af09eedf (16 runs: seeds 0, 1, 3, …); 76935dea70c4 (2 runs: seed 2)":
 * which runs carry which, the most runs first, so that the odd ones out are named.
 */
export function fingerprintsNote(fingerprints: readonly FingerprintRuns[]): string {
  const each = [...fingerprints].sort((a, b) => b.runs - a.runs).map((f) => `${f.fingerprint.slice(0, 12)} (${f.runs} run${f.runs === 1 ? "" : "s"}: ${seedsText(f.seeds)})`);
  return `runs carry ${fingerprints.length} different fingerprints: code, data, configuration or environment changed between runs (logs written before twin left the command line out of the fingerprint can differ by the command alone): ${each.join("; ")}`;
}
