import { test } from "node:test";
import assert from "node:assert/strict";
import { editDistance, similarName } from "../../src/study/similar-name.ts";

test("editDistance: insertions, deletions, substitutions and an adjacent swap each cost 1", () => {
  assert.equal(editDistance("epoch", "epochs"), 1);
  assert.equal(editDistance("epochs", "epoch"), 1);
  assert.equal(editDistance("epohcs", "epochs"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("same", "same"), 0);
});

test("similarName: the nearest known name within a third of the length, case-insensitive; none when nothing is near", () => {
  const known = ["batchSize", "epochs", "steps", "evalEvery", "seeds"];
  assert.equal(similarName("epoch", known), "epochs");
  assert.equal(similarName("batchsize", known), "batchSize");
  assert.equal(similarName("evalEvry", known), "evalEvery");
  assert.equal(similarName("lerning", known), undefined);
  assert.equal(similarName("x", known), undefined);
});
