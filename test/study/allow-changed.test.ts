import { test } from "node:test";
import assert from "node:assert/strict";
import { allowChangedEffect } from "../../src/study/allow-changed.ts";

test("--allow-changed's effect: a changed study file makes new runs; any other change keeps the ended runs and mixes", () => {
  const held = { studyFile: "study.ts", planned: 5, endedSameFile: 3, otherFile: 0 };
  assert.match(
    allowChangedEffect([{ key: "files.study.ts", a: "a", b: "b" }, { key: "files.src/model.ts", a: "a", b: "b" }], held),
    /the changed study file makes 5 new run\(s\) under the same study name .* trains them all; the 3 run\(s\) made with earlier versions stay in the store/,
  );
  assert.equal(
    allowChangedEffect([{ key: "files.src/model.ts", a: "a", b: "b" }, { key: "datasets.train.bin", a: "a", b: "b" }], held),
    "With --allow-changed, the 3 run(s) that already ended are kept and the other 2 are trained with the changed code and data: one verdict then mixes runs made before and after the change",
  );
  // A study defined in code has no study file: its changes are never "the study file".
  assert.match(allowChangedEffect([{ key: "versions.libtorch", a: "2.1", b: "2.2" }], { ...held, studyFile: null }), /changed environment: one verdict then mixes/);
});
