/** Opening a store from a URL (or none: the project's SQLite file). */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PgDriver, SqliteDriver, type Driver } from "./driver.ts";
import { describeError, maskUrl, StoreError, StoreUnreachableError } from "./errors.ts";
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
}

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

async function openSqlite(path: string, options: OpenStoreOptions, now: () => number): Promise<Store> {
  let driver: SqliteDriver | undefined;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    driver = new SqliteDriver(path, { busyTimeoutMs: options.busyTimeoutMs });
    await migrate(driver, now);
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
