// Failure messages shortened for the progress line and `twin runs` never cut a shape in half.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clipLine } from "../../src/cli/clip-line.ts";
import { studyProgress } from "../../src/cli/study-progress.ts";
import type { PlannedRun } from "../../src/study/seed-plan.ts";

const SHAPE_ERROR = "mat1 and mat2 shapes cannot be multiplied (16x784 and 512x10) in model 'wide' at layer fc2 on Tensor[16, 3, 32, 32] from the loader";

test("clipLine keeps short lines and cuts long ones at a space outside brackets, with an ellipsis", () => {
  assert.equal(clipLine("short", 10), "short");
  for (let max = 20; max <= SHAPE_ERROR.length; max++) {
    const c = clipLine(SHAPE_ERROR, max);
    assert.ok(c.length <= max, `max ${max}: ${c.length} characters`);
    if (c === SHAPE_ERROR) continue;
    assert.ok(c.endsWith("…"), `max ${max}: ${c}`);
    const kept = c.slice(0, -1);
    assert.ok(SHAPE_ERROR.startsWith(kept), `max ${max}: ${c}`);
    assert.equal((kept.match(/[([{]/g) ?? []).length, (kept.match(/[)\]}]/g) ?? []).length, `max ${max}: an unclosed bracket in ${c}`);
    assert.ok(SHAPE_ERROR[kept.length] === " ", `max ${max}: cut inside a word: ${c}`);
  }
  assert.equal(clipLine(SHAPE_ERROR, 100), "mat1 and mat2 shapes cannot be multiplied (16x784 and 512x10) in model 'wide' at layer fc2 on…");
  assert.equal(clipLine("xxxxxxxxxxxxxxxxxxxxxxxxx", 10), "xxxxxxxxx…");
  assert.equal(clipLine("Tensor[1,2,3,4,5,6,7,8,9]", 12), "Tensor…");
});

test("the progress line of a failed run shows the first line of its error clipped at a boundary", () => {
  const run = { group: "all", label: 3, seed: {} } as unknown as PlannedRun;
  const long = `${"shape mismatch ".repeat(11)}on Tensor[16, 3, 32, 32] (expected [16, 1, 28, 28])\nsecond line`;
  const written: string[] = [];
  const write = process.stderr.write;
  const tty = process.stderr.isTTY;
  process.stderr.isTTY = false;
  process.stderr.write = ((chunk: string) => { written.push(chunk); return true; }) as typeof process.stderr.write;
  try {
    const p = studyProgress();
    p.onRunEnd(run, "failed", long);
    p.onRunEnd(run, "finished", `wide: ${long.split("\n")[0]}\nnarrow: diverged`);
    p.stop();
  } finally {
    process.stderr.write = write;
    process.stderr.isTTY = tty;
  }
  assert.equal(written.length, 2);
  assert.match(written[0]!, /^seed 3: \*failed\*: shape mismatch .*on Tensor\[16, 3, 32, 32\]…\n$/);
  assert.doesNotMatch(written[0]!, /second line/);
  assert.doesNotMatch(written.join(""), /\[16, ;/);
  assert.match(written[1]!, /^seed 3: finished, but wide: shape mismatch .*…; narrow: diverged\n$/);
  for (const w of written) assert.equal((w.match(/\[/g) ?? []).length, (w.match(/]/g) ?? []).length, w);
});
