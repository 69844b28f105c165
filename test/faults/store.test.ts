/** Fault matrix: the store is checked on open, names its file in every error, and loses nothing when deleted mid-study. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DamagedRowError,
  openStore,
  StoreDamagedError,
  StoreReadOnlyError,
  StoreUnreachableError,
  StoreVanishedError,
  type RunInput,
  type Store,
} from "../../src/store/index.ts";
import { SqliteDriver } from "../../src/store/driver.ts";
import type { SqlStore } from "../../src/store/sql-store.ts";
import { twin } from "../study/fixtures/store-dump.ts";
import { LogIndex } from "../../src/report/sources/log-index.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "twin-fault-store-"));
}

function runInput(root: number): RunInput {
  return { study: "s", variants: ["a", "b"], specHash: "spec", rootSeed: root, seeds: { init: root, order: root }, config: { pad: "x".repeat(400), root } };
}

async function filled(path: string, runs = 40): Promise<string[]> {
  const store = await openStore(path);
  try {
    await store.putStudy({ name: "s", specHash: "spec", spec: { seeds: runs } });
    const ids: string[] = [];
    for (let i = 0; i < runs; i++) ids.push((await store.submitRun(runInput(i))).run.id);
    return ids;
  } finally {
    await store.close();
  }
}

test("read-only opening never creates a database: a missing path, an empty .csv, a foreign file", async () => {
  const dir = tempDir();
  try {
    const missing = join(dir, "nope.db");
    await assert.rejects(openStore(missing, { existing: true }), /no twin store at .*nope\.db \(the file does not exist\)/);
    assert.equal(existsSync(missing), false);
    const csv = join(dir, "results.csv");
    writeFileSync(csv, "");
    await assert.rejects(openStore(csv, { existing: true }), (e: Error) => e instanceof StoreUnreachableError && /results\.csv: the file is empty, not a database/.test(e.message));
    assert.equal(statSync(csv).size, 0, "the empty file stays empty");
    writeFileSync(csv, "variant,seed,acc\na,0,0.9\n");
    await assert.rejects(openStore(csv), /results\.csv: the file is not a database .*twin leaves it as it is/, "not even a writing command turns it into a store");
    assert.equal(readdirSync(dir).sort().join(","), "results.csv");
    // A SQLite database of another program is not a twin store either.
    const other = join(dir, "other.db");
    const d = new SqliteDriver(other);
    d.db.exec("CREATE TABLE notes (x)");
    await d.close();
    await assert.rejects(openStore(other, { existing: true }), /other\.db is a SQLite database but not a twin store/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a read-only store reads, and a write names the file", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "twin.db");
    await filled(path, 3);
    const store = await openStore(path, { existing: true, readOnly: true });
    try {
      assert.equal((await store.listRuns({ study: "s" })).length, 3);
      await assert.rejects(store.submitRun(runInput(99)), (e: Error) => e instanceof StoreReadOnlyError && e.message.includes(`the store at ${path} is read-only`));
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("flipped bytes in the store's file: opening says the file is damaged and what to do", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "twin.db");
    await filled(path, 60);
    const size = statSync(path).size;
    assert.ok(size > 8 * 4096, `a store of several pages (${size} bytes)`);
    const fd = openSync(path, "r+");
    // The headers of b-tree pages 3 to 6 (cell contents alone are not structure: those show up as damaged rows, below).
    for (let page = 2; page < 6; page++) writeSync(fd, Buffer.alloc(24, 0xa5), 0, 24, page * 4096);
    closeSync(fd);
    for (const quickCheckMaxBytes of [undefined, 0]) {
      // Whole-file check (small stores), and the check of the tables of record only (large ones).
      await assert.rejects(openStore(path, { quickCheckMaxBytes }), (e: Error) => {
        assert.ok(e instanceof StoreDamagedError, e.message);
        assert.match(e.message, new RegExp(`the store at ${path} is damaged: (PRAGMA quick_check found \\d+ problem\\(s\\): .*|database disk image is malformed)\\. Nothing was written to it\\. .*sqlite3 ${path} \\.recover`));
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stored JSON value that no longer parses names the table, the row and the column", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "twin.db");
    const [id] = await filled(path, 2);
    const store = await openStore(path);
    try {
      await (store as SqlStore).driver.query("UPDATE runs SET seeds_json = ? WHERE id = ?", ['{"init": "12', id]);
      await assert.rejects(store.getRun(id!), (e: Error) => {
        assert.ok(e instanceof DamagedRowError);
        assert.equal(e.message.startsWith(`the store at ${path} is damaged: table runs, row id '${id}', column seeds_json is not valid JSON`), true, e.message);
        return true;
      });
      await assert.rejects(store.listRuns({ study: "s" }), /table runs, row id '.*', column seeds_json/);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function deleteStore(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}

test("the store deleted while open: the next write is an error, and every record is written back to the path", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, ".twin", "twin.db");
    const store: Store = await openStore(path);
    await store.putStudy({ name: "s", specHash: "spec", spec: {} });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await store.submitRun(runInput(i))).run.id);
    rmSync(join(dir, ".twin"), { recursive: true, force: true });
    await assert.rejects(store.submitRun(runInput(5)), (e: Error) => {
      assert.ok(e instanceof StoreVanishedError, e.message);
      assert.match(e.message, /was deleted while this command had it open.*written back to .*twin\.db; run the same command again/);
      return true;
    });
    await assert.rejects(store.claimRun(ids[0]!, "w"), StoreVanishedError, "every later write is refused too");
    await store.close();
    const back = await openStore(path, { existing: true });
    try {
      assert.deepEqual((await back.listRuns({ study: "s" })).map((r) => r.id).sort(), [...ids].sort());
    } finally {
      await back.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the store replaced by another file while open: the records go beside it, named in the error; closing checks too", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "twin.db");
    const store = await openStore(path);
    await store.putStudy({ name: "s", specHash: "spec", spec: {} });
    const { run } = await store.submitRun(runInput(1));
    deleteStore(path);
    await (await openStore(path)).close(); // someone starts a new store there
    let saved = "";
    await assert.rejects(store.close(), (e: Error) => {
      assert.ok(e instanceof StoreVanishedError, e.message);
      assert.match(e.message, /was replaced while this command had it open.*saved to .*twin\.db\.recovered-\d+; move it to/);
      saved = e.savedTo!;
      return true;
    });
    const recovered = await openStore(saved, { existing: true });
    try {
      assert.equal((await recovered.getRun(run.id)).id, run.id);
    } finally {
      await recovered.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the CLI: twin runs / diff --store at an empty .csv or a missing path fail and create nothing", () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, "results.csv"), "");
    // Named on the command line, a path that is not a store is a wrong command line (exit 2).
    const r = twin(dir, ["runs", "--store", "results.csv"], 60_000);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot open the store at .*results\.csv: the file is empty, not a database/);
    const d = twin(dir, ["diff", "a", "b", "--store", "nothing/here.db"], 60_000);
    assert.equal(d.status, 2, d.stderr);
    assert.match(d.stderr, /no twin store at .*nothing\/here\.db \(the file does not exist\)/);
    assert.deepEqual(readdirSync(dir), ["results.csv"]);
    assert.equal(statSync(join(dir, "results.csv")).size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store named as the dashboard's index (twin serve --index .twin/twin.db) is left as it is: the index dropped its runs table to make its own", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "twin.db");
    const ids = await filled(path, 3);
    assert.throws(() => new LogIndex(path), /twin\.db is a SQLite database with tables of its own \(.*studies.*: a twin store\?\), not a dashboard index; twin leaves it as it is/);
    const store = await openStore(path, { existing: true });
    try {
      assert.deepEqual((await store.listRuns({ study: "s" })).map((r) => r.id).sort(), [...ids].sort());
    } finally {
      await store.close();
    }
    // A file that is not SQLite named with --index: refused before the index sets it aside (it was renamed *.damaged-<time>).
    writeFileSync(join(dir, "results.csv"), "variant,seed,acc\na,0,0.5\n");
    const r = twin(dir, ["serve", "--index", "results.csv", "--port", "0"], 60_000);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^twin: --index results\.csv: the file is not a dashboard index \(not a SQLite database\)/);
    assert.equal(readFileSync(join(dir, "results.csv"), "utf8"), "variant,seed,acc\na,0,0.5\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
