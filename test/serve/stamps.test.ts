// Seed change stamps of a log folder (src/report/sources/log-dir.ts): a stamp
// changes whenever a run's files change, also when the listing of a run
// folder is remembered between stamps (prediction files created, rewritten
// in place or removed; a checks file created).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { studyDirStamps, type RunDirListings } from "../../src/report/sources/log-dir.ts";

const root = mkdtempSync(join(tmpdir(), "twin-stamps-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Sets a folder's mtime a minute back (a folder not changed lately: its listing is remembered). */
function age(dir: string): void {
  const t = new Date(Date.now() - 60_000);
  utimesSync(dir, t, t);
}

test("a seed's stamp changes when a prediction file is created, rewritten in place, removed, or a checks file appears", () => {
  const study = join(root, "s");
  const dirs = ["a", "b"].map((v) => join(study, v, "seed-1"));
  for (const d of dirs) {
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "metrics.jsonl"), '{"kind":"scalars","step":1,"wall_time":0,"values":{"x":1}}\n');
    age(d);
  }
  const listings: RunDirListings = new Map();
  const stamp = () => studyDirStamps(study, listings).get("1")!;
  const s0 = stamp();
  assert.equal(stamp(), s0, "nothing changed");
  assert.equal(listings.size, 2, "both listings remembered");

  writeFileSync(join(dirs[0]!, "predictions.npy"), "x");
  const s1 = stamp();
  assert.notEqual(s1, s0, "a prediction file created");
  age(dirs[0]!);
  assert.equal(stamp(), s1);

  appendFileSync(join(dirs[0]!, "predictions.npy"), "yz");
  age(dirs[0]!);
  const s2 = stamp();
  assert.notEqual(s2, s1, "a prediction file rewritten in place (the folder's mtime unchanged)");

  rmSync(join(dirs[0]!, "predictions.npy"));
  const s3 = stamp();
  assert.notEqual(s3, s2, "a prediction file removed");
  assert.equal(s3, s0);

  mkdirSync(join(study, "_checks"));
  writeFileSync(join(study, "_checks", "seed-1.jsonl"), "{}\n");
  assert.notEqual(stamp(), s3, "a checks file created");

  appendFileSync(join(dirs[1]!, "metrics.jsonl"), '{"kind":"scalars","step":2,"wall_time":0,"values":{"x":1}}\n');
  const s4 = stamp();
  assert.notEqual(s4, s3);

  rmSync(join(study, "b"), { recursive: true });
  assert.notEqual(stamp(), s4, "a run folder removed");
  assert.equal(listings.size, 1, "the removed folder's listing is forgotten");
});
