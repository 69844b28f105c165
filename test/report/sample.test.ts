// The sample of seeds a summarised chart draws (src/report/model/sample.ts):
// firstBySeedHash is the first k of the seeds sorted by bySeedHash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BottomK, bySeedHash, firstBySeedHash, seedHash } from "../../src/report/model/sample.ts";

test("firstBySeedHash equals sorting by bySeedHash and keeping the first k", () => {
  const seeds = [...Array.from({ length: 3000 }, (_, i) => String(i)), "a", "b", "", "10", "010"];
  for (const k of [0, 1, 20, 200, 5000]) assert.deepEqual(firstBySeedHash(seeds, k), [...seeds].sort(bySeedHash).slice(0, k), `k = ${k}`);
  assert.deepEqual(firstBySeedHash(new Set(["3", "1", "2"]), 2), ["3", "1", "2"].sort(bySeedHash).slice(0, 2));
});

test("firstBySeedHash orders seeds of one hash by their text, for every k, whichever way it keeps them", () => {
  // Seeds whose 32-bit hashes collide, found among 300,000 seeds named as the store names them ("<root>:<factor>=<seed>"), in both orders, with others between.
  const byHash = new Map<number, string[]>();
  for (let i = 0; i < 300000; i++) {
    const seed = `${i}:init=${i * 7}`;
    const h = seedHash(seed);
    byHash.set(h, [...(byHash.get(h) ?? []), seed]);
  }
  const colliding = [...byHash.values()].filter((g) => g.length > 1);
  assert.ok(colliding.length >= 5, `${colliding.length} collisions`);
  const seeds = colliding.flatMap((g, i) => (i % 2 ? [...g].reverse() : g).concat([`x${i}`]));
  for (const order of [seeds, [...seeds].reverse()]) {
    for (let k = 1; k <= seeds.length; k++) assert.deepEqual(firstBySeedHash(order, k), [...order].sort(bySeedHash).slice(0, k), `k = ${k}`);
  }
});

test("BottomK keeps the k seeds of smallest hash, and admits a seed exactly when adding it would keep it", () => {
  const seeds = Array.from({ length: 500 }, (_, i) => String((i * 7919) % 1009));
  const sample = new BottomK<string>(20);
  for (const seed of seeds) {
    const before = sample.take().map((x) => x.seed);
    const admitted = sample.admits(seed);
    sample.add(seed, seed);
    if (!admitted) assert.deepEqual(sample.take().map((x) => x.seed), before, `seed ${seed} not admitted but added`);
    else assert.ok(sample.take().some((x) => x.seed === seed), `seed ${seed} admitted but not kept`);
  }
  assert.deepEqual(sample.take().map((x) => x.seed), firstBySeedHash(new Set(seeds), 20));
});
