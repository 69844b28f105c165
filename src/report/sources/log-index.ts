/**
 * The dashboard's persistent index of a log folder: a SQLite file outside the
 * folder (see index-location.ts) holding, per run, its metrics.jsonl as the
 * dashboard last read it (every tag's series packed as numbers, status,
 * hyper-parameters, notes; run-state.ts), keyed by the file's size and mtime,
 * and each seed's checks file; plus the last view built of each study
 * (served after a restart while nothing changed) and the view worker's
 * accumulators saved at its stop (their bytes in files beside the index, see
 * saveAccumulators).
 *
 * A run whose file did not change is taken from the index; one that grew is
 * read from where the index left it (its appended bytes only, after checking
 * that the bytes before that point are still the same); anything else is read
 * again in full. Runs that have not ended stay in memory between reads; ended
 * ones are read back from the file when needed. It is a cache: a damaged or
 * unreadable index is set aside and rebuilt, and losing it loses nothing.
 * The log folder itself is never written.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type Database from "better-sqlite3";
import { openSqlite } from "../../store/sqlite-module.ts";
import { readJsonl } from "../../log/jsonl.ts";
import type { CheckLine, RunData, SeedChecks } from "../types.ts";
import { bytesBefore } from "./run-index.ts";
import { decodeRunState, emptyRunState, encodeRunState, readAppended, runDataOf, runStateOf, type RunState } from "./run-state.ts";

/** Bumped whenever what the index holds changes meaning or layout: an index of another format is rebuilt (3: a line over 64 MiB is cut as `twin stats` cuts it; format 2's states could hold its values). */
const FORMAT = 3;
/** Bytes before a run's read offset kept to check that a grown file was appended to, not rewritten. */
export const TAIL_CHECK = 64;
/** How a run's row is written (also by the log reader threads, log-reader-worker.ts). */
export const INDEX_RUN_INSERT = "INSERT OR REPLACE INTO runs (study, dir, size, mtime, tail, status, state) VALUES (?, ?, ?, ?, ?, ?, ?)";
/**
 * Every run's stamp and status (the listing's), and a study's run folders:
 * read from the index `runs_listing` or the key's (a run's row is ~40 kB at
 * 500 steps, so a scan of the table reads every row's pages: at 10,000 runs
 * 35–60 ms per query, against 5–19 ms from the index, which these queries
 * cover). Exported for tests.
 */
export const INDEX_RUN_STATUSES = "SELECT study, dir, size, mtime, status FROM runs";
export const INDEX_RUN_DIRS = "SELECT dir FROM runs WHERE study = ?";
/** Whether a run has a row: looked up by the table's key (LogIndex.unknown). */
export const INDEX_RUN_KNOWN = "SELECT 1 AS one FROM runs WHERE study = ? AND dir = ?";
/** The `size` of a run read from event files (no metrics.jsonl): its `tail` holds the stamp of its folder's files. */
const EVENT_FILES = -1;

/** A run's row as INDEX_RUN_INSERT writes it: study, folder, size, mtime, tail, status, state. */
export type IndexRunRow = [string, string, number, number, Buffer, string | null, Buffer];

interface RunRow {
  size: number;
  mtime: number;
  tail: Buffer;
  status: string | null;
  state: Buffer;
}

interface LiveRun {
  size: number;
  mtime: number;
  tail: Buffer;
  state: RunState;
}

export class LogIndex {
  private readonly db: Database.Database;
  /** Runs that have not ended, as last read (their next lines are read from `state.offset`). */
  private readonly live = new Map<string, LiveRun>();
  private readonly pending = new Map<string, IndexRunRow>();
  private readonly statements: {
    run: Database.Statement<[string, string], RunRow>;
    hasRun: Database.Statement<[string, string], { one: number }>;
    putRun: Database.Statement<IndexRunRow>;
    statuses: Database.Statement<[], { study: string; dir: string; size: number; mtime: number; status: string | null }>;
    checks: Database.Statement<[string, string], { size: number; mtime: number; lines: string }>;
    putChecks: Database.Statement<[string, string, number, number, string]>;
    view: Database.Statement<[string], { signature: string; body: string }>;
    putView: Database.Statement<[string, string, string]>;
    viewKeys: Database.Statement<[], { key: string }>;
    dirs: Database.Statement<[string], { dir: string }>;
    dropRun: Database.Statement<[string, string]>;
    checkSeeds: Database.Statement<[string], { seed: string }>;
    dropChecks: Database.Statement<[string, string]>;
    studies: Database.Statement<[], { study: string }>;
  };
  /** Per study, the run folders that have a row (loaded on first use, kept up to date). */
  private readonly indexed = new Map<string, Set<string>>();

