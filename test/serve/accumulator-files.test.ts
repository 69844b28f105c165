// The view worker's accumulators saved at its stop: their bytes in a file
// beside the index (read back faster than an SQLite row of 77 MB), their check
// and size in the index; an index saved by an earlier version, with the bytes
// in its own table, is still restored; files no longer saved are removed.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource } from "../../src/report/index.ts";
import { StudyAccumulator } from "../../src/report/model/index.ts";
import { ViewBuilder } from "../../src/serve/view-builder.ts";

const root = mkdtempSync(join(tmpdir(), "twin-accumulator-files-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("saved accumulators are files beside the index (an older index's row still restored; files no longer saved removed)", async () => {
  const logdir = join(root, "logs");
  writeFixture(logdir, { seeds: 4, steps: 12, variants: ["baseline", "wider"], checks: false });
  const index = join(root, "index.sqlite");
  const folder = `${index}.accumulators`;
  let restored = 0;
  const restore = StudyAccumulator.restore;
  StudyAccumulator.restore = (s) => (restored++, restore(s));
  after(() => void (StudyAccumulator.restore = restore));
  /** A dashboard's run: the first view, the warm-up behind it, a line appended to seed 1 and the update, then the stop. */
  const session = async (step: number): Promise<number | undefined> => {
    const source = new LogDirSource(logdir, { index });
    const builder = new ViewBuilder(source);
    try {
      await builder.view("ab", {});
      await builder.warm();
      appendFileSync(join(logdir, "ab", "baseline", "seed-1", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step, wall_time: 0, values: { "train/loss": 0.25 } }) + "\n");
      return (await builder.view("ab", {}, new Set(["baseline/seed-1/metrics.jsonl"])))?.seedsRead;
    } finally {
      await builder.close();
      await source.close();
    }
  };
  assert.equal(await session(13), 1);
  const files = readdirSync(folder);
  assert.equal(files.length, 1, `one file: ${files.join(", ")}`);
  const db = new Database(index);
  const row = db.prepare("SELECT key, digest, file, size FROM accumulator_files").get() as { key: string; digest: Buffer; file: string; size: number };
  assert.equal(row.file, files[0]);
  assert.equal(row.size, readFileSync(join(folder, row.file)).length);
  assert.equal((db.prepare("SELECT count(*) AS n FROM accumulators").get() as { n: number }).n, 0);

  // An index saved before: the bytes in its accumulators table, no file. Restored (not built again from the index).
  db.prepare("INSERT INTO accumulators (key, digest, body) VALUES (?, ?, ?)").run(row.key, row.digest, readFileSync(join(folder, row.file)));
  db.prepare("DELETE FROM accumulator_files").run();
  db.close();
  rmSync(folder, { recursive: true });
  restored = 0;
  assert.equal(await session(14), 1);
  assert.equal(restored, 1, "the older index's accumulator was restored");
  // Saved again as a file, the table emptied; a file no accumulator names any more is removed at the next save.
  writeFileSync(join(folder, "0123456789abcdef0123456789abcdef.bin"), "stale");
  restored = 0;
  assert.equal(await session(15), 1);
  assert.equal(restored, 1);
  assert.deepEqual(readdirSync(folder), [row.file]);
  const again = new Database(index);
  assert.equal((again.prepare("SELECT count(*) AS n FROM accumulators").get() as { n: number }).n, 0);
  again.close();
  assert.ok(existsSync(join(folder, row.file)));
});
