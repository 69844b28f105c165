/**
 * The thin layer under the store: run SQL written once (with `?` placeholders)
 * on SQLite (better-sqlite3, synchronous; here) or PostgreSQL (pg, a pool of
 * connections; pg-driver.ts, loaded only when a PostgreSQL store is opened),
 * with transactions and a bulk insert. Dialect differences live in these two
 * files and in migrations.ts, each spelled out where it occurs.
 */
import type Database from "better-sqlite3";
import { openSqlite } from "./sqlite-module.ts";
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { StoreDamagedError, StoreReadOnlyError, StoreVanishedError } from "./errors.ts";
import type { StoreKind } from "./types.ts";

export type Row = Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  /** Rows changed by INSERT/UPDATE/DELETE (rows returned for a RETURNING statement). */
  changes: number;
}

export interface BulkColumn {
  name: string;
  /** The PostgreSQL array element type used with unnest: text, bigint, float8. */
  pgType: "text" | "bigint" | "float8";
}

export interface BulkSpec {
  table: string;
  columns: readonly BulkColumn[];
  /** What follows ON CONFLICT, e.g. "(run_id, step) DO UPDATE SET checksum = excluded.checksum". */
  onConflict: string;
}

export interface Driver {
  readonly dialect: StoreKind;
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Inserts many rows. Atomic: all rows or none (it runs in the caller's
   * transaction, or in its own).
   */
  insertMany(spec: BulkSpec, rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Runs fn in one transaction; nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** INSERT of the given columns with its ON CONFLICT clause; `values` is the dialect's VALUES or SELECT part. */
export function bulkSql(spec: BulkSpec, values: string): string {
  const cols = spec.columns.map((c) => c.name).join(", ");
  return `INSERT INTO ${spec.table} (${cols}) ${values} ON CONFLICT ${spec.onConflict}`;
}

// ------------------------------------------------------------------ SQLite

/** Marks a copy written back by rescueDeleted, with the identity of the file it replaces. */
const RESCUE_TABLE = "twin_rescued_from";

function fileIdentity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** True when the SQLite file at path is a copy another twin process already wrote back for the file `identity`. */
function rescuedCopyOf(path: string, identity: string): boolean {
  try {
    const other = openSqlite(path, { readonly: true, fileMustExist: true });
    try {
      const has = other.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(RESCUE_TABLE);
      return has !== undefined && other.prepare(`SELECT 1 FROM ${RESCUE_TABLE} WHERE identity = ?`).get(identity) !== undefined;
    } finally {
      other.close();
    }
  } catch {
    return false;
  }
}

/** Turns SQLite's own errors about the file into errors that name it and say what to do. */
function fileError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string") return err;
  const message = (err as Error).message;
  if (code.startsWith("SQLITE_READONLY")) return new StoreReadOnlyError(path, message, { cause: err });
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return new StoreDamagedError(path, message, { cause: err });
  return err;
}

/** SQLite through better-sqlite3: one connection, WAL journal, foreign keys on. */
export class SqliteDriver implements Driver {
  readonly dialect = "sqlite" as const;
  readonly db: Database.Database;
  readonly path: string;
  readonly #statements = new Map<string, Database.Statement>();
  /** Set while a transaction is open: other callers wait for it. */
  #open: Promise<void> | null = null;
  /** Device and inode of the file as opened: a different one (or none) means it was deleted or replaced. */
  readonly #identity: string | undefined;
  #vanished: StoreVanishedError | undefined;

  constructor(path: string, options: { busyTimeoutMs?: number; readonly?: boolean } = {}) {
    this.path = path;
    try {
      this.db = openSqlite(path, { timeout: options.busyTimeoutMs ?? 15_000, readonly: options.readonly ?? false });
      // Dialect: SQLite needs these per connection. WAL lets readers (twin runs,
      // twin diff) work while a study writes. synchronous=NORMAL in WAL mode
      // syncs at checkpoints, not at every commit: SQLite documents it as safe
      // from corruption, and a commit survives any crash of the process (kill -9
      // included: it is in the WAL file); only a power loss or an OS crash may
      // roll back the last commits. FULL cost an fsync per run state change.
      if (path !== ":memory:" && !options.readonly) this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("foreign_keys = ON");
    } catch (err) {
      throw fileError(path, err);
    }
    this.#identity = path === ":memory:" ? undefined : fileIdentity(path);
  }

