// A cold first view reads a study while it stamps its seeds (LogDirSource
// openStudyStamped, log-dir.ts SeedStamping): each seed is stamped just before
// its runs are read or sent to a reader thread, and the read uses the stamp's
// stats. The view equals a fresh build; the stamps it keeps are those a full
// stamp gives; a run changed after its seed's stamp is read again by the next
// view, which then equals a fresh build of the changed data.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, pooledStudyDirGroups, SeedStamping, studyDirGroups, studyDirStamps } from "../../src/report/sources/log-dir.ts";
import { LogIndex } from "../../src/report/sources/log-index.ts";
import type { DataSource, SeedGroup, StampedStudy } from "../../src/report/types.ts";
import { ViewBuilder, type ViewBody } from "../../src/serve/view-builder.ts";

const root = mkdtempSync(join(tmpdir(), "twin-cold-stamps-"));
after(() => rmSync(root, { recursive: true, force: true }));
const VARIANTS = ["baseline", "wider"];

function scalars(variant: string, seed: number, from: number, to: number): string {
  let out = "";
  for (let step = from; step <= to; step++) {
    const noise = Math.sin(seed * 7.1 + step * 1.3 + (variant === "wider" ? 0.5 : 0));
    out += JSON.stringify({ kind: "scalars", step, wall_time: step, values: { "train/loss": 2 * Math.exp(-step / 8) + 0.3 + 0.02 * noise } }) + "\n";
  }
  return out;
}

/** A study of `seeds` seeds × 2 variants, each run 20 steps, not ended (a line can be appended). */
function writeStudy(logs: string, name: string, seeds: number): string {
  const dir = join(logs, name);
  for (let seed = 0; seed < seeds; seed++) {
    for (const v of VARIANTS) {
      mkdirSync(join(dir, v, `seed-${seed}`), { recursive: true });
      const hparams = JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant: v, seed: String(seed) }, metrics: ["train/loss"] }) + "\n";
      writeFileSync(join(dir, v, `seed-${seed}`, "metrics.jsonl"), hparams + scalars(v, seed, 1, 20));
    }
  }
  return dir;
}

function comparable(v: ViewBody | undefined): unknown {
  assert.ok(v && v.error === undefined, v?.error);
  const { updatedAt: _u, seedsRead: _s, chartsChanged: _c, ...rest } = v!;
  return rest;
}

async function fresh(logs: string, name: string): Promise<ViewBody | undefined> {
  // No index: every seed read from its files, stamped the plain way.
  const b = new ViewBuilder(new LogDirSource(logs));
  try {
    return await b.view(name, {});
  } finally {
    await b.close();
  }
}

async function collect(groups: AsyncIterable<SeedGroup>): Promise<SeedGroup[]> {
  const out: SeedGroup[] = [];
  for await (const g of groups) out.push(g);
  return out;
}

test("a read that stamps as it goes gives the plain groups and a full stamp's stamps; a run is read as its seed's stamp found it", async () => {
  const logs = join(root, "pool");
  const dir = writeStudy(logs, "s", 40);
  const log = new LogIndex(join(root, "pool.sqlite"));
  try {
    const plain = [...studyDirGroups(dir)];
    const full = studyDirStamps(dir);
    // Seed 5 stamped, then a line appended to one of its runs before the read: read up to what the stamp found.
    const listed = new SeedStamping(dir);
    listed.stamp("5");
    appendFileSync(join(dir, "wider", "seed-5", "metrics.jsonl"), scalars("wider", 5, 21, 21));
    const groups = await collect(pooledStudyDirGroups(dir, undefined, { study: "s", log }, undefined, 16, 0, listed));
    assert.deepEqual(groups, plain);
    assert.deepEqual([...listed.taken()], [...full]);
    assert.notEqual(studyDirStamps(dir).get("5"), full.get("5"), "the append changed seed 5's stamp");
  } finally {
    log.close();
  }
});

