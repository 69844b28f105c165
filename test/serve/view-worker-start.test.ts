// The dashboard's view worker thread starts when it is first needed (or when
// the server asks, after answering its first studies list), not when it is
// made: at 10,000 runs a thread starting with the server made the first list
// wait for the cores. It is handed the stamps the server's source took.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource } from "../../src/report/sources/log-dir.ts";
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

test("after a restart the worker uses the stamps the server took, and still sees a line appended after them", async () => {
  const logdir = join(root, "handed");
  writeFixture(logdir, { seeds: 3, steps: 10 });
  const index = join(root, "handed.sqlite");
  const spec = { kind: "logdir" as const, root: logdir, index };
  const before = new ViewWorker(spec);
  try {
    assert.equal((await before.view("ab", {}))?.error, undefined);
  } finally {
    await before.close(); // saves the view and the accumulator
  }
  const file = join(logdir, "ab", "baseline", "seed-2", "metrics.jsonl");
  const line = (step: number) => JSON.stringify({ kind: "scalars", step, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n";

  // The server thread stamps for the saved view; then a line is appended before the worker's first build.
  const server = new LogDirSource(logdir, { index });
  await server.seedStamps("ab");
  appendFileSync(file, line(11));
  const told = new ViewWorker(spec, {}, () => server.takenStamps());
  try {
    const body = await told.view("ab", {}, new Set(["baseline/seed-2/metrics.jsonl"]));
    assert.equal(body?.error, undefined);
    assert.equal(body?.seedsRead, 1, "the changed seed read again (the worker saw the line), the others from the restored accumulator");
  } finally {
    await told.close();
  }

  // The same handoff with no change told: the worker took the stamps as handed (it did not stamp the seeds itself).
  await server.seedStamps("ab");
  appendFileSync(file, line(12));
  const untold = new ViewWorker(spec, {}, () => server.takenStamps());
  try {
    assert.equal((await untold.view("ab", {}, new Set()))?.seedsRead, 0, "the saved view of the stamps handed");
    assert.equal((await untold.view("ab", {}, new Set(["baseline/seed-2/metrics.jsonl"])))?.seedsRead, 1, "then the line told");
  } finally {
    await untold.close();
    server.close();
  }
});
