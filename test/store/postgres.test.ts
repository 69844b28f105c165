/**
 * The store on a real PostgreSQL server, started on 127.0.0.1 by
 * scripts/services.sh for this file and stopped at the end. Never skipped:
 * without a server these tests fail.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openStore, StoreUnreachableError, type Store } from "../../src/store/index.ts";
import { freshDatabase, removeTempDirs, runClaimWorker, startPostgres, stopPostgres, tempDir } from "./helpers.ts";
import { storeSuite } from "./suite.ts";

let server = "";

before(() => {
  server = startPostgres();
});

after(() => {
  if (server) stopPostgres(server);
  removeTempDirs();
});

describe("store on PostgreSQL", () => {
  storeSuite({ fresh: async () => ({ url: await freshDatabase(server), cwd: tempDir() }) });
});

describe("PostgreSQL specifics", () => {
  it("reports its location with the password masked", async () => {
    const url = await freshDatabase(server);
    const u = new URL(url);
    u.password = "s3cret"; // trust authentication ignores it
    const store = await openStore(u.toString(), { cwd: tempDir() });
    try {
      assert.equal(store.kind, "postgres");
      assert.equal(store.location, url.replace("twin@", "twin:***@"));
    } finally {
      await store.close();
    }
  });

  it("several processes claiming at once: every run is claimed exactly once", async () => {
    const url = await freshDatabase(server);
    const cwd = tempDir();
    const store: Store = await openStore(url, { cwd });
    const ids: string[] = [];
    try {
      await store.putStudy({ name: "race", specHash: "h" });
      for (let seed = 0; seed < 60; seed++) {
        ids.push((await store.submitRun({ study: "race", variants: "A", specHash: "h", rootSeed: seed, seeds: { init: seed } })).run.id);
      }
    } finally {
      await store.close();
    }
    const byNext = (await Promise.all([1, 2, 3, 4].map((w) => runClaimWorker([url, cwd, `w${w}`, "next", "race"])))).flat();
    assert.equal(byNext.length, 60);
    assert.equal(new Set(byNext).size, 60);
  });

  it("an unreachable server gives an error naming the URL (password masked) and what to do", async () => {
    // A port nobody listens on: the server stopped (or never started).
    const dead = new URL(server);
    dead.port = "1";
    dead.password = "hunter2";
    await assert.rejects(openStore(dead.toString(), { cwd: tempDir() }), (err: unknown) => {
      assert.ok(err instanceof StoreUnreachableError, String(err));
      assert.match(err.message, /^cannot open the store at postgres:\/\/twin:\*\*\*@127\.0\.0\.1:1\/twin: .*ECONNREFUSED/);
      assert.match(err.message, /Check that the PostgreSQL server is running.*scripts\/services\.sh start postgres.*\.twin\/twin\.db/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
    // A host that does not resolve.
    await assert.rejects(openStore("postgres://u:pw@no-such-host.invalid:5432/x", { cwd: tempDir() }), (err: unknown) => {
      assert.ok(err instanceof StoreUnreachableError, String(err));
      assert.match(err.message, /postgres:\/\/u:\*\*\*@no-such-host\.invalid:5432\/x: .*ENOTFOUND/);
      return true;
    });
    // A database that does not exist.
    const missing = new URL(server);
    missing.pathname = "/no_such_db";
    await assert.rejects(openStore(missing.toString(), { cwd: tempDir() }), /database "no_such_db" does not exist.*Create the database first/);
  });

  it("a server that goes away mid-study fails the write and keeps what was stored", async () => {
    const url = await freshDatabase(server);
    const store = await openStore(url, { cwd: tempDir() });
    try {
      await store.putStudy({ name: "s", specHash: "h" });
      const run = (await store.submitRun({ study: "s", variants: "A", specHash: "h", rootSeed: 1, seeds: {} })).run.id;
      await store.addMetrics([{ runId: run, variant: "A", step: 0, name: "loss", value: 1 }]);
      // Kill this store's connections from another session, then write again: the pool reconnects.
      const admin = await openStore(url, { cwd: tempDir() });
      await (admin as unknown as { driver: { query(sql: string): Promise<unknown> } }).driver.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      await admin.close();
      await new Promise((r) => setTimeout(r, 100));
      let wrote = false;
      for (let attempt = 0; attempt < 5 && !wrote; attempt++) {
        try {
          await store.addMetrics([{ runId: run, variant: "A", step: 1, name: "loss", value: 0.5 }]);
          wrote = true;
        } catch {
          // a terminated connection fails its statement; the next one reconnects
        }
      }
      assert.ok(wrote);
      assert.deepEqual((await store.metrics({ runId: run })).map((m) => m.value), [1, 0.5]);
    } finally {
      await store.close();
    }
  });
});
