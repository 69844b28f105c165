/**
 * `twin compare --sequential`: a group-sequential study (sequentialStart /
 * sequentialUpdate in src/stats) driven look by look over a twin study's
 * seeds. Each variant is tested against the reference with its own design
 * (Bonferroni: alpha split evenly over the comparisons). The state is a pure
 * function of the planned looks and the runs' results, so a study resumed
 * from the store replays the same looks and reaches the same decisions.
 */
import { sequentialStart, sequentialUpdate, type SequentialLook, type SequentialState, type SpendingFunction } from "../stats/index.ts";
import type { SeedResults } from "./verdict.ts";
import { signedMetricValueText } from "./metric-units.ts";

export interface SequentialComparison {
  a: string;
  b: string;
  alpha: number;
  state: SequentialState;
  /** Why the design stopped being followed (a run that failed), if it did. */
  halted?: string;
  notes: string[];
}

export interface SequentialPlan {
  looks: number[];
  spending: SpendingFunction;
  comparisons: SequentialComparison[];
}

/** Looks for a study of at most `max` seeds: four equal steps, the first at 3 seeds or more (e.g. 20 -> 5, 10, 15, 20). */
export function defaultLooks(max: number): number[] {
  const step = Math.max(3, Math.ceil(max / 4));
  const looks: number[] = [];
  for (let n = step; n < max; n += step) looks.push(n);
  looks.push(max);
  return looks;
}

export function startSequential(variants: string[], reference: string, looks: number[], options: { alpha?: number; spending?: SpendingFunction } = {}): SequentialPlan {
  const others = variants.filter((v) => v !== reference);
  const alpha = (options.alpha ?? 0.05) / Math.max(1, others.length);
  const spending = options.spending ?? "obrien-fleming";
  const state = sequentialStart({ looks, alpha, spending });
  return { looks, spending, comparisons: others.map((b) => ({ a: reference, b, alpha, state, notes: [] })) };
}

/** True when no comparison needs more seeds. */
export function decided(plan: SequentialPlan): boolean {
  return plan.comparisons.every((c) => c.halted !== undefined || c.state.status !== "running");
}

/**
 * Analyses the look at `n` seeds (the first n seeds of `results`, in plan
 * order) for every comparison still running. A seed whose run of either
 * variant did not finish halts that comparison's design: the guarantee needs
 * every planned pair.
 */
export function sequentialLook(plan: SequentialPlan, results: SeedResults, n: number): { b: string; look: SequentialLook }[] {
  const out: { b: string; look: SequentialLook }[] = [];
  for (const c of plan.comparisons) {
    if (c.halted !== undefined || c.state.status !== "running" || c.state.nextN !== n) continue;
    const a = results.values[c.a]!.slice(0, n);
    const b = results.values[c.b]!.slice(0, n);
    const lost = results.seeds.slice(0, n).filter((_, i) => !Number.isFinite(a[i]!) || !Number.isFinite(b[i]!));
    if (a.length < n || lost.length > 0) {
      c.halted = a.length < n ? `only ${a.length} of ${n} seeds have run` : `seed${lost.length > 1 ? "s" : ""} ${lost.join(", ")} did not finish for ${c.a} or ${c.b}; a sequential design needs every planned pair, so it stops here (the fixed-n verdict below counts the failures)`;
      continue;
    }
    const r = sequentialUpdate(c.state, a, b);
    c.state = r.state;
    c.notes.push(...r.notes);
    out.push({ b: c.b, look: r.look });
  }
  return out;
}

/** "look 2 of 4 (10 seeds): dropout − baseline +0.0043, t = 3.10, boundary |t| ≥ 3.52: continue to 15 seeds". */
export function formatLook(plan: SequentialPlan, c: SequentialComparison, look: SequentialLook, percent: boolean): string {
  const boundary = look.boundary === null ? "no stop possible at this look" : `boundary |t| ≥ ${look.boundary.toFixed(2)}`;
  const what =
    look.decision === "reject" ? "decided: the difference is significant, stop"
      : look.decision === "stop" ? "last look without crossing: stop, no significant difference"
        : `continue to ${c.state.nextN} seeds`;
  return `look ${look.look + 1} of ${plan.looks.length} (${look.n} seeds): ${c.b} − ${c.a} ${signedMetricValueText(look.diff, percent)}${percent ? " pp" : ""}, t = ${look.t.toFixed(2)}, ${boundary}: ${what}`;
}

/** The sequential part of the verdict, for JSON. */
export function sequentialJson(plan: SequentialPlan) {
  return {
    looks: plan.looks,
    spending: plan.spending,
    comparisons: plan.comparisons.map((c) => ({
      a: c.a, b: c.b, alpha: c.alpha, status: c.halted !== undefined ? "halted" : c.state.status, halted: c.halted ?? null,
      boundaries: c.state.tBoundaries, history: c.state.history, notes: c.notes,
    })),
  };
}
