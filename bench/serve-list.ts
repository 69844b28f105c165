// The dashboard's studies list on a cold start (no index), alone: the
// compiled CLI (run `bash scripts/build.sh` first) started over a log folder,
// GET /api/studies as soon as it prints its address (as bench/serve.ts
// measures list_ms), then stopped. Prints per run the wall time of the list,
// the server's main-thread CPU seconds meanwhile (the view worker's and the
// reader threads' not counted), what the list said, and the 1-minute load.
// TWIN=path/to/bin/twin.js another checkout's CLI (before and after on the
// same data); PROFILE_DIR=dir: under `node --cpu-prof` (one .cpuprofile per thread).
//
//   npx tsx bench/serve-list.ts LOGDIR INDEX_FILE [RUNS]   # LOGDIR: e.g. bench/serve.ts's twin-bench/r10000
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnGroup } from "./child-group.ts";
import { getJson } from "./get-json.ts";
import { servedAddress } from "./served-address.ts";

const [root, index, times = "1"] = process.argv.slice(2);
if (!root || !index) throw new Error("usage: npx tsx bench/serve-list.ts LOGDIR INDEX_FILE [RUNS]");
const twin = process.env.TWIN ?? join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "twin.js");
const profileDir = process.env.PROFILE_DIR;

function threadCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}
const load = (): number => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

for (let i = 0; i < Number(times); i++) {
  for (const f of [index, `${index}-wal`, `${index}-shm`, `${index}.accumulators`]) rmSync(f, { force: true, recursive: true });
  const loadBefore = load();
  const child = spawnGroup(process.execPath, [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), twin, "serve", "--logdir", root, "--port", "0", "--index", index], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await servedAddress(child);
  const cpu0 = threadCpuSeconds(child.pid!);
  const t0 = performance.now();
  const body = await getJson(url + "api/studies");
  const ms = performance.now() - t0;
  const cpu = threadCpuSeconds(child.pid!) - cpu0;
  const studies = (body.studies as { name: string; runs: number; seeds: number; status: Record<string, number>; reading?: unknown }[]).map((s) => ({ name: s.name, runs: s.runs, seeds: s.seeds, status: s.status, ...(s.reading !== undefined ? { reading: s.reading } : {}) }));
  console.log(JSON.stringify({ list_ms: Math.round(ms), main_cpu_s: Number(cpu.toFixed(2)), load_1min: [loadBefore, load()], studies }));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.stop(), 30_000);
  await exited;
  clearTimeout(t);
  child.stop();
}
