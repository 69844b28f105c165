/** Errors of the store, each saying what went wrong and what to do. */

export class StoreError extends Error {
  override name = "StoreError";
}

/** A read-only command named a store file that does not exist (`input`: its path). */
export class MissingStoreError extends StoreError {
  override name = "MissingStoreError";
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnknownRunError extends StoreError {
  override name = "UnknownRunError";
  readonly runId: string;
  constructor(runId: string, location?: string) {
    super(
      `unknown run '${runId}'${location ? ` in the store at ${location}` : ""}; ` +
        "list the stored runs with `twin runs` (add --study S to narrow them down)",
    );
    this.runId = runId;
  }
}

export class StoreUnreachableError extends StoreError {
  override name = "StoreUnreachableError";
  readonly url: string;
  constructor(url: string, reason: string, advice: string, options?: { cause?: unknown }) {
    super(`cannot open the store at ${url}: ${reason}. ${advice}`, options);
    this.url = url;
  }
}

/** A store path (`input`) that names something else: a folder, an empty file, a file that is not SQLite. */
export class NotAStoreFileError extends StoreUnreachableError {
  override name = "NotAStoreFileError";
  constructor(
    readonly input: string,
    reason: string,
    advice: string,
  ) {
    super(input, reason, advice);
  }
}

/** The URL with its password (if any) replaced by ***. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
  }
}

/** A short description of a driver error: code and message. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const msg = err.message || String(code ?? err.name);
    return typeof code === "string" && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return String(err);
}

/** Where a damaged SQLite store can be salvaged from. */
function salvageAdvice(path: string): string {
  return `Restore it from a backup, or salvage what is readable: sqlite3 ${path} .recover | sqlite3 recovered.db, then pass --store recovered.db`;
}

/** The store's file is damaged (PRAGMA quick_check failed, or SQLite met corruption while reading). */
export class StoreDamagedError extends StoreError {
  override name = "StoreDamagedError";
  readonly path: string;
  constructor(path: string, damage: string, options?: { cause?: unknown }) {
    super(`the store at ${path} is damaged: ${damage}. Nothing was written to it. ${salvageAdvice(path)}`, options);
    this.path = path;
  }
}

/** A row whose stored JSON no longer parses: names the table, the row and the column. */
export class DamagedRowError extends StoreError {
  override name = "DamagedRowError";
  constructor(location: string, table: string, row: string, column: string, reason: string) {
    super(
      `the store at ${location} is damaged: table ${table}, row ${row}, column ${column} ${reason}. ` +
        "Check the whole file with `sqlite3 <file> 'PRAGMA integrity_check'`; restore it from a backup, or delete that row's run and run the study again",
    );
  }
}

/** The store's file can be read but not written. */
export class StoreReadOnlyError extends StoreError {
  override name = "StoreReadOnlyError";
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(
      `the store at ${path} is read-only (${reason}): make the file, its -wal/-shm files and its folder writable, ` +
        "or pass a writable location with --store",
      options,
    );
  }
}

/** The store's file was deleted or replaced while twin had it open. */
export class StoreVanishedError extends StoreError {
  override name = "StoreVanishedError";
  readonly savedTo: string | undefined;
  constructor(path: string, what: "deleted" | "replaced", savedTo: string | undefined, reason?: string) {
    super(
      `the store at ${path} was ${what} while this command had it open, so nothing more is recorded and this command stops. ` +
        (savedTo === undefined
          ? `Its records could not be saved (${reason ?? "unknown reason"}).`
          : savedTo === path
            ? `Every record it held, up to this moment, was written back to ${path}; run the same command again to continue.`
            : `Every record it held, up to this moment, was saved to ${savedTo}; move it to ${path} (or pass --store ${savedTo}) and run the same command again to continue.`),
    );
    this.savedTo = savedTo;
  }
}
