/**
 * The spread comparison is scale-free: runs near 1e300 or 1e-300 (whose
 * variances overflow to ∞ or underflow to 0) get the same ratio, interval and
 * p-values as the same runs near 1, and its notes name the variants.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareSpreads } from "../../src/stats/spread-comparison.ts";

const a = [0.861, 0.872, 0.855, 0.868, 0.879, 0.858, 0.866, 0.874];
const b = a.map((x, i) => x + 0.01 + 0.002 * Math.cos(i));

function close(x: number | null, y: number | null, what: string): void {
  assert.ok(x !== null && y !== null && Math.abs(x - y) <= 1e-9 * Math.abs(y), `${what}: ${x} vs ${y}`);
}

for (const paired of [true, false]) {
  test(`compareSpreads gives the same answer for runs scaled by 1e300 and 1e-300 as near 1 (${paired ? "paired" : "unpaired"})`, () => {
    const ref = compareSpreads(a, b, { paired });
    for (const scale of [1e300, 1e-300]) {
      const s = compareSpreads(a.map((x) => x * scale), b.map((x) => x * scale), { paired });
      close(s.ratio, ref.ratio, `ratio at ${scale}`);
      close(s.ci![0], ref.ci![0], `lower end at ${scale}`);
      close(s.ci![1], ref.ci![1], `upper end at ${scale}`);
      close(s.p, ref.p, `Brown–Forsythe p at ${scale}`);
      if (paired) close(s.paired_p, ref.paired_p, `Pitman–Morgan p at ${scale}`);
      assert.deepEqual(s.notes, ref.notes);
    }
  });
}

test("compareSpreads names the variant that does not vary", () => {
  const s = compareSpreads([0.85, 0.85, 0.85], [0.8, 0.81, 0.83], { paired: true, names: ["base", "new"] });
  assert.deepEqual(s.notes, ["base does not vary across seeds: no interval or test of the spreads"]);
  assert.match(compareSpreads([0.8, 0.81, 0.83], [0.85, 0.85, 0.85], { paired: false }).notes[0]!, /^b does not vary/);
});
