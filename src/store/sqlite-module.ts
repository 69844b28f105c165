/**
 * better-sqlite3, loaded on first use: its native addon costs ~20 ms at
 * start-up, and commands that never open a SQLite file (`twin report` of a log
 * folder, `twin stats`) should not pay it. A CommonJS package, so `require`
 * loads it synchronously where it is first needed.
 */
import { createRequire } from "node:module";
import type Database from "better-sqlite3";

const require = createRequire(import.meta.url);
let loaded: typeof Database | undefined;

/** Opens a SQLite database with better-sqlite3 (`new Database(file, options)`), loading the package on the first call. */
export function openSqlite(file: string, options?: Database.Options): Database.Database {
  loaded ??= require("better-sqlite3") as typeof Database;
  return new loaded(file, options);
}
