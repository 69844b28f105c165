// The dashboard's curve columns (curve-columns.ts) give the same curve, bit
// for bit, whatever the order in which seeds reached them: a fresh build folds
// the seeds in one order, an updated view in another (a seed "3" after "10",
// a seed taken out and another added in the same update so that it reuses the
// freed slot, an accumulator restored from its snapshot and updated). Values
// chosen so that a sum's order shows in its last bits (1e16, 1, −1e16; random
// decimals over six orders of magnitude; 0 and −0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CurveColumns } from "../../src/report/model/curve-columns.ts";
import { SUMMARISE_ABOVE } from "../../src/report/model/curves.ts";
import type { Series } from "../../src/report/types.ts";
import { Xoshiro128 } from "../../src/stats/index.ts";

const VARIANTS = ["base", "wide"];
const STEPS = 12;

/** Seed `seed`'s series of `variant`: a value per step from patterns where summation order matters. */
function series(variant: string, seed: number): Series {
  const r = new Xoshiro128(seed * 7919 + (variant === "wide" ? 1 : 0));
  const steps = new Float64Array(STEPS), values = new Float64Array(STEPS);
  for (let i = 0; i < STEPS; i++) {
    steps[i] = i + 1;
    const u = r.nextFloat();
    const pattern = i % 4;
    values[i] =
      pattern === 0 ? [1e16, 1, -1e16, 3.5][seed % 4]! + (u < 0.5 ? 0 : 1e-3 * u)
      : pattern === 1 ? (r.nextFloat() - 0.5) * 10 ** Math.floor(u * 6 - 3)
      : pattern === 2 ? (u < 0.5 ? -0 : 0)
      : 0.1 * (seed % 10) + 1e-9 * u;
  }
  return { steps, values };
}

/** A curve with `seeds` folded in the order given. */
function fold(seeds: readonly number[]): CurveColumns {
  const curve = new CurveColumns("loss", false, 4);
  for (const seed of seeds) for (const v of VARIANTS) curve.add(v, String(seed), series(v, seed));
  return curve;
}

function finish(curve: CurveColumns): ReturnType<CurveColumns["finish"]> {
  return curve.finish(VARIANTS, VARIANTS[0]!, true);
}

/** The curves of a fresh build of `seeds` (in ascending order) and of `updated`, compared number by number with Object.is (deepStrictEqual's comparison of primitives). */
function assertSameAsFresh(updated: CurveColumns, seeds: readonly number[], what: string): void {
  const fresh = finish(fold([...seeds].sort((a, b) => a - b)));
  const got = finish(updated);
  assert.ok(fresh && got, what);
  assert.ok(got.stats.some((s) => s.q !== undefined), `${what}: the curve is summarised (quantile bands checked too)`);
  assert.deepStrictEqual(got, fresh, what);
}

const N = SUMMARISE_ABOVE + 10;
const all = Array.from({ length: N }, (_, i) => i);

test("seeds folded in another order than a fresh build's (a seed 3 after 10, reversed, shuffled) give the same curve bit for bit", () => {
  assertSameAsFresh(fold([10, 11, 12, ...all.filter((s) => s < 10 || s > 12)]), all, "3 after 10");
  assertSameAsFresh(fold([...all].reverse()), all, "reversed");
  const r = new Xoshiro128(42);
  for (let k = 0; k < 5; k++) {
    const shuffled = [...all];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(r.nextFloat() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    assertSameAsFresh(fold(shuffled), all, `shuffle ${k}`);
  }
});

test("a seed taken out and another added in one update (the new one reuses the freed slot) gives the fresh build's curve bit for bit", () => {
  const live = fold(all);
  finish(live);
  let seeds = [...all];
  for (const [out, into] of [[2, N], [0, N + 1], [N - 1, N + 2], [17, 2]] as const) {
    for (const v of VARIANTS) live.remove(v, String(out));
    for (const v of VARIANTS) live.add(v, String(into), series(v, into));
    seeds = [...seeds.filter((s) => s !== out), into];
    assertSameAsFresh(live, seeds, `seed ${out} out, ${into} in`);
  }
});

test("steps kept from a finish without bands, asked for their bands after other steps were computed, give the fresh build's curve", () => {
  // Few runs: no bands, so each step's values are copied for its sums only. Then one variant grows past SUMMARISE_ABOVE:
  // the other's steps are kept, and their bands come from their own values, not from the last step's left in the scratch space.
  const few = all.slice(0, 12);
  const live = fold(few);
  assert.ok(!finish(live)!.summarised);
  for (const seed of all.slice(12)) live.add("wide", String(seed), series("wide", seed));
  const got = finish(live)!;
  assert.ok(got.stats.some((s) => s.variant === "base" && s.q !== undefined), "the kept variant's bands are drawn");
  const fresh = new CurveColumns("loss", false, 4);
  for (const seed of few) fresh.add("base", String(seed), series("base", seed));
  for (const seed of all) fresh.add("wide", String(seed), series("wide", seed));
  assert.deepStrictEqual(got, finish(fresh));
});

test("an accumulator restored from its snapshot and updated gives the fresh build's curve bit for bit", () => {
  const live = fold([...all].reverse());
  finish(live);
  const restored = CurveColumns.restore(structuredClone(live.snapshot()));
  assertSameAsFresh(restored, all, "restored");
  for (const v of VARIANTS) restored.remove(v, "5");
  for (const v of VARIANTS) restored.add(v, String(N), series(v, N));
  assertSameAsFresh(restored, [...all.filter((s) => s !== 5), N], "restored, then seed 5 out and a new seed in");
});

test("a snapshot keeps the sampled lines' seeds of the last finish (restored, they are not chosen again); one naming a seed the curve does not hold is refused", () => {
  const live = fold(all);
  const drawn = finish(live)!;
  const snapshot = live.snapshot();
  const sampled = (variant: string): string[] => [...new Set(drawn.seeds.filter((p) => p.variant === variant).map((p) => p.seed))];
  for (const [variant, series] of snapshot.variants) assert.deepEqual(series.sample?.seeds, sampled(variant), `${variant}: the sample of the lines drawn`);
  // A value changed (not the runs): the sample stays, and so does the snapshot's.
  live.add("base", "3", series("base", 4));
  finish(live);
  assert.deepEqual(live.snapshot().variants[0]![1].sample?.seeds, sampled("base"));
  // Runs changed and not drawn since: no sample saved (it is chosen again when drawn).
  live.remove("base", "3");
  assert.equal(live.snapshot().variants[0]![1].sample, undefined);
  const forged = structuredClone(snapshot);
  forged.variants[0]![1].sample!.seeds[0] = "no such seed";
  assert.throws(() => CurveColumns.restore(forged), /line sample names a seed/);
});
