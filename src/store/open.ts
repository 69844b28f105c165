/** Opening a store from a URL (or none: the project's SQLite file). */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SqliteDriver, type Driver } from "./driver.ts";
import { describeError, maskUrl, MissingStoreError, NotAStoreFileError, StoreDamagedError, StoreError, StoreUnreachableError } from "./errors.ts";
import { migrate } from "./migrations.ts";
import { SqlStore } from "./sql-store.ts";
import type { Store } from "./types.ts";

export interface OpenStoreOptions {
  /** The project folder; the default store is <cwd>/.twin/twin.db. */
  cwd?: string;
  /** Clock in epoch milliseconds (tests). */
  now?: () => number;
  /** PostgreSQL: give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 10). */
  maxConnections?: number;
  /** SQLite: wait this long for another process's write lock (default 15 s). */
  busyTimeoutMs?: number;
  /**
   * Only open a store that exists (commands that read: runs, diff, verify,
   * report): a missing file, or one that is not a twin store, is an error and
   * no database is ever created at that path.
   */
  existing?: boolean;
  /** SQLite: open read-only (no migrations; a write is an error naming the file). */
  readOnly?: boolean;
  /** SQLite: files up to this size get a whole PRAGMA quick_check on open, larger ones a check of the tables of record (default 64 MiB). */
  quickCheckMaxBytes?: number;
}

/**
 * Files up to this size get a whole PRAGMA quick_check on open (measured:
 * 1.4 s for 114 MiB on a loaded 2-core machine); larger ones have the tables
 * of record (runs, studies, variants, fingerprints, checkpoints, migrations)
 * checked, not the bulk tables of per-step metrics and checksums.
 */
const QUICK_CHECK_MAX_BYTES = 64 << 20;
const RECORD_TABLES = ["schema_migrations", "studies", "variants", "runs", "fingerprints", "checkpoints"];
const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** The default SQLite store of a project folder. */
export function defaultStorePath(cwd: string = process.cwd()): string {
  return join(resolve(cwd), ".twin", "twin.db");
}

const SUPPORTED =
  "use postgres://user:password@host:port/database, sqlite:<path>, a path to a SQLite file, " +
  "or no --store at all for the project's .twin/twin.db";

/**
 * Opens (and if needed creates and migrates) a store:
 *  - undefined or ""             → SQLite at <cwd>/.twin/twin.db
 *  - postgres://… postgresql://… → PostgreSQL
 *  - sqlite:<path>, sqlite://<path>, or a plain path → SQLite file (relative to cwd)
 */
export async function openStore(url: string | undefined, options: OpenStoreOptions = {}): Promise<Store> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const now = options.now ?? Date.now;
  const spec = (url ?? "").trim();

  if (/^postgres(ql)?:\/\//i.test(spec)) return openPostgres(spec, options, now);

  let path: string;
  if (spec === "") path = defaultStorePath(cwd);
  else if (/^sqlite:/i.test(spec)) path = spec.replace(/^sqlite:(\/\/)?/i, "");
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new StoreError(`unsupported store URL '${maskUrl(spec)}': ${SUPPORTED}`);
  } else path = spec;
  if (path !== ":memory:") path = resolve(cwd, path);
  return openSqlite(path, options, now);
}

/**
 * What is at a SQLite store path before it is opened: nothing (a store may be
 * created there), or a file that must be a SQLite database. Never turns
 * another file (an empty .csv, a device) into a store.
 */
function checkStoreFile(path: string, existing: boolean): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      if (!existing) return;
      throw new MissingStoreError(
        path,
        `no twin store at ${path} (the file does not exist); this command only reads a store, so none is created: ` +
          "run a study first (twin compare/seeds record into .twin/twin.db), or pass the store's location with --store",
      );
    }
    throw new StoreUnreachableError(path, describeError(err), "Check the path and its permissions, or pass another location with --store", { cause: err });
  }
  try {
    const st = fstatSync(fd);
    const advice = "twin leaves it as it is; pass a twin store's file with --store (the default is .twin/twin.db), or a path where none exists yet to start one";
    if (!st.isFile()) throw new NotAStoreFileError(path, "it is not a regular file, so it is not a database", advice);
    if (st.size === 0 && existing) throw new NotAStoreFileError(path, "the file is empty, not a database", advice);
    if (st.size === 0) return;
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < head.length || !head.equals(SQLITE_HEADER)) {
      throw new NotAStoreFileError(path, "the file is not a database (its first bytes are not SQLite's header)", advice);
    }
  } finally {
    closeSync(fd);
  }
}

