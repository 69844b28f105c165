// The log folder's watcher (src/report/sources/folder-watcher.ts): one
// non-recursive watch per folder down to the run folders on Linux. Every
// change a reader needs is told: a line appended to a run, a new study, new
// runs (and the lines then appended to them), a checks file, a run folder
// removed and made again.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchFolders } from "../../src/report/sources/folder-watcher.ts";

const root = mkdtempSync(join(tmpdir(), "twin-folder-watcher-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("every change down to the run folders is told, in folders made after the watch started too", async () => {
  const logdir = join(root, "logs");
  const run = (study: string, variant: string, seed: number): string => {
    const d = join(logdir, study, variant, `seed-${seed}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "metrics.jsonl"), "{}\n");
    return d;
  };
  const first = run("s", "a", 1);
  const heard: (string | null)[] = [];
  const errors: Error[] = [];
  const stop = watchFolders(logdir, 3, (f) => heard.push(f), (e) => errors.push(e));
  const told = async (file: string, why: string): Promise<void> => {
    for (let t = 0; !heard.includes(file) && !heard.includes(null) && t < 200; t++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(heard.includes(file) || heard.includes(null), `${why}: ${file} not told (heard ${JSON.stringify(heard)})`);
    heard.length = 0;
  };
  try {
    appendFileSync(join(first, "metrics.jsonl"), "{}\n");
    await told(join("s", "a", "seed-1", "metrics.jsonl"), "a line appended");

    const second = run("t", "b", 7);
    await told("t", "a new study");
    appendFileSync(join(second, "metrics.jsonl"), "{}\n");
    await told(join("t", "b", "seed-7", "metrics.jsonl"), "a line appended to a run of the new study");

    const third = run("s", "a", 2);
    await told(join("s", "a", "seed-2"), "a new run");
    appendFileSync(join(third, "metrics.jsonl"), "{}\n");
    await told(join("s", "a", "seed-2", "metrics.jsonl"), "a line appended to the new run");

    mkdirSync(join(logdir, "s", "_checks"));
    await told(join("s", "_checks"), "a checks folder");
    writeFileSync(join(logdir, "s", "_checks", "seed-1.jsonl"), "{}\n");
    await told(join("s", "_checks", "seed-1.jsonl"), "a checks file");

    rmSync(third, { recursive: true });
    await told(join("s", "a", "seed-2"), "a run removed");
    run("s", "a", 2);
    await told(join("s", "a", "seed-2"), "the run made again");
    appendFileSync(join(third, "metrics.jsonl"), "{}\n");
    await told(join("s", "a", "seed-2", "metrics.jsonl"), "a line appended to the run made again");
    assert.deepEqual(errors, []);
  } finally {
    stop();
  }
  appendFileSync(join(first, "metrics.jsonl"), "{}\n");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(heard, [], "nothing told once stopped");
});
