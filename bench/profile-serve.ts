// Profiles a cold `twin serve` first view: the compiled CLI (run `bash
// scripts/build.sh` first) started under `node --cpu-prof` with no index, one
// studies list, then the study's view asked for until it is the full view.
// Writes one .cpuprofile per thread (the server, the view worker, the log
// reader threads) to PROFILE_DIR, with the client's moments beside them
// (marks.json, for bench/profile-timeline.ts), and prints the times seen by the client, the
// server's CPU seconds and peak RSS until the full view. PROFILE_DIR "none":
// not profiled (the times alone); TWIN=path/to/bin/twin.js another checkout's CLI.
// RESTART=1: a restart instead (the index is kept, as a stopped dashboard left
// it), and after the view one line is appended to a run (the bench's first
// appended line: baseline seed 1), timed until a fresh view shows it, then
// taken out again and the view asked until it shows that too, so that the
// index the dashboard leaves matches the files (the next RESTART=1 run starts
// from a current saved view; else its first view is a rebuild).
//
//   npx tsx bench/profile-serve.ts LOGDIR INDEX_FILE PROFILE_DIR [STUDY]   # STUDY default: scan (bench/synthetic-study.ts)
import { spawn } from "node:child_process";
import { getJson } from "./get-json.ts";
import { servedAddress } from "./served-address.ts";
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [root, index, profDir, study = "scan"] = process.argv.slice(2);
if (!root || !index || !profDir) throw new Error("usage: npx tsx bench/profile-serve.ts LOGDIR INDEX_FILE PROFILE_DIR [STUDY]");
const twin = process.env.TWIN ?? join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "twin.js");
const profile = profDir !== "none";
const restart = process.env.RESTART === "1";
if (!restart) for (const f of [index, `${index}-wal`, `${index}-shm`, `${index}.accumulators`]) rmSync(f, { force: true, recursive: true });
if (profile) {
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
}

/** The client's moments, in µs of CLOCK_MONOTONIC (the clock of V8's profiles). */
const marks: [string, number][] = [];
const mark = (what: string): void => void marks.push([what, Number(process.hrtime.bigint() / 1000n)]);
mark("spawn");
const t0 = performance.now();
const child = spawn(process.execPath, [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []), twin, "serve", "--logdir", root, "--port", "0", "--index", index], { stdio: ["ignore", "pipe", "inherit"] });
const url = await servedAddress(child);
const up = performance.now();
mark("up");
await getJson(url + "api/studies");
const listed = performance.now();
mark("list answered");
let view = await getJson(url + `api/studies/${study}`);
const firstAnswer = performance.now();
mark("first view answered");
while (view.partial || view.stale) {
  await new Promise((r) => setTimeout(r, 100));
  view = await getJson(url + `api/studies/${study}`);
}
const done = performance.now();
mark("full view");
let appendedMs: number | undefined;
if (restart) {
  const file = join(root, study, "baseline", "seed-1", "metrics.jsonl");
  const size = statSync(file).size;
  const version = Number(view.version);
  const t = performance.now();
  mark("append 1");
  appendFileSync(file, JSON.stringify({ kind: "scalars", step: 501, wall_time: 0, values: { "train/loss": 0.31 } }) + "\n");
  try {
    while (Number(view.version) <= version || view.stale || view.partial) {
      await new Promise((r) => setTimeout(r, 50));
      mark("view asked");
      view = await getJson(url + `api/studies/${study}`);
      mark(view.stale ? "view answered stale" : `view answered, version ${String(view.version)}`);
    }
    appendedMs = performance.now() - t;
    mark("visible 1");
  } finally {
    truncateSync(file, size);
  }
  const shown = Number(view.version);
  while (Number(view.version) <= shown || view.stale || view.partial) {
    await new Promise((r) => setTimeout(r, 100));
    view = await getJson(url + `api/studies/${study}`);
  }
}
const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
const cpu = (Number(stat[11]) + Number(stat[12])) / 100;
const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024;
const ms = (x: number) => Math.round(x);
console.log(JSON.stringify({ up_ms: ms(up - t0), list_ms: ms(listed - up), first_answer_ms: ms(firstAnswer - listed), first_view_ms: ms(done - listed), from_start_ms: ms(done - t0), server_cpu_s: cpu, ...(appendedMs !== undefined ? { appended_visible_ms: ms(appendedMs) } : {}), peak_rss_mb: Math.round(peak), load_1min: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]) }));
if (profile) writeFileSync(join(profDir, "marks.json"), JSON.stringify(marks));
// A graceful stop: the profiles are written as the threads exit.
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
