/**
 * The store's driver on PostgreSQL (pg, a pool of connections). Its own module
 * so that `pg` is loaded only when a PostgreSQL store is opened (open.ts
 * imports it on demand); the SQLite driver and the Driver contract are in
 * driver.ts.
 */
import pg from "pg";
import { bulkSql, type BulkSpec, type Driver, type QueryResult, type Row } from "./driver.ts";

const INT8_OID = 20;

/** int8 (BIGINT, COUNT(*)) as a JS number: the store's integers are steps, counts and epoch ms. */
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID && format !== "binary") return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;

const placeholderCache = new Map<string, string>();

/** Dialect: `?` placeholders become $1, $2, … (the store's SQL has no `?` in literals). */
export function toPgPlaceholders(sql: string): string {
  let out = placeholderCache.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    placeholderCache.set(sql, out);
  }
  return out;
}

/** A float for a float8[] literal, keeping -0, NaN and ±Infinity. */
function pgFloat(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const x = Number(v);
  if (Object.is(x, -0)) return "-0";
  return String(x); // shortest text that reads back as exactly x; "NaN", "Infinity", "-Infinity"
}

/** Rows per unnest() statement (each column is one array parameter). */
const PG_BULK_CHUNK = 50_000;

type Queryable = pg.Pool | pg.PoolClient;

async function pgQuery<T>(q: Queryable, sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
  const res = await q.query({ text: toPgPlaceholders(sql), values: params.map((v) => (v === undefined ? null : v)) });
  return { rows: res.rows as T[], changes: res.rowCount ?? 0 };
}

async function pgInsertMany(q: Queryable, spec: BulkSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
  // Dialect: one INSERT … SELECT FROM unnest(array, array, …) per chunk instead
  // of a prepared statement per row: thousands of rows in one round trip.
  const args = spec.columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(", ");
  const sql = bulkSql(spec, `SELECT * FROM unnest(${args})`);
  for (let start = 0; start < rows.length; start += PG_BULK_CHUNK) {
    const chunk = rows.slice(start, start + PG_BULK_CHUNK);
    const columns = spec.columns.map((c, i) =>
      chunk.map((row) => {
        const v = row[i];
        if (v === null || v === undefined) return null;
        if (c.pgType === "float8") return pgFloat(v);
        return String(v);
      }),
    );
    await q.query({ text: sql, values: columns });
  }
}

export class PgDriver implements Driver {
  readonly dialect = "postgres" as const;
  readonly pool: pg.Pool;

  constructor(url: string, options: { connectTimeoutMs?: number; maxConnections?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 10_000,
      types: pgTypes,
    });
    // An idle connection dropped by the server must not crash the process; the
    // next query reconnects or reports the error.
    this.pool.on("error", () => {});
  }

  query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    return pgQuery<T>(this.pool, sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async insertMany(spec: BulkSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length <= PG_BULK_CHUNK) return pgInsertMany(this.pool, spec, rows);
    await this.transaction((tx) => tx.insertMany(spec, rows));
  }

  async transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      try {
        const result = await fn(new PgTx(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // the connection is unusable: drop it
        }
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PgTx implements Driver {
  readonly dialect = "postgres" as const;
  readonly #client: pg.PoolClient;
  constructor(client: pg.PoolClient) {
    this.#client = client;
  }
  query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    return pgQuery<T>(this.#client, sql, params);
  }
  async exec(sql: string): Promise<void> {
    await this.#client.query(sql);
  }
  insertMany(spec: BulkSpec, rows: readonly (readonly unknown[])[]): Promise<void> {
    return pgInsertMany(this.#client, spec, rows);
  }
  async transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {
    throw new Error("close() inside a transaction");
  }
}
