/**
 * The store's schema, as numbered migrations shared by SQLite and PostgreSQL.
 * Each migration is applied once, inside a transaction together with its row
 * in schema_migrations, so a store is always at a whole version.
 *
 * The SQL is written once. Dialect differences are spelled out through `t`:
 * floating point is REAL on SQLite and DOUBLE PRECISION on PostgreSQL; BIGINT
 * gets INTEGER affinity on SQLite (64-bit either way). JSON is kept as TEXT on
 * both, byte for byte as written.
 */
import type { Driver } from "./driver.ts";
import { StoreError } from "./errors.ts";
import type { StoreKind } from "./types.ts";

export interface Migration {
  version: number;
  name: string;
  statements(dialect: StoreKind): string[];
}

function types(dialect: StoreKind) {
  return {
    int: "BIGINT",
    float: dialect === "sqlite" ? "REAL" : "DOUBLE PRECISION",
    text: "TEXT",
  };
}

/**
 * CREATE TABLE of a table of one run's records: keyed by run_id first, its
 * rows deleted with their run. (The layout of the statement is the one
 * version 1 was first written with, so new stores' schemas read the same.)
 */
function perRunTable(name: string, columns: readonly string[], key: readonly string[]): string {
  return `CREATE TABLE ${name} (
          run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          ${columns.join(",\n          ")},
          PRIMARY KEY (run_id, ${key.join(", ")})
        )`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "studies, runs, measurements, fingerprints",
    statements(dialect) {
      const t = types(dialect);
      return [
        `CREATE TABLE fingerprints (
          hash ${t.text} PRIMARY KEY,
          json ${t.text} NOT NULL,
          created_at ${t.int} NOT NULL
        )`,
        `CREATE TABLE studies (
          name ${t.text} PRIMARY KEY,
          spec_hash ${t.text} NOT NULL,
          fingerprint_hash ${t.text} REFERENCES fingerprints (hash),
          spec_json ${t.text},
          created_at ${t.int} NOT NULL
        )`,
        `CREATE TABLE variants (
          study ${t.text} NOT NULL REFERENCES studies (name) ON DELETE CASCADE,
          name ${t.text} NOT NULL,
          position ${t.int} NOT NULL,
          config_json ${t.text},
          PRIMARY KEY (study, name)
        )`,
        `CREATE TABLE runs (
          id ${t.text} PRIMARY KEY,
          study ${t.text} NOT NULL REFERENCES studies (name),
          variants_json ${t.text} NOT NULL,
          spec_hash ${t.text} NOT NULL,
          root_seed ${t.text} NOT NULL,
          seeds_json ${t.text} NOT NULL,
          seeds_key ${t.text} NOT NULL,
          config_json ${t.text},
          fingerprint_hash ${t.text} REFERENCES fingerprints (hash),
          status ${t.text} NOT NULL DEFAULT 'queued'
            CHECK (status IN ('queued', 'running', 'finished', 'failed', 'diverged')),
          attempts ${t.int} NOT NULL DEFAULT 0,
          worker ${t.text},
          queued_at ${t.int} NOT NULL,
          started_at ${t.int},
          finished_at ${t.int},
          heartbeat_at ${t.int},
          error ${t.text},
          UNIQUE (study, spec_hash, variants_json, seeds_key)
        )`,
        `CREATE INDEX runs_by_study_status ON runs (study, status)`,
        `CREATE INDEX runs_by_status_heartbeat ON runs (status, heartbeat_at)`,
        perRunTable("metrics", [`variant ${t.text} NOT NULL`, `name ${t.text} NOT NULL`, `step ${t.int} NOT NULL`, `value ${t.float}`], ["variant", "name", "step"]),
        perRunTable(
          "control_sums",
          [`step ${t.int} NOT NULL`, `stream ${t.text} NOT NULL`, `draws ${t.int} NOT NULL`, `state_hash ${t.text} NOT NULL`, `chain ${t.text} NOT NULL`],
          ["step", "stream"],
        ),
        perRunTable("batch_checksums", [`step ${t.int} NOT NULL`, `checksum ${t.text} NOT NULL`], ["step"]),
        perRunTable(
          "artifacts",
          [`kind ${t.text} NOT NULL`, `path ${t.text} NOT NULL`, `sha256 ${t.text} NOT NULL`, `bytes ${t.int} NOT NULL`, `created_at ${t.int} NOT NULL`],
          ["kind", "path"],
        ),
        perRunTable("checkpoints", [`step ${t.int} NOT NULL`, `path ${t.text} NOT NULL`, `sha256 ${t.text}`, `created_at ${t.int} NOT NULL`], ["step"]),
      ];
    },
  },
  {
    version: 2,
    name: "per-example predictions of every run (validation and test)",
    statements(dialect) {
      const t = types(dialect);
      const blob = dialect === "sqlite" ? "BLOB" : "BYTEA";
      return [
        `CREATE TABLE predictions (
          run_id ${t.text} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          variant ${t.text} NOT NULL,
          split ${t.text} NOT NULL,
          examples ${t.int} NOT NULL,
          classes ${t.int} NOT NULL,
          encoding ${t.text} NOT NULL,
          probabilities ${blob} NOT NULL,
          labels_encoding ${t.text} NOT NULL,
          labels ${blob} NOT NULL,
          PRIMARY KEY (run_id, variant, split)
        )`,
      ];
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Arbitrary constant key of the PostgreSQL advisory lock that serializes migrations. */
const PG_MIGRATION_LOCK = "7368236412503410943";

/** Applies the migrations the store lacks; returns the versions applied now. */
export async function migrate(driver: Driver, now: () => number = Date.now): Promise<number[]> {
  return driver.transaction(async (tx) => {
    // Dialect: PostgreSQL transactions of two processes opening the store at
    // once would race on CREATE TABLE; an advisory lock held until commit
    // serializes them. SQLite's BEGIN IMMEDIATE already did.
    if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(?::bigint)", [PG_MIGRATION_LOCK]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version BIGINT PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`,
    );
    const { rows } = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new StoreError(
        `the store's schema is at version ${newest}, newer than this twin knows (${SCHEMA_VERSION}); ` +
          "upgrade twin before using this store",
      );
    }
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const sql of m.statements(tx.dialect)) await tx.exec(sql);
      await tx.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        m.version,
        m.name,
        now(),
      ]);
      done.push(m.version);
    }
    return done;
  });
}
