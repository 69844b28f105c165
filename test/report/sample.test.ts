// The sample of seeds a summarised chart draws (src/report/model/sample.ts):
// firstBySeedHash is the first k of the seeds sorted by bySeedHash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bySeedHash, firstBySeedHash } from "../../src/report/model/sample.ts";

test("firstBySeedHash equals sorting by bySeedHash and keeping the first k", () => {
  const seeds = [...Array.from({ length: 3000 }, (_, i) => String(i)), "a", "b", "", "10", "010"];
  for (const k of [0, 1, 20, 200, 5000]) assert.deepEqual(firstBySeedHash(seeds, k), [...seeds].sort(bySeedHash).slice(0, k), `k = ${k}`);
  assert.deepEqual(firstBySeedHash(new Set(["3", "1", "2"]), 2), ["3", "1", "2"].sort(bySeedHash).slice(0, 2));
});
