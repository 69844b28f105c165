/** The store on SQLite: the shared suite, WAL, the default location, several processes at once. */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { openStore, StoreError, StoreUnreachableError, type Store } from "../../src/store/index.ts";
import { removeTempDirs, runClaimWorker as runWorker, tempDir } from "./helpers.ts";
import { storeSuite } from "./suite.ts";

after(removeTempDirs);

describe("store on SQLite", () => {
  storeSuite({ fresh: async () => ({ url: undefined, cwd: tempDir() }) });
});

describe("SQLite specifics", () => {
  it("keeps the store in <project>/.twin/twin.db in WAL mode", async () => {
    const cwd = tempDir();
    const store = await openStore(undefined, { cwd });
    try {
      assert.equal(store.kind, "sqlite");
      assert.equal(store.location, join(cwd, ".twin", "twin.db"));
      assert.ok(existsSync(join(cwd, ".twin", "twin.db")));
      const db = new Database(store.location, { readonly: true });
      try {
        assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
    // sqlite:<path> and plain paths, relative to the project folder.
    for (const url of ["sqlite:other.db", "sqlite://nested/third.db", "fourth.db"]) {
      const s = await openStore(url, { cwd });
      assert.equal(s.location, join(cwd, url.replace(/^sqlite:(\/\/)?/, "")));
      await s.close();
    }
  });

  it("several processes claiming at once: every run is claimed exactly once", async () => {
    const cwd = tempDir();
    let store: Store = await openStore(undefined, { cwd });
    const ids: string[] = [];
    try {
      await store.putStudy({ name: "race", specHash: "h" });
      for (let seed = 0; seed < 60; seed++) {
        ids.push((await store.submitRun({ study: "race", variants: "A", specHash: "h", rootSeed: seed, seeds: { init: seed } })).run.id);
      }
    } finally {
      await store.close();
    }
    const byNext = await Promise.all([1, 2, 3, 4].map((w) => runWorker(["", cwd, `w${w}`, "next", "race"])));
    const all = byNext.flat();
    assert.equal(all.length, 60);
    assert.equal(new Set(all).size, 60);

    store = await openStore(undefined, { cwd });
    try {
      assert.equal((await store.requeueStale(60_000, { study: "race" })).requeued.length, 0); // heartbeats are recent
      await new Promise((r) => setTimeout(r, 5));
      assert.equal((await store.requeueStale(0)).requeued.length, 60);
    } finally {
      await store.close();
    }
    const byId = await Promise.all([1, 2, 3].map((w) => runWorker(["", cwd, `v${w}`, "ids", ids.join(",")])));
    assert.equal(byId.flat().length, 60);
    assert.equal(new Set(byId.flat()).size, 60);
  });

  it("says clearly when the file cannot be a store", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "notes.txt"), "this is not a database, just some text that is long enough".repeat(20));
    await assert.rejects(openStore("notes.txt", { cwd }), (err: unknown) => {
      assert.ok(err instanceof StoreUnreachableError);
      assert.match(err.message, /cannot open the store at .*notes\.txt: .*not a database.*twin store/);
      return true;
    });
    writeFileSync(join(cwd, "file"), "x");
    await assert.rejects(openStore("file/inside/twin.db", { cwd }), /cannot open the store at .*file\/inside\/twin\.db: .*(ENOTDIR|not a directory)/);
    await assert.rejects(openStore("mysql://root:hunter2@db/x", { cwd }), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.match(err.message, /unsupported store URL 'mysql:\/\/root:\*\*\*@db\/x': use postgres:\/\//);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});
