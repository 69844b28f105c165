/**
 * A group-sequential study driven look by look, with a state that survives
 * JSON (so a CLI can store it and resume): `sequentialStart(design options)`
 * plans the looks and boundaries (`sequentialDesign`); each time the number of
 * seeds reaches the next look, `sequentialUpdate(state, a, b)` analyses the
 * paired runs and returns the decision and the new state. A look may be
 * skipped by analysing at a later planned look (skipping never raises the
 * type-I error, it only gives up a chance to stop early); analysing at an
 * unplanned number of seeds is refused, because it breaks the guarantee.
 */
import { sequentialDesign, sequentialPairedTest, type SequentialDesign, type SpendingFunction } from "./sequential.ts";
import { checkPairs, type Sample } from "./validate.ts";

export interface SequentialLook {
  look: number;
  n: number;
  diff: number;
  t: number;
  /** |t| at or above this rejects; null: no rejection possible at this look. */
  boundary: number | null;
  pNominal: number;
  decision: "reject" | "continue" | "stop";
}

export interface SequentialState {
  version: 1;
  looks: number[];
  alpha: number;
  spending: SpendingFunction;
  calibration: "simulation" | "nominal";
  /** t-boundary per look; null where no rejection is possible. */
  tBoundaries: (number | null)[];
  history: SequentialLook[];
  /** "running": add seeds up to `nextN`; "rejected": stop, the difference is significant; "stopped": last look without significance. */
  status: "running" | "rejected" | "stopped";
  /** Seeds at the next planned look, or null when decided. */
  nextN: number | null;
}

/** Plans a sequential paired study (see `sequentialDesign`) and returns its initial state. */
export function sequentialStart(opts: { looks: number[]; alpha?: number; spending?: SpendingFunction; calibration?: "simulation" | "nominal"; calibrationPaths?: number; seed?: number }): SequentialState {
  const d = sequentialDesign(opts);
  return {
    version: 1, looks: d.looks, alpha: d.alpha, spending: d.spending, calibration: d.calibration,
    tBoundaries: d.tBoundaries.map((b) => (Number.isFinite(b) ? b : null)), history: [], status: "running", nextN: d.looks[0]!,
  };
}

function checkState(state: SequentialState): void {
  const ok = state && state.version === 1 && Array.isArray(state.looks) && Array.isArray(state.tBoundaries) &&
    state.tBoundaries.length === state.looks.length && Array.isArray(state.history);
  if (!ok) throw new Error("stats.sequentialUpdate: state is not a sequential study state (version 1) made by sequentialStart; start a new study");
}

/**
 * Analyses the paired runs (a[i], b[i] from seed i, all seeds so far) at a planned look.
 * Returns the new state (the old one is not modified) and this look's result.
 */
export function sequentialUpdate(state: SequentialState, a: Sample, b: Sample): { state: SequentialState; look: SequentialLook; notes: string[] } {
  checkState(state);
  if (state.status !== "running") {
    throw new Error(`stats.sequentialUpdate: this study is already decided (${state.status} at ${state.history[state.history.length - 1]?.n} seeds); analysing more seeds would break its error guarantee`);
  }
  checkPairs("sequentialUpdate", a, b, 2, "a paired t needs n ≥ 2");
  const n = a.length;
  const k = state.looks.indexOf(n);
  const done = state.history.length ? state.history[state.history.length - 1]!.look : -1;
  if (k < 0 || k <= done) {
    const next = state.nextN!;
    throw new Error(
      `stats.sequentialUpdate: ${n} seeds is not a planned look still ahead (looks at ${state.looks.join(", ")}; next ${next}); ` +
        (n < next ? `run ${next - n} more seed${next - n === 1 ? "" : "s"} first` : `analyse the first ${Math.max(...state.looks.filter((l) => l <= n && state.looks.indexOf(l) > done), next)} seeds instead`),
    );
  }
  const design: SequentialDesign = {
    looks: state.looks, alpha: state.alpha, spending: state.spending, informationFractions: [], alphaSpent: [], zBoundaries: [], nominalAlphas: state.looks.map(() => NaN),
    tBoundaries: state.tBoundaries.map((x) => (x === null ? Infinity : x)), nominalTAlphas: [], calibration: state.calibration,
  };
  const r = sequentialPairedTest(a, b, design);
  const look: SequentialLook = { look: k, n, diff: r.diff, t: r.t, boundary: state.tBoundaries[k]!, pNominal: r.pNominal, decision: r.decision };
  const notes = r.notes.slice();
  if (k > done + 1) notes.push(`look${k - done > 2 ? "s" : ""} at ${state.looks.slice(done + 1, k).join(", ")} seeds skipped (allowed: it only gives up chances to stop early)`);
  const status = r.decision === "reject" ? "rejected" : r.decision === "stop" ? "stopped" : "running";
  return {
    state: { ...state, history: [...state.history, look], status, nextN: status === "running" ? state.looks[k + 1]! : null },
    look, notes,
  };
}
