/** Test helpers: throw-away PostgreSQL through scripts/services.sh, temp folders. */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SERVICES = join(REPO, "scripts", "services.sh");

/** Starts a PostgreSQL server on 127.0.0.1 (stopped when this process exits, at the latest). */
export function startPostgres(): string {
  const out = execFileSync("bash", [SERVICES, "start", "postgres"], {
    env: { ...process.env, TWIN_SERVICES_WATCH_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 300_000,
  });
  const url = out.toString().trim().split("\n").pop()!;
  if (!/^postgres:\/\//.test(url)) throw new Error(`services.sh printed no URL: ${out}`);
  return url;
}

export function stopPostgres(url: string): void {
  execFileSync("bash", [SERVICES, "stop", "postgres", url], { stdio: ["ignore", "ignore", "inherit"], timeout: 60_000 });
}

let dbCounter = 0;

/** A new empty database on the server of baseUrl; returns its URL. */
export async function freshDatabase(baseUrl: string): Promise<string> {
  const name = `t_${process.pid}_${++dbCounter}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

const temps: string[] = [];

export function tempDir(prefix = "twin-store-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Runs test/store/fixtures/claim-worker.ts in a separate process; resolves to the run ids it claimed. */
export function runClaimWorker(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "test/store/fixtures/claim-worker.ts"), ...args], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}