  /**
   * Throws StoreVanishedError when the file was deleted or replaced since it
   * was opened: writes would go to a file nobody can open again. Before
   * throwing, every record this connection still sees is written back to the
   * path (or beside it when another file took its place), so nothing is lost.
   * Called outside transactions (VACUUM INTO cannot run inside one).
   */
  checkPresent(): void {
    if (this.#vanished) throw this.#vanished;
    if (this.#identity === undefined || fileIdentity(this.path) === this.#identity) return;
    this.#vanished = this.#rescue();
    throw this.#vanished;
  }

  #rescue(): StoreVanishedError {
    const identity = this.#identity!;
    const replaced = existsSync(this.path);
    if (replaced && rescuedCopyOf(this.path, identity)) return new StoreVanishedError(this.path, "deleted", this.path);
    const tmp = `${this.path}.rescue-${process.pid}`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      rmSync(tmp, { force: true });
      this.db.prepare("VACUUM INTO ?").run(tmp);
      const copy = openSqlite(tmp);
      try {
        copy.exec(`CREATE TABLE IF NOT EXISTS ${RESCUE_TABLE} (identity TEXT PRIMARY KEY, at BIGINT NOT NULL)`);
        copy.prepare(`INSERT OR IGNORE INTO ${RESCUE_TABLE} (identity, at) VALUES (?, ?)`).run(identity, Date.now());
      } finally {
        copy.close();
      }
      if (!replaced) {
        try {
          linkSync(tmp, this.path); // never overwrites: another process may have put a file there meanwhile
          rmSync(tmp, { force: true });
          return new StoreVanishedError(this.path, "deleted", this.path);
        } catch {
          if (rescuedCopyOf(this.path, identity)) {
            rmSync(tmp, { force: true });
            return new StoreVanishedError(this.path, "deleted", this.path);
          }
        }
      }
      const aside = `${this.path}.recovered-${Date.now()}`;
      renameSync(tmp, aside);
      return new StoreVanishedError(this.path, replaced ? "replaced" : "deleted", aside);
    } catch (err) {
      rmSync(tmp, { force: true });
      return new StoreVanishedError(this.path, replaced ? "replaced" : "deleted", undefined, (err as Error).message);
    }
  }

  statement(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      try {
        st = this.db.prepare(sql);
      } catch (err) {
        throw fileError(this.path, err);
      }
      this.#statements.set(sql, st);
    }
    return st;
  }

  /** Synchronous query on the connection (callers make sure no foreign transaction is open). */
  run<T>(sql: string, params: readonly unknown[] = []): QueryResult<T> {
    try {
      const st = this.statement(sql);
      const args = params.map(sqliteValue);
      if (st.reader) {
        const rows = st.all(...args) as T[];
        return { rows, changes: rows.length };
      }
      const info = st.run(...args);
      return { rows: [], changes: info.changes };
    } catch (err) {
      throw fileError(this.path, err);
    }
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    // The check and the statement run with no await in between, so the
    // statement can never land inside another caller's open transaction.
    while (this.#open) await this.#open;
    if (!this.statement(sql).reader) this.checkPresent();
    return this.run<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    while (this.#open) await this.#open;
    this.checkPresent();
    try {
      this.db.exec(sql);
    } catch (err) {
      throw fileError(this.path, err);
    }
  }

  insertManySync(spec: BulkSpec, rows: readonly (readonly unknown[])[]): void {
    const marks = spec.columns.map(() => "?").join(", ");
    const st = this.statement(bulkSql(spec, `VALUES (${marks})`));
    for (const row of rows) st.run(...row.map(sqliteValue));
  }

  async insertMany(spec: BulkSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
    await this.transaction(async () => this.insertManySync(spec, rows));
  }

  async transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    while (this.#open) await this.#open;
    let done!: () => void;
    this.#open = new Promise<void>((resolve) => (done = resolve));
    try {
      this.checkPresent();
      // Dialect: IMMEDIATE takes the write lock up front, so two processes never
      // deadlock upgrading read locks; others wait up to busy_timeout.
      try {
        this.db.exec("BEGIN IMMEDIATE");
      } catch (err) {
        throw fileError(this.path, err);
      }
      try {
        const result = await fn(new SqliteTx(this));
        this.db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw err;
      }
    } finally {
      this.#open = null;
      done();
    }
  }

  /** Closes the connection; a file deleted since the last write is written back first, and reported. */
  async close(): Promise<void> {
    while (this.#open) await this.#open;
    try {
      if (this.db.open && !this.#vanished) this.checkPresent();
    } finally {
      this.#statements.clear();
      if (this.db.open) this.db.close();
    }
  }
}

/** The driver as seen inside a SQLite transaction. */
class SqliteTx implements Driver {
  readonly dialect = "sqlite" as const;
  readonly #d: SqliteDriver;
  constructor(d: SqliteDriver) {
    this.#d = d;
  }
  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    return this.#d.run<T>(sql, params);
  }
  async exec(sql: string): Promise<void> {
    try {
      this.#d.db.exec(sql);
    } catch (err) {
      throw fileError(this.#d.path, err);
    }
  }
  async insertMany(spec: BulkSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
    this.#d.insertManySync(spec, rows);
  }
  async transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {
    throw new Error("close() inside a transaction");
  }
}

function sqliteValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}
