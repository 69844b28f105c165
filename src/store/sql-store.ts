/** The Store, written once over a Driver (SQLite or PostgreSQL). */
import type { BulkSpec, Driver } from "./driver.ts";
import { DamagedRowError, StoreError, UnknownRunError } from "./errors.ts";
import { canonicalJson, sha256 } from "./hash.ts";
import { makeRunId, seedsKey, seedsToJson, toSeed } from "./ids.ts";
import { decodeLabels, decodeProbabilities, encodeLabels, encodeProbabilities, PROBABILITY_ENCODING, READABLE_PROBABILITY_ENCODINGS } from "./prediction-codec.ts";
import {
  RUN_STATUSES,
  type ArtifactInput,
  type ArtifactRecord,
  type BatchChecksumInput,
  type BatchChecksumRecord,
  type CheckpointInput,
  type CheckpointRecord,
  type ControlSumInput,
  type ControlSumRecord,
  type FinalMetricQuery,
  type FingerprintRecord,
  type MetricInput,
  type MetricQuery,
  type MetricRecord,
  type PredictionInput,
  type PredictionRecord,
  type PredictionSplit,
  type RequeueOptions,
  type RequeueResult,
  type RunFilter,
  type RunInput,
  type RunRecord,
  type RunStatus,
  type Store,
  type StoreKind,
  type StudyInput,
  type StudyRecord,
  type StudySummary,
  type SubmitResult,
  type VariantInput,
  type VariantRecord,
} from "./types.ts";

interface RunRow {
  id: string;
  study: string;
  variants_json: string;
  spec_hash: string;
  root_seed: string;
  seeds_json: string;
  config_json: string | null;
  fingerprint_hash: string | null;
  status: RunStatus;
  attempts: number;
  worker: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  heartbeat_at: number | null;
  error: string | null;
}

interface StudyRow {
  name: string;
  spec_hash: string;
  fingerprint_hash: string | null;
  spec_json: string | null;
  created_at: number;
}

interface MetricRow {
  run_id: string;
  variant: string;
  name: string;
  step: number;
  value: number | null;
}

const METRICS_BULK: BulkSpec = {
  table: "metrics",
  columns: [
    { name: "run_id", pgType: "text" },
    { name: "variant", pgType: "text" },
    { name: "name", pgType: "text" },
    { name: "step", pgType: "bigint" },
    { name: "value", pgType: "float8" },
  ],
  onConflict: "(run_id, variant, name, step) DO UPDATE SET value = excluded.value",
};

const CONTROL_SUMS_BULK: BulkSpec = {
  table: "control_sums",
  columns: [
    { name: "run_id", pgType: "text" },
    { name: "step", pgType: "bigint" },
    { name: "stream", pgType: "text" },
    { name: "draws", pgType: "bigint" },
    { name: "state_hash", pgType: "text" },
    { name: "chain", pgType: "text" },
  ],
  onConflict:
    "(run_id, step, stream) DO UPDATE SET draws = excluded.draws, state_hash = excluded.state_hash, chain = excluded.chain",
};

const BATCH_CHECKSUMS_BULK: BulkSpec = {
  table: "batch_checksums",
  columns: [
    { name: "run_id", pgType: "text" },
    { name: "step", pgType: "bigint" },
    { name: "checksum", pgType: "text" },
  ],
  onConflict: "(run_id, step) DO UPDATE SET checksum = excluded.checksum",
};

const RUN_COLUMNS =
  "id, study, variants_json, spec_hash, root_seed, seeds_json, config_json, fingerprint_hash, status, attempts, worker, queued_at, started_at, finished_at, heartbeat_at, error";

/** Where a stored JSON value lives, for the error when it no longer parses. */
interface Cell {
  location: string;
  table: string;
  row: string;
  column: string;
}

function parseJson(text: string | null, cell: Cell): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new DamagedRowError(cell.location, cell.table, cell.row, cell.column, "is not valid JSON");
  }
}

function toJson(value: unknown): string | null {
  return value === undefined ? null : canonicalJson(value);
}