test("reader threads stamp the runs they read as the view's thread words a stamp (prediction files, a folder without metrics.jsonl); the stamps taken are a full stamp's", async () => {
  const logs = join(root, "threads");
  const dir = writeStudy(logs, "t", 40);
  // A prediction file in some folders (its size and time go into the stamp), a folder with another file instead of metrics.jsonl (stamped by its files, read here).
  for (const seed of [3, 17, 30]) writeFileSync(join(dir, "wider", `seed-${seed}`, "predictions.csv"), "0.1,0.9\n0.8,0.2\n");
  rmSync(join(dir, "baseline", "seed-8", "metrics.jsonl"));
  writeFileSync(join(dir, "baseline", "seed-8", "notes.txt"), "no metrics here\n");
  const log = new LogIndex(join(root, "threads.sqlite"));
  try {
    const plain = [...studyDirGroups(dir)];
    const full = studyDirStamps(dir);
    const stamping = new SeedStamping(dir);
    // Every run sent to a reader thread (none read from the back here): the threads take every stamp but seed 8's folder without metrics.jsonl.
    const groups = await collect(pooledStudyDirGroups(dir, undefined, { study: "t", log }, join(root, "threads.sqlite"), 16, 0, stamping));
    assert.deepEqual(groups, plain);
    assert.deepEqual([...stamping.taken()], [...full]);
    assert.match(full.get("3")!, /,predictions\.csv=\d+:/);
    assert.match(full.get("8")!, /^baseline=notes\.txt=\d+:/);
  } finally {
    log.close();
  }
});

test("a cold first view through reader threads equals a fresh build; a line appended while it is read is read by the next view", async () => {
  const logs = join(root, "cold");
  const seeds = 300; // 600 runs: enough for the reader threads
  const dir = writeStudy(logs, "big", seeds);
  const source = new LogDirSource(logs, { index: join(root, "cold.sqlite") });
  let opened = 0;
  // The source, with a line appended to a run of every other seed once the first seed group was read: stamped before it for some seeds (read again next), after it for others.
  const appending: DataSource = Object.assign(Object.create(source) as LogDirSource, {
    async openStudyStamped(name: string): Promise<StampedStudy | undefined> {
      const s = await source.openStudyStamped(name);
      if (!s) return undefined;
      opened++;
      const inner = s.stream.groups;
      const groups = (async function* () {
        let first = true;
        for await (const g of inner) {
          yield g;
          if (first) for (let seed = 1; seed < seeds; seed += 2) appendFileSync(join(dir, "baseline", `seed-${seed}`, "metrics.jsonl"), scalars("baseline", seed, 21, 21));
          first = false;
        }
      })();
      return { ...s, stream: { ...s.stream, groups } };
    },
  });
  const live = new ViewBuilder(appending);
  try {
    const first = await live.view("big", {});
    assert.equal(opened, 1, "the first view is a cold one, stamped as it is read");
    assert.equal(first?.seedsRead, seeds);
    assert.ok(first && first.error === undefined, first?.error);
    // The stamps kept are no later than what was read: every seed whose line came after its stamp is read again, and the view is the fresh one.
    const next = await live.view("big", {});
    assert.equal(opened, 1, "the next view is not a cold one");
    assert.ok(next!.seedsRead! > 0 && next!.seedsRead! <= seeds / 2, `only seeds changed after their stamp are read again (read ${next!.seedsRead})`);
    assert.deepEqual(comparable(next), comparable(await fresh(logs, "big")));
    assert.deepEqual([...source.takenStamps().get("big")!.stamps], [...studyDirStamps(dir)]);
  } finally {
    await live.close();
  }
});

test("a cold first view without reader threads (a small study) equals a fresh build and keeps a full stamp's stamps", async () => {
  const logs = join(root, "small");
  const dir = writeStudy(logs, "small", 12);
  const source = new LogDirSource(logs, { index: join(root, "small.sqlite") });
  const live = new ViewBuilder(source);
  try {
    const first = await live.view("small", {});
    assert.deepEqual(comparable(first), comparable(await fresh(logs, "small")));
    assert.deepEqual([...source.takenStamps().get("small")!.stamps], [...studyDirStamps(dir)]);
    appendFileSync(join(dir, "wider", "seed-3", "metrics.jsonl"), scalars("wider", 3, 21, 22));
    const next = await live.view("small", {}, new Set(["wider/seed-3/metrics.jsonl"]));
    assert.equal(next?.seedsRead, 1);
    assert.deepEqual(comparable(next), comparable(await fresh(logs, "small")));
  } finally {
    await live.close();
  }
});
