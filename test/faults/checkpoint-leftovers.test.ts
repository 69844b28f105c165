/**
 * A kill -9 while a checkpoint is being written leaves its temporary folder
 * (a model's weights and optimizer state: gigabytes for large models), and the
 * next writer has another pid, so nothing removed it until the run finished.
 * Pruning now removes this machine's half-written folders whose writer is gone;
 * a live writer's, and other machines' (a shared checkpoint folder), stay.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { pruneCheckpoints } from "../../src/twin/checkpoint.ts";

test("pruning removes half-written checkpoint folders of dead writers on this machine, and only those", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-ckpt-left-"));
  try {
    const dead = spawnSync("true").pid!;
    const names = [
      "step-00000010",
      `step-00000020.tmp-${hostname()}-${dead}`,
      `step-00000020.tmp-${hostname()}-${process.pid}`,
      `step-00000020.tmp-another-host-${dead}`,
    ];
    for (const n of names) mkdirSync(join(dir, n));
    pruneCheckpoints(dir);
    assert.deepEqual(readdirSync(dir).sort(), [names[0], names[2], names[3]].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