function rowToRun(r: RunRow, location: string): RunRecord {
  const cell = (column: string): Cell => ({ location, table: "runs", row: `id '${r.id}'`, column });
  const bigint = (v: unknown, column: string): bigint => {
    try {
      return BigInt(v as string);
    } catch {
      throw new DamagedRowError(location, "runs", `id '${r.id}'`, column, "holds a seed that is not an integer");
    }
  };
  const seeds: Record<string, bigint> = {};
  const stored = parseJson(r.seeds_json, cell("seeds_json"));
  if (stored === null || typeof stored !== "object") throw new DamagedRowError(location, "runs", `id '${r.id}'`, "seeds_json", "is not a JSON object");
  for (const [k, v] of Object.entries(stored)) seeds[k] = bigint(v, "seeds_json");
  const variants = parseJson(r.variants_json, cell("variants_json"));
  if (!Array.isArray(variants)) throw new DamagedRowError(location, "runs", `id '${r.id}'`, "variants_json", "is not a JSON list");
  return {
    id: r.id,
    study: r.study,
    variants: variants as string[],
    specHash: r.spec_hash,
    rootSeed: bigint(r.root_seed, "root_seed"),
    seeds,
    config: parseJson(r.config_json, cell("config_json")),
    fingerprintHash: r.fingerprint_hash,
    status: r.status,
    attempts: Number(r.attempts),
    worker: r.worker,
    queuedAt: Number(r.queued_at),
    startedAt: r.started_at === null ? null : Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at),
    error: r.error,
  };
}

function rowToStudy(r: StudyRow, location: string): StudyRecord {
  return {
    name: r.name,
    specHash: r.spec_hash,
    fingerprintHash: r.fingerprint_hash,
    spec: parseJson(r.spec_json, { location, table: "studies", row: `name '${r.name}'`, column: "spec_json" }),
    createdAt: Number(r.created_at),
  };
}

