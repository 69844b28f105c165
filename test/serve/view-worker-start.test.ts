// The dashboard's view worker thread starts when it is first needed (or when
// the server asks, after answering its first studies list), not when it is
// made: at 10,000 runs a thread starting with the server made the first list
// wait for the cores.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ViewWorker } from "../../src/serve/view-worker.ts";
import { writeFixture } from "../report/fixture.ts";

const root = mkdtempSync(join(tmpdir(), "twin-view-worker-start-"));
after(() => rmSync(root, { recursive: true, force: true }));
writeFixture(root, { seeds: 3, steps: 10 });

test("the view worker's thread is started by the first view asked for, not when it is made", async () => {
  const views = new ViewWorker({ kind: "logdir", root });
  try {
    assert.equal(views.started, false);
    assert.equal(views.progress("ab"), undefined);
    const body = await views.view("ab", {});
    assert.equal(views.started, true);
    assert.equal(body?.name, "ab");
    assert.equal(body?.error, undefined);
  } finally {
    await views.close();
  }
});

test("start() starts it ahead of any request; closing one never started does nothing", async () => {
  const never = new ViewWorker({ kind: "logdir", root });
  await never.close();
  assert.equal(never.started, false);
  const views = new ViewWorker({ kind: "logdir", root });
  try {
    views.start();
    assert.equal(views.started, true);
    assert.equal((await views.view("ab", {}))?.runs, 9);
  } finally {
    await views.close();
  }
});