/** PRAGMA quick_check of the whole file (up to QUICK_CHECK_MAX_BYTES) or of its tables of record: a damaged file is an error naming it. */
function checkIntegrity(driver: SqliteDriver, wholeUpTo = QUICK_CHECK_MAX_BYTES): void {
  const size = driver.path === ":memory:" ? 0 : statSync(driver.path).size;
  let lines: string[];
  if (size <= wholeUpTo) {
    lines = driver.run<{ quick_check: string }>("PRAGMA quick_check").rows.map((r) => r.quick_check);
  } else {
    const present = new Set(driver.run<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").rows.map((r) => r.name));
    lines = RECORD_TABLES.filter((t) => present.has(t)).flatMap((t) => driver.run<{ quick_check: string }>(`PRAGMA quick_check(${t})`).rows.map((r) => r.quick_check));
  }
  const problems = lines.filter((line) => line !== "ok");
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join("; ") + (problems.length > 3 ? `; and ${problems.length - 3} more` : "");
    throw new StoreDamagedError(driver.path, `PRAGMA quick_check found ${problems.length} problem(s): ${shown}`);
  }
}

/** A store opened with `existing` must be twin's: a SQLite database with twin's migrations table. */
function checkTwinSchema(driver: SqliteDriver): void {
  const { rows } = driver.run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (rows.length === 0) {
    throw new StoreError(`${driver.path} is a SQLite database but not a twin store (it has no twin tables); pass the store's file with --store (the default is .twin/twin.db)`);
  }
}

async function openSqlite(path: string, options: OpenStoreOptions, now: () => number): Promise<Store> {
  let driver: SqliteDriver | undefined;
  try {
    if (path !== ":memory:") {
      checkStoreFile(path, options.existing ?? false);
      mkdirSync(dirname(path), { recursive: true });
    }
    driver = new SqliteDriver(path, { busyTimeoutMs: options.busyTimeoutMs, readonly: options.readOnly });
    checkIntegrity(driver, options.quickCheckMaxBytes);
    if (options.existing) checkTwinSchema(driver);
    if (!options.readOnly) await migrate(driver, now);
  } catch (err) {
    await driver?.close().catch(() => {});
    if (err instanceof StoreError) throw err;
    throw new StoreUnreachableError(
      path,
      describeError(err),
      "Check that the folder exists and is writable and that the file is a twin store (a SQLite database), " +
        "or pass another location with --store",
      { cause: err },
    );
  }
  return new SqlStore(driver, path, now);
}

async function openPostgres(url: string, options: OpenStoreOptions, now: () => number): Promise<Store> {
  const shown = maskUrl(url);
  let driver: Driver | undefined;
  try {
    const { PgDriver } = await import("./pg-driver.ts");
    driver = new PgDriver(url, { connectTimeoutMs: options.connectTimeoutMs, maxConnections: options.maxConnections });
    await migrate(driver, now);
  } catch (err) {
    await driver?.close().catch(() => {});
    if (err instanceof StoreError) throw err;
    const code = (err as { code?: string }).code;
    const advice =
      code === "28P01" || code === "28000"
        ? "Check the user name and password in the URL"
        : code === "3D000"
          ? "Create the database first (createdb), or name an existing one in the URL"
          : "Check that the PostgreSQL server is running and reachable at that host and port " +
            "(scripts/services.sh start postgres starts a local one), or leave out --store to use the project's SQLite store (.twin/twin.db)";
    throw new StoreUnreachableError(shown, scrub(describeError(err), url), advice, { cause: err });
  }
  return new SqlStore(driver, shown, now);
}

/** Driver messages must not leak the password either. */
function scrub(message: string, url: string): string {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? message.split(password).join("***") : message;
  } catch {
    return message;
  }
}