function rowToMetric(r: MetricRow): MetricRecord {
  // SQLite stores NaN as NULL; a NULL value always means NaN.
  return { runId: r.run_id, variant: r.variant, name: r.name, step: Number(r.step), value: r.value === null ? NaN : Number(r.value) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts by code units on both back ends (PostgreSQL's ORDER BY would follow the database's collation). */
function metricOrder(a: MetricRecord, b: MetricRecord): number {
  return cmp(a.runId, b.runId) || cmp(a.variant, b.variant) || cmp(a.name, b.name) || a.step - b.step;
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${what} must be a non-empty string (got ${String(value)})`);
  return value;
}

function checkStep(value: unknown, what = "step"): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${what} must be a non-negative integer (got ${String(value)})`);
  }
  return value;
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

export class SqlStore implements Store {
  readonly kind: StoreKind;
  readonly location: string;
  readonly #d: Driver;
  readonly #now: () => number;

  constructor(driver: Driver, location: string, now: () => number = Date.now) {
    this.#d = driver;
    this.kind = driver.dialect;
    this.location = location;
    this.#now = now;
  }

  /** The driver (for tests and tools that need raw SQL). */
  get driver(): Driver {
    return this.#d;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#d.transaction((tx) => fn(new SqlStore(tx, this.location, this.#now)));
  }

  close(): Promise<void> {
    return this.#d.close();
  }

  #unknown(id: string): UnknownRunError {
    return new UnknownRunError(id, this.location);
  }

  async #requireRuns(d: Driver, ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)];
    for (let i = 0; i < wanted.length; i += 500) {
      const part = wanted.slice(i, i + 500);
      const { rows } = await d.query<{ id: string }>(`SELECT id FROM runs WHERE id IN (${placeholders(part.length)})`, part);
      const found = new Set(rows.map((r) => r.id));
      const missing = part.find((id) => !found.has(id));
      if (missing !== undefined) throw this.#unknown(missing);
    }
  }

  // ---------------------------------------------------------- fingerprints

  async putFingerprint(fingerprint: unknown): Promise<string> {
    const json = canonicalJson(fingerprint);
    const hash = sha256(json);
    await this.#d.query("INSERT INTO fingerprints (hash, json, created_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING", [
      hash,
      json,
      this.#now(),
    ]);
    return hash;
  }

  async getFingerprint(hash: string): Promise<FingerprintRecord | undefined> {
    const { rows } = await this.#d.query<{ hash: string; json: string; created_at: number }>(
      "SELECT hash, json, created_at FROM fingerprints WHERE hash = ?",
      [hash],
    );
    const r = rows[0];
    return r && { hash: r.hash, fingerprint: parseJson(r.json, { location: this.location, table: "fingerprints", row: `hash '${r.hash}'`, column: "json" }), createdAt: Number(r.created_at) };
  }

  // ------------------------------------------------------ studies, variants

  async putStudy(study: StudyInput): Promise<{ study: StudyRecord; created: boolean }> {
    checkName(study.name, "study name");
    checkName(study.specHash, "spec hash");
    return this.#d.transaction(async (tx) => {
      const { changes } = await tx.query(
        "INSERT INTO studies (name, spec_hash, fingerprint_hash, spec_json, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
        [study.name, study.specHash, study.fingerprintHash ?? null, toJson(study.spec), this.#now()],
      );
      const { rows } = await tx.query<StudyRow>("SELECT * FROM studies WHERE name = ?", [study.name]);
      return { study: rowToStudy(rows[0]!, this.location), created: changes === 1 };
    });
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const { rows } = await this.#d.query<StudyRow>("SELECT * FROM studies WHERE name = ?", [name]);
    return rows[0] && rowToStudy(rows[0], this.location);
  }

  async setStudyFingerprint(name: string, fingerprintHash: string | null): Promise<void> {
    const { changes } = await this.#d.query("UPDATE studies SET fingerprint_hash = ? WHERE name = ?", [fingerprintHash, name]);
    if (changes !== 1) throw new StoreError(`unknown study '${name}' in the store at ${this.location}`);
  }

  async listStudies(): Promise<StudySummary[]> {
    const studies = await this.#d.query<StudyRow>("SELECT * FROM studies");
    const counts = await this.#d.query<{ study: string; status: RunStatus; n: number }>(
      "SELECT study, status, COUNT(*) AS n FROM runs GROUP BY study, status",
    );
    const out = new Map<string, StudySummary>();
    for (const r of studies.rows) {
      const runs = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
      out.set(r.name, { ...rowToStudy(r, this.location), runs });
    }
    for (const c of counts.rows) {
      const s = out.get(c.study);
      if (s) s.runs[c.status] = Number(c.n);
    }
    return [...out.values()].sort((a, b) => a.createdAt - b.createdAt || cmp(a.name, b.name));
  }

  async putVariants(study: string, variants: readonly VariantInput[]): Promise<void> {
    await this.#d.transaction(async (tx) => {
      const { rows } = await tx.query("SELECT name FROM studies WHERE name = ?", [study]);
      if (rows.length === 0) throw new StoreError(`unknown study '${study}': store the study (putStudy) before its variants`);
      let position = 0;
      for (const v of variants) {
        await tx.query(
          "INSERT INTO variants (study, name, position, config_json) VALUES (?, ?, ?, ?) " +
            "ON CONFLICT (study, name) DO UPDATE SET position = excluded.position, config_json = excluded.config_json",
          [study, checkName(v.name, "variant name"), position++, toJson(v.config)],
        );
      }
    });
  }

  async listVariants(study: string): Promise<VariantRecord[]> {
    const { rows } = await this.#d.query<{ study: string; name: string; position: number; config_json: string | null }>(
      "SELECT study, name, position, config_json FROM variants WHERE study = ? ORDER BY position",
      [study],
    );
    return rows.map((r) => ({ study: r.study, name: r.name, position: Number(r.position), config: parseJson(r.config_json, { location: this.location, table: "variants", row: `'${r.study}/${r.name}'`, column: "config_json" }) }));
  }

  // ------------------------------------------------------------------ runs

  async submitRun(run: RunInput): Promise<SubmitResult> {
    checkName(run.study, "study name");
    checkName(run.specHash, "spec hash");
    const variants = typeof run.variants === "string" ? [run.variants] : [...run.variants];
    if (variants.length === 0) throw new TypeError("a run needs at least one variant");
    variants.forEach((v) => checkName(v, "variant name"));
    const rootSeed = toSeed(run.rootSeed, "root seed").toString();
    const seedsJson = canonicalJson(seedsToJson(run.seeds));
    const key = seedsKey(run.rootSeed, run.seeds);
    const variantsJson = JSON.stringify(variants);
    const id = run.id ?? makeRunId({ ...run, variants });
    checkName(id, "run id");

    return this.#d.transaction(async (tx) => {
      const study = await tx.query("SELECT name FROM studies WHERE name = ?", [run.study]);
      if (study.rows.length === 0) throw new StoreError(`unknown study '${run.study}': store the study (putStudy) before its runs`);
      if (run.fingerprintHash) {
        const fp = await tx.query("SELECT hash FROM fingerprints WHERE hash = ?", [run.fingerprintHash]);
        if (fp.rows.length === 0) throw new StoreError(`unknown fingerprint ${run.fingerprintHash}: store it (putFingerprint) first`);
      }
      const { changes } = await tx.query(
        `INSERT INTO runs (id, study, variants_json, spec_hash, root_seed, seeds_json, seeds_key, config_json,
           fingerprint_hash, status, attempts, queued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?) ON CONFLICT DO NOTHING`,
        [id, run.study, variantsJson, run.specHash, rootSeed, seedsJson, key, toJson(run.config), run.fingerprintHash ?? null, this.#now()],
      );
      const { rows } = await tx.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE study = ? AND spec_hash = ? AND variants_json = ? AND seeds_key = ?`,
        [run.study, run.specHash, variantsJson, key],
      );
      if (rows.length === 0) {
        throw new StoreError(`run id '${id}' is already used by a different run in the store at ${this.location}`);
      }
      return { run: rowToRun(rows[0]!, this.location), created: changes === 1 };
    });
  }

  async findRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.#d.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, [id]);
    return rows[0] && rowToRun(rows[0], this.location);
  }

  async getRun(id: string): Promise<RunRecord> {
    const run = await this.findRun(id);
    if (!run) throw this.#unknown(id);
    return run;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.study !== undefined) {
      where.push("study = ?");
      params.push(filter.study);
    }
    if (filter.status !== undefined) {
      const statuses: readonly RunStatus[] = typeof filter.status === "string" ? [filter.status] : filter.status;
      for (const s of statuses) if (!RUN_STATUSES.includes(s)) throw new TypeError(`unknown run status '${s}' (one of ${RUN_STATUSES.join(", ")})`);
      if (statuses.length === 0) return [];
      where.push(`status IN (${placeholders(statuses.length)})`);
      params.push(...statuses);
    }
    const sql = `SELECT ${RUN_COLUMNS} FROM runs${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
    const { rows } = await this.#d.query<RunRow>(sql, params);
    return rows.map((r) => rowToRun(r, this.location)).sort((a, b) => cmp(a.study, b.study) || a.queuedAt - b.queuedAt || cmp(a.id, b.id));
  }

  async #statusOf(d: Driver, id: string): Promise<{ status: RunStatus; worker: string | null }> {
    const { rows } = await d.query<{ status: RunStatus; worker: string | null }>("SELECT status, worker FROM runs WHERE id = ?", [id]);
    if (!rows[0]) throw this.#unknown(id);
    return rows[0];
  }

  async claimRun(id: string, worker: string): Promise<boolean> {
    checkName(worker, "worker");
    const now = this.#now();
    // Compare-and-set in one statement: of concurrent claimers exactly one sees
    // status = 'queued' (PostgreSQL re-checks the WHERE after the row lock).
    const { changes } = await this.#d.query(
      `UPDATE runs SET status = 'running', worker = ?, attempts = attempts + 1, started_at = ?, heartbeat_at = ?,
         finished_at = NULL, error = NULL
       WHERE id = ? AND status = 'queued'`,
      [worker, now, now, id],
    );
    if (changes === 1) return true;
    await this.#statusOf(this.#d, id); // throws for an unknown id
    return false;
  }

  async claimNext(worker: string, study?: string): Promise<RunRecord | undefined> {
    checkName(worker, "worker");
    const now = this.#now();
    // Dialect: on PostgreSQL, FOR UPDATE SKIP LOCKED lets concurrent workers
    // pick different runs; SQLite runs the whole statement under its write lock.
    const lock = this.#d.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    const { rows } = await this.#d.query<RunRow>(
      `UPDATE runs SET status = 'running', worker = ?, attempts = attempts + 1, started_at = ?, heartbeat_at = ?,
         finished_at = NULL, error = NULL
       WHERE status = 'queued' AND id = (
         SELECT id FROM runs WHERE status = 'queued'${study !== undefined ? " AND study = ?" : ""}
         ORDER BY queued_at, id LIMIT 1${lock})
       RETURNING ${RUN_COLUMNS}`,
      study !== undefined ? [worker, now, now, study] : [worker, now, now],
    );
    return rows[0] && rowToRun(rows[0], this.location);
  }

  async heartbeat(id: string, worker?: string): Promise<boolean> {
    const { changes } = await this.#d.query(
      `UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'${worker !== undefined ? " AND worker = ?" : ""}`,
      worker !== undefined ? [this.#now(), id, worker] : [this.#now(), id],
    );
    if (changes === 1) return true;
    await this.#statusOf(this.#d, id);
    return false;
  }

  async finishRun(id: string, opts: { worker?: string; note?: string } = {}): Promise<void> {
    const now = this.#now();
    const note = opts.note ?? null;
    const { changes } = await this.#d.query(
      `UPDATE runs SET status = 'finished', finished_at = ?, heartbeat_at = ?, error = ?
       WHERE id = ? AND status = 'running'${opts.worker !== undefined ? " AND worker = ?" : ""}`,
      opts.worker !== undefined ? [now, now, note, id, opts.worker] : [now, now, note, id],
    );
    if (changes === 1) return;
    const { status, worker } = await this.#statusOf(this.#d, id);
    throw new StoreError(
      `cannot mark run '${id}' finished: it is ${status}` +
        (status === "running" ? ` by worker '${worker}', not '${opts.worker}'` : ", not running"),
    );
  }

  async failRun(id: string, error: string, opts: { worker?: string; diverged?: boolean } = {}): Promise<void> {
    const now = this.#now();
    const status: RunStatus = opts.diverged ? "diverged" : "failed";
    const { changes } = await this.#d.query(
      `UPDATE runs SET status = ?, error = ?, finished_at = ?
       WHERE id = ? AND status IN ('queued', 'running')${opts.worker !== undefined ? " AND worker = ?" : ""}`,
      opts.worker !== undefined ? [status, String(error), now, id, opts.worker] : [status, String(error), now, id],
    );
    if (changes === 1) return;
    const cur = await this.#statusOf(this.#d, id);
    throw new StoreError(
      `cannot mark run '${id}' ${status}: it is ${cur.status}` +
        (cur.status === "running" ? ` by worker '${cur.worker}', not '${opts.worker}'` : ""),
    );
  }

  async reopenRun(id: string, worker: string): Promise<boolean> {
    checkName(worker, "worker");
    const now = this.#now();
    const { changes } = await this.#d.query(
      `UPDATE runs SET status = 'running', worker = ?, attempts = attempts + 1, heartbeat_at = ? WHERE id = ? AND status = 'finished'`,
      [worker, now, id],
    );
    if (changes === 1) return true;
    await this.#statusOf(this.#d, id);
    return false;
  }

  async requeueFailed(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)];
    return this.#d.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < wanted.length; i += 500) {
        const part = wanted.slice(i, i + 500);
        const res = await tx.query<{ id: string }>(
          `UPDATE runs SET status = 'queued', worker = NULL, heartbeat_at = NULL
           WHERE status IN ('failed', 'diverged') AND id IN (${part.map(() => "?").join(", ")}) RETURNING id`,
          part,
        );
        out.push(...res.rows.map((r) => r.id));
      }
      return out.sort(cmp);
    });
  }

  async requeueStale(olderThanMs: number, opts: RequeueOptions = {}): Promise<RequeueResult> {
    if (!(olderThanMs >= 0)) throw new TypeError(`olderThanMs must be >= 0 (got ${olderThanMs})`);
    const now = this.#now();
    const cutoff = now - olderThanMs;
    const studyClause = opts.study !== undefined ? " AND study = ?" : "";
    const studyParam = opts.study !== undefined ? [opts.study] : [];
    return this.#d.transaction(async (tx) => {
      const stale = "status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?)" + studyClause;
      let failed: string[] = [];
      if (opts.maxAttempts !== undefined) {
        const res = await tx.query<{ id: string }>(
          `UPDATE runs SET status = 'failed', finished_at = ?,
             error = 'gave up after ' || attempts || ' attempts: worker ' || COALESCE(worker, 'unknown') || ' stopped sending heartbeats'
           WHERE ${stale} AND attempts >= ? RETURNING id`,
          [now, cutoff, ...studyParam, opts.maxAttempts],
        );
        failed = res.rows.map((r) => r.id).sort(cmp);
      }
      const res = await tx.query<{ id: string }>(
        `UPDATE runs SET status = 'queued', worker = NULL, heartbeat_at = NULL WHERE ${stale} RETURNING id`,
        [cutoff, ...studyParam],
      );
      return { requeued: res.rows.map((r) => r.id).sort(cmp), failed };
    });
  }

  // ----------------------------------------------------------- measurements

  async addMetrics(rows: readonly MetricInput[]): Promise<void> {
    if (rows.length === 0) return;
    // A (run, variant, name, step) given twice in one call: the last one wins.
    const latest = new Map<string, MetricInput>();
    for (const r of rows) {
      checkName(r.runId, "metric run id");
      checkName(r.variant, "metric variant");
      checkName(r.name, "metric name");
      checkStep(r.step, "metric step");
      if (typeof r.value !== "number") throw new TypeError(`metric value must be a number (got ${String(r.value)})`);
      latest.set(JSON.stringify([r.runId, r.variant, r.name, r.step]), r);
    }
    const values = [...latest.values()].map((r) => [r.runId, r.variant, r.name, r.step, Number.isNaN(r.value) ? null : r.value]);
    await this.#d.transaction(async (tx) => {
      await this.#requireRuns(tx, rows.map((r) => r.runId));
      await tx.insertMany(METRICS_BULK, values);
    });
  }

  async metrics(query: MetricQuery): Promise<MetricRecord[]> {
    const where = ["run_id = ?"];
    const params: unknown[] = [query.runId];
    if (query.variant !== undefined) {
      where.push("variant = ?");
      params.push(query.variant);
    }
    if (query.name !== undefined) {
      where.push("name = ?");
      params.push(query.name);
    }
    const { rows } = await this.#d.query<MetricRow>(`SELECT run_id, variant, name, step, value FROM metrics WHERE ${where.join(" AND ")}`, params);
    if (rows.length === 0) await this.getRun(query.runId); // an unknown run is an error, a run without metrics is not
    return rows.map(rowToMetric).sort(metricOrder);
  }

  async finalMetrics(query: FinalMetricQuery = {}): Promise<MetricRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.study !== undefined) {
      where.push("run_id IN (SELECT id FROM runs WHERE study = ?)");
      params.push(query.study);
    }
    if (query.runIds !== undefined) {
      if (query.runIds.length === 0) return [];
      where.push(`run_id IN (${placeholders(query.runIds.length)})`);
      params.push(...query.runIds);
    }
    if (query.name !== undefined) {
      where.push("name = ?");
      params.push(query.name);
    }
    const filter = where.length ? ` WHERE ${where.join(" AND ")}` : "";
    const { rows } = await this.#d.query<MetricRow>(
      `SELECT m.run_id, m.variant, m.name, m.step, m.value FROM metrics m
       JOIN (SELECT run_id, variant, name, MAX(step) AS step FROM metrics${filter} GROUP BY run_id, variant, name) last
         ON m.run_id = last.run_id AND m.variant = last.variant AND m.name = last.name AND m.step = last.step`,
      params,
    );
    return rows.map(rowToMetric).sort(metricOrder);
  }

  async addControlSums(runId: string, step: number, sums: readonly ControlSumInput[]): Promise<void> {
    checkStep(step);
    const rows = sums.map((s) => {
      checkName(s.stream, "control sum stream");
      checkStep(s.draws, "control sum draws");
      return [runId, step, s.stream, s.draws, checkName(s.state, "control sum state"), String(s.chain)];
    });
    await this.#d.transaction(async (tx) => {
      await this.#requireRuns(tx, [runId]);
      if (rows.length) await tx.insertMany(CONTROL_SUMS_BULK, rows);
    });
  }

  async controlSums(runId: string): Promise<ControlSumRecord[]> {
    const { rows } = await this.#d.query<{ run_id: string; step: number; stream: string; draws: number; state_hash: string; chain: string }>(
      "SELECT run_id, step, stream, draws, state_hash, chain FROM control_sums WHERE run_id = ?",
      [runId],
    );
    if (rows.length === 0) await this.getRun(runId);
    return rows
      .map((r) => ({ runId: r.run_id, step: Number(r.step), stream: r.stream, draws: Number(r.draws), state: r.state_hash, chain: r.chain }))
      .sort((a, b) => a.step - b.step || cmp(a.stream, b.stream));
  }

  async addBatchChecksums(runId: string, rows: readonly BatchChecksumInput[]): Promise<void> {
    const values = rows.map((r) => [runId, checkStep(r.step), checkName(r.checksum, "batch checksum")]);
    await this.#d.transaction(async (tx) => {
      await this.#requireRuns(tx, [runId]);
      if (values.length) await tx.insertMany(BATCH_CHECKSUMS_BULK, values);
    });
  }

  async batchChecksums(runId: string): Promise<BatchChecksumRecord[]> {
    const { rows } = await this.#d.query<{ run_id: string; step: number; checksum: string }>(
      "SELECT run_id, step, checksum FROM batch_checksums WHERE run_id = ?",
      [runId],
    );
    if (rows.length === 0) await this.getRun(runId);
    return rows.map((r) => ({ runId: r.run_id, step: Number(r.step), checksum: r.checksum })).sort((a, b) => a.step - b.step);
  }

  async addArtifact(a: ArtifactInput): Promise<void> {
    checkName(a.kind, "artifact kind");
    checkName(a.path, "artifact path");
    checkName(a.sha256, "artifact sha256");
    checkStep(a.bytes, "artifact bytes");
    await this.#d.transaction(async (tx) => {
      await this.#requireRuns(tx, [a.runId]);
      await tx.query(
        "INSERT INTO artifacts (run_id, kind, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (run_id, kind, path) DO UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes, created_at = excluded.created_at",
        [a.runId, a.kind, a.path, a.sha256, a.bytes, this.#now()],
      );
    });
  }

  async artifacts(runId: string): Promise<ArtifactRecord[]> {
    const { rows } = await this.#d.query<{ run_id: string; kind: string; path: string; sha256: string; bytes: number; created_at: number }>(
      "SELECT run_id, kind, path, sha256, bytes, created_at FROM artifacts WHERE run_id = ?",
      [runId],
    );
    if (rows.length === 0) await this.getRun(runId);
    return rows
      .map((r) => ({ runId: r.run_id, kind: r.kind, path: r.path, sha256: r.sha256, bytes: Number(r.bytes), createdAt: Number(r.created_at) }))
      .sort((a, b) => cmp(a.kind, b.kind) || cmp(a.path, b.path));
  }

  async addPredictions(p: PredictionInput): Promise<void> {
    checkName(p.variant, "prediction variant");
    if (p.split !== "validation" && p.split !== "test") throw new StoreError(`predictions: split must be "validation" or "test", got ${JSON.stringify(p.split)}`);
    checkStep(p.examples, "prediction examples");
    checkStep(p.classes, "prediction classes");
    if (p.probabilities.length !== p.examples * p.classes) {
      throw new StoreError(`predictions of ${p.variant} (${p.split}): ${p.probabilities.length} probabilities for ${p.examples} examples × ${p.classes} classes`);
    }
    if (p.labels.length !== p.examples) throw new StoreError(`predictions of ${p.variant} (${p.split}): ${p.labels.length} labels for ${p.examples} examples`);
    const probabilities = encodeProbabilities(p.probabilities, p.classes);
    const labels = encodeLabels(p.labels);
    await this.#d.transaction(async (tx) => {
      await this.#requireRuns(tx, [p.runId]);
      await tx.query(
        "INSERT INTO predictions (run_id, variant, split, examples, classes, encoding, probabilities, labels_encoding, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (run_id, variant, split) DO UPDATE SET examples = excluded.examples, classes = excluded.classes, encoding = excluded.encoding, " +
          "probabilities = excluded.probabilities, labels_encoding = excluded.labels_encoding, labels = excluded.labels",
        [p.runId, p.variant, p.split, p.examples, p.classes, PROBABILITY_ENCODING, probabilities, labels.encoding, labels.bytes],
      );
    });
  }

  async predictions(runId: string, filter: { variant?: string; split?: PredictionSplit } = {}): Promise<PredictionRecord[]> {
    const where = ["run_id = ?"];
    const params: unknown[] = [runId];
    if (filter.variant !== undefined) { where.push("variant = ?"); params.push(filter.variant); }
    if (filter.split !== undefined) { where.push("split = ?"); params.push(filter.split); }
    const { rows } = await this.#d.query<{ variant: string; split: PredictionSplit; examples: number; classes: number; encoding: string; probabilities: Uint8Array; labels_encoding: string; labels: Uint8Array }>(
      `SELECT variant, split, examples, classes, encoding, probabilities, labels_encoding, labels FROM predictions WHERE ${where.join(" AND ")}`,
      params,
    );
    if (rows.length === 0) await this.getRun(runId);
    return rows
      .map((r) => {
        const what = `predictions of run ${runId}, variant ${r.variant} (${r.split})`;
        if (!READABLE_PROBABILITY_ENCODINGS.has(r.encoding)) throw new StoreError(`${what}: unknown encoding ${r.encoding}; a newer twin wrote it`);
        const examples = Number(r.examples), classes = Number(r.classes);
        return {
          runId, variant: r.variant, split: r.split, examples, classes,
          probabilities: decodeProbabilities(r.probabilities, r.encoding, examples * classes, what),
          labels: decodeLabels(r.labels, r.labels_encoding, examples, what),
          bytes: r.probabilities.length + r.labels.length,
        };
      })
      .sort((a, b) => cmp(a.variant, b.variant) || cmp(a.split === "validation" ? "0" : "1", b.split === "validation" ? "0" : "1"));
  }

  async addCheckpoint(c: CheckpointInput): Promise<void> {
    checkStep(c.step, "checkpoint step");
    checkName(c.path, "checkpoint path");
    await this.#d.transaction(async (tx) => {
      await this.#requireRuns(tx, [c.runId]);
      await tx.query(
        "INSERT INTO checkpoints (run_id, step, path, sha256, created_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (run_id, step) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256, created_at = excluded.created_at",
        [c.runId, c.step, c.path, c.sha256 ?? null, this.#now()],
      );
    });
  }

  async checkpoints(runId: string): Promise<CheckpointRecord[]> {
    const { rows } = await this.#d.query<{ run_id: string; step: number; path: string; sha256: string | null; created_at: number }>(
      "SELECT run_id, step, path, sha256, created_at FROM checkpoints WHERE run_id = ?",
      [runId],
    );
    if (rows.length === 0) await this.getRun(runId);
    return rows
      .map((r) => ({ runId: r.run_id, step: Number(r.step), path: r.path, sha256: r.sha256, createdAt: Number(r.created_at) }))
      .sort((a, b) => a.step - b.step);
  }

  async latestCheckpoint(runId: string): Promise<CheckpointRecord | undefined> {
    const all = await this.checkpoints(runId);
    return all[all.length - 1];
  }
}