  /** Opens (creating) the index at `file`; one that cannot be read as an index of this format is set aside and started again. */
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = LogIndex.openDb(file);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "SQLITE_NOTADB" && code !== "SQLITE_CORRUPT") throw e;
      renameSync(file, `${file}.damaged-${Date.now()}`);
      for (const side of ["-wal", "-shm"]) rmSync(file + side, { force: true });
      db = LogIndex.openDb(file);
    }
    this.db = db;
    this.statements = {
      run: db.prepare("SELECT size, mtime, tail, status, state FROM runs WHERE study = ? AND dir = ?"),
      hasRun: db.prepare(INDEX_RUN_KNOWN),
      putRun: db.prepare(INDEX_RUN_INSERT),
      statuses: db.prepare(INDEX_RUN_STATUSES),
      checks: db.prepare("SELECT size, mtime, lines FROM checks WHERE study = ? AND seed = ?"),
      putChecks: db.prepare("INSERT OR REPLACE INTO checks (study, seed, size, mtime, lines) VALUES (?, ?, ?, ?, ?)"),
      view: db.prepare("SELECT signature, body FROM views WHERE key = ?"),
      putView: db.prepare("INSERT OR REPLACE INTO views (key, signature, body) VALUES (?, ?, ?)"),
      // INSERT OR REPLACE gives a replaced row a new rowid: the last saved has the highest.
      viewKeys: db.prepare("SELECT key FROM views ORDER BY rowid DESC"),
      dirs: db.prepare(INDEX_RUN_DIRS),
      dropRun: db.prepare("DELETE FROM runs WHERE study = ? AND dir = ?"),
      checkSeeds: db.prepare("SELECT seed FROM checks WHERE study = ?"),
      dropChecks: db.prepare("DELETE FROM checks WHERE study = ? AND seed = ?"),
      studies: db.prepare("SELECT DISTINCT study FROM runs UNION SELECT DISTINCT study FROM checks"),
    };
  }

  private static openDb(file: string): Database.Database {
    const db = openSqlite(file, { timeout: 5000 });
    try {
      db.pragma("journal_mode = WAL");
      // A cache: a write lost in a crash is read again from the logs.
      db.pragma("synchronous = OFF");
      // One transaction: the dashboard's two threads may open a new index at the same time.
      db.transaction(() => {
        if (db.pragma("user_version", { simple: true }) === FORMAT) return;
        // Only an index is started again: a database with tables of its own (a twin store named with --index) is left as it is.
        const foreign = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('runs', 'checks', 'views', 'accumulators', 'accumulator_files')`).all();
        if (foreign.length > 0) throw new Error(`${file} is a SQLite database with tables of its own (${foreign.map((t) => t.name).join(", ")}: a twin store?), not a dashboard index; twin leaves it as it is: name a file of its own with --index`);
        db.exec("DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS checks; DROP TABLE IF EXISTS views; DROP TABLE IF EXISTS accumulators; DROP TABLE IF EXISTS accumulator_files;");
        db.exec(`
          -- A rowid table: a run's row (10 kB and more at 500 steps) is far larger than SQLite's guidance for WITHOUT ROWID tables (a twentieth of a page);
          -- as one, 10,000 rows of 10 kB took 1.5-2 times the CPU to write (0.40-0.54 s against 0.27-0.32 s), twice the wall time, and twice the CPU to read back.
          CREATE TABLE runs (study TEXT NOT NULL, dir TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, tail BLOB NOT NULL, status TEXT, state BLOB NOT NULL, PRIMARY KEY (study, dir));
          CREATE TABLE checks (study TEXT NOT NULL, seed TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, lines TEXT NOT NULL, PRIMARY KEY (study, seed)) WITHOUT ROWID;
          CREATE TABLE views (key TEXT PRIMARY KEY, signature TEXT NOT NULL, body TEXT NOT NULL);
        `);
        db.pragma(`user_version = ${FORMAT}`);
      }).immediate();
      // Added after format 1 (an index without it keeps its runs).
      db.exec("CREATE TABLE IF NOT EXISTS accumulators (key TEXT PRIMARY KEY, digest BLOB NOT NULL, body BLOB NOT NULL)");
      // Added after format 2: an accumulator's bytes in a file beside the index (saveAccumulators), its check and size here.
      db.exec("CREATE TABLE IF NOT EXISTS accumulator_files (key TEXT PRIMARY KEY, digest BLOB NOT NULL, file TEXT NOT NULL, size INTEGER NOT NULL)");
      // The rows' stamps and statuses without their pages of packed numbers (the listing's queries read this index alone).
      db.exec("CREATE INDEX IF NOT EXISTS runs_listing ON runs (study, size, mtime, status, dir)");
      db.prepare("SELECT count(*) FROM runs").get();
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * The run whose metrics.jsonl is `path` (`dir`: its folder relative to the
   * study), from the index where its file did not change, else read (appended
   * bytes only where it grew); undefined when the file is missing.
   */
  run(study: string, dir: string, path: string, variant: string, seed: string, where: string): RunData | undefined {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return undefined;
    const key = `${study}\u0000${dir}`;
    let base: LiveRun | undefined = this.live.get(key);
    if (!base) {
      const row = this.statements.run.get(study, dir);
      // An ended run whose file did not change is only read (into the run's data): its series are views on the row's bytes.
      const unchangedEnded = row !== undefined && row.status !== null && row.size === st.size && row.mtime === st.mtimeMs;
      if (row) base = { size: row.size, mtime: row.mtime, tail: row.tail, state: decodeRunState(row.state, unchangedEnded) };
    }
    let state: RunState;
    let tail: Buffer;
    if (base && base.size === st.size && base.mtime === st.mtimeMs) {
      state = base.state;
      tail = base.tail;
    } else {
      state = base && st.size >= base.state.offset && bytesBefore(path, base.state.offset, TAIL_CHECK).equals(base.tail) ? base.state : emptyRunState();
      tail = readAppended(path, state, st.size, TAIL_CHECK);
      this.pending.set(key, [study, dir, st.size, st.mtimeMs, tail, state.status ?? null, encodeRunState(state)]);
    }
    if (state.status === undefined) this.live.set(key, { size: st.size, mtime: st.mtimeMs, tail, state });
    else this.live.delete(key);
    return runDataOf(state, variant, seed, where);
  }

  /**
   * Whether the index knows nothing of the run in `dir` (relative to the
   * study): it is read in full, from the first byte. One row looked up by its
   * key where the study's run folders were not loaded (loading them, 10,000
   * rows, cost 7–16 ms, the first update after a restart asks for one seed's).
   */
  unknown(study: string, dir: string): boolean {
    if (this.live.has(`${study}\u0000${dir}`)) return false;
    const dirs = this.indexed.get(study);
    return dirs ? !dirs.has(dir) : this.statements.hasRun.get(study, dir) === undefined;
  }

  /**
   * A run read elsewhere (a log reader thread: log-reader-pool.ts) as `run`
   * would have read it: `size` and `mtimeMs` as stat gave them before the
   * reading, `state` its encoded state, `tail` the bytes before its read
   * offset; `written`: whether its row is in the index already.
   */
  adopt(study: string, dir: string, size: number, mtimeMs: number, tail: Uint8Array, state: Uint8Array, written: boolean, variant: string, seed: string, where: string): RunData {
    const key = `${study}\u0000${dir}`;
    // An ended run's state is only read (into the run's data) and the bytes are not changed: its series are views on them.
    let decoded = decodeRunState(state, true);
    if (decoded.status === undefined) decoded = decodeRunState(state);
    const tailBytes = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
    if (written) this.indexedDirs(study).add(dir);
    else this.pending.set(key, [study, dir, size, mtimeMs, tailBytes, decoded.status ?? null, Buffer.from(state.buffer, state.byteOffset, state.byteLength)]);
    if (decoded.status === undefined) this.live.set(key, { size, mtime: mtimeMs, tail: tailBytes, state: decoded });
    else this.live.delete(key);
    return runDataOf(decoded, variant, seed, where);
  }

  /**
   * A run without a metrics.jsonl (event files of other tools): from the index
   * while `stamp` (its folder's files, sizes and times) is the one recorded,
   * else read with `read` and indexed.
   */
  eventRun(study: string, dir: string, stamp: string, variant: string, seed: string, where: string, read: () => RunData | undefined): RunData | undefined {
    const row = this.statements.run.get(study, dir);
    const tail = Buffer.from(stamp, "utf8");
    if (row && row.size === EVENT_FILES && row.tail.equals(tail)) return runDataOf(decodeRunState(row.state), variant, seed, where);
    const run = read();
    if (!run) return undefined;
    const state = runStateOf(run);
    this.pending.set(`${study}\u0000${dir}`, [study, dir, EVENT_FILES, 0, tail, state.status ?? null, encodeRunState(state)]);
    return run;
  }

  private indexedDirs(study: string): Set<string> {
    let dirs = this.indexed.get(study);
    if (!dirs) this.indexed.set(study, (dirs = new Set(this.statements.dirs.all(study).map((r) => r.dir))));
    return dirs;
  }

  /**
   * Drops the rows of a study's runs whose folders are gone (`dirs`: how many
   * run folders the study has now; `live`: them, relative to the study, asked
   * for only when the index holds more than that) and the checks rows of seeds
   * it no longer has.
   */
  prune(study: string, dirs: number, live: () => { dirs: ReadonlySet<string>; seeds: ReadonlySet<string> }): void {
    const known = this.indexedDirs(study);
    if (known.size <= dirs) return;
    const now = live();
    const gone = [...known].filter((d) => !now.dirs.has(d));
    this.db.transaction(() => {
      for (const dir of gone) {
        this.statements.dropRun.run(study, dir);
        known.delete(dir);
        this.live.delete(`${study}\u0000${dir}`);
        this.pending.delete(`${study}\u0000${dir}`);
      }
      for (const { seed } of this.statements.checkSeeds.all(study)) if (!now.seeds.has(seed)) this.statements.dropChecks.run(study, seed);
    })();
  }

  /** Drops everything the index holds of studies other than `studies` (their folders are gone), saved views included. */
  keepStudies(studies: ReadonlySet<string>): void {
    const gone = this.statements.studies.all().map((r) => r.study).filter((s) => !studies.has(s));
    if (gone.length === 0) return;
    this.db.transaction(() => {
      for (const study of gone) {
        this.db.prepare("DELETE FROM runs WHERE study = ?").run(study);
        this.db.prepare("DELETE FROM checks WHERE study = ?").run(study);
        // A view's key starts with its study's name and a NUL (saved-view.ts).
        this.db.prepare("DELETE FROM views WHERE key >= ? AND key < ?").run(`${study}\u0000`, `${study}\u0001`);
        this.db.prepare("DELETE FROM accumulators WHERE key >= ? AND key < ?").run(`${study}\u0000`, `${study}\u0001`);
        this.db.prepare("DELETE FROM accumulator_files WHERE key >= ? AND key < ?").run(`${study}\u0000`, `${study}\u0001`);
        this.indexed.delete(study);
      }
    })();
  }

  /** A seed's checks file (`path`), from the index where it did not change. */
  checks(study: string, seed: string, path: string): SeedChecks[] {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return [];
    const row = this.statements.checks.get(study, seed);
    if (row && row.size === st.size && row.mtime === st.mtimeMs) return [{ seed, lines: JSON.parse(row.lines) as CheckLine[] }];
    let lines: CheckLine[] = [];
    try {
      lines = readJsonl<CheckLine>(path).records.filter((r) => r && typeof r.step === "number" && Array.isArray(r.streams));
    } catch {
      lines = [];
    }
    this.statements.putChecks.run(study, seed, st.size, st.mtimeMs, JSON.stringify(lines));
    return [{ seed, lines }];
  }

  /** Writes the runs read since the last flush (one transaction). */
  flush(): void {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.db.transaction(() => {
      for (const r of rows) this.statements.putRun.run(...r);
    })();
    for (const [study, dir] of rows) this.indexed.get(study)?.add(dir);
  }

  /**
   * Gives the rows of the runs read since the last flush to `write` (another
   * connection's writer: a log reader thread, log-reader-pool.ts) instead of
   * writing them here; they count as written when it takes them (returns
   * true), else they stay for the next flush.
   */
  handOver(write: (rows: IndexRunRow[]) => boolean): void {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    if (!write(rows)) return;
    this.pending.clear();
    // Known from now on (as a run a thread read and writes: adopt), though the row is written later.
    for (const [study, dir] of rows) this.indexedDirs(study).add(dir);
  }

  /** Every indexed run's metrics file stamp and status: `<study>/<dir>` → size, mtime, status (the listing's statuses without reading tails). */
  statuses(): Map<string, { size: number; mtimeMs: number; status: string }> {
    const out = new Map<string, { size: number; mtimeMs: number; status: string }>();
    for (const r of this.statements.statuses.iterate()) out.set(`${r.study}/${r.dir}`, { size: r.size, mtimeMs: r.mtime, status: r.status ?? "running" });
    return out;
  }

  /** The last view saved under `key`, with the signature of the data it was built from. */
  view(key: string): { signature: string; body: string } | undefined {
    return this.statements.view.get(key);
  }

  saveView(key: string, signature: string, body: string): void {
    this.statements.putView.run(key, signature, body);
  }

  keys(): string[] {
    return this.statements.viewKeys.all().map((r) => r.key);
  }

  /** The folder beside the index that holds the saved accumulators' bytes. */
  get accumulatorDir(): string {
    return `${this.file}.accumulators`;
  }

  /** The accumulator saved under `key`: its bytes (undefined when its file is missing or not of the size saved) and their check. */
  accumulator(key: string): { digest: Buffer; body: Buffer } | undefined {
    const saved = this.db.prepare<[string], { digest: Buffer; file: string; size: number }>("SELECT digest, file, size FROM accumulator_files WHERE key = ?").get(key);
    if (!saved) {
      // Saved by a version that kept the bytes in the index.
      return this.db.prepare<[string], { digest: Buffer; body: Buffer }>("SELECT digest, body FROM accumulators WHERE key = ?").get(key);
    }
    let body: Buffer;
    try {
      body = readFileSync(join(this.accumulatorDir, saved.file));
    } catch {
      return undefined;
    }
    return body.length === saved.size ? { digest: saved.digest, body } : undefined;
  }

  /**
   * Saves these accumulators in place of every one saved before: each one's
   * bytes in a file of the folder beside the index (written aside, then
   * renamed over the last one), their check and size in the index. Read back
   * from a file, 77 MB at 10,000 runs cost 45–60 ms of CPU against 100–140 ms
   * from an SQLite row (its pages copied one by one). A crash between the
   * file and the index leaves bytes that fail their check or size: that
   * accumulator is built again.
   */
  saveAccumulators(accumulators: ReadonlyMap<string, { digest: Buffer; body: Buffer }>): void {
    const dir = this.accumulatorDir;
    mkdirSync(dir, { recursive: true });
    const files = new Map<string, string>();
    for (const [key, { body }] of accumulators) {
      const file = `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.bin`;
      const aside = join(dir, `${file}.${process.pid}.tmp`);
      writeFileSync(aside, body);
      renameSync(aside, join(dir, file));
      files.set(key, file);
    }
    const put = this.db.prepare("INSERT INTO accumulator_files (key, digest, file, size) VALUES (?, ?, ?, ?)");
    this.db.transaction(() => {
      this.db.exec("DELETE FROM accumulators; DELETE FROM accumulator_files");
      for (const [key, { digest, body }] of accumulators) put.run(key, digest, files.get(key)!, body.length);
    })();
    // The files of accumulators no longer saved.
    const kept = new Set(files.values());
    for (const f of readdirSync(dir)) if (f.endsWith(".bin") && !kept.has(f)) rmSync(join(dir, f), { force: true });
  }

  close(): void {
    this.flush();
    this.live.clear();
    this.db.close();
  }
}
