// `twin serve` at scale: the dashboard over synthetic log folders of 100,
// 1,000 and 10,000 runs (see synthetic-study.ts), in a child process running
// `twin` as installed (bin/twin.js on a fresh dist/ build), started
// twice per size: "cold" (no index: every log is read) and "restart" (the
// index the first start left), one figure per target: studies list (first and warm), first study view (the first
// answer, partial while the logs are read, and the full view), the
// time until a line appended to a running run is in a fresh view (median and
// worst of UPDATES appends, each to another run; the view is asked for when
// the server announces a change, as the page does, not polled), the slowest studies-list
// answer while those rebuilds run (the API must not wait for them), idle CPU
// over 10 s, memory (RSS after each update: flat or growing; peak), and the
// bytes of the first view and of each update (asked with `?have=` the keys of
// the charts shown, as the page asks). The appended lines are removed afterwards.
//
//   nice -n 10 npx tsx bench/serve.ts [runs...]     # default 100 1000 10000
//
// PROFILE_DIR=dir: the restart runs under `node --cpu-prof` (one .cpuprofile per
// thread in dir/r<runs>) and the bench's own moments (requests, appends,
// announcements) are written beside as marks.json, on the profiles' clock
// (CLOCK_MONOTONIC, µs): `npx tsx bench/profile-timeline.ts dir/r<runs>` lines them up.
//
// Writes bench/results/serve.json (rows of sizes not measured in this run are kept).
import { spawnSync } from "node:child_process";
import { get } from "node:http";
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnGroup } from "./child-group.ts";
import { writeSyntheticStudy } from "./synthetic-study.ts";
import { servedAddress } from "./served-address.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
/** TWIN=path/to/bin/twin.js: another checkout's compiled CLI (built there), e.g. to compare before and after on the same data. */
const TWIN = process.env.TWIN ?? join(repo, "bin", "twin.js");
const STEPS = 500;
/** Lines appended, one after another, each to another run. */
const UPDATES = 10;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const RUNS = sizes.length > 0 ? sizes : [100, 1000, 10000];
const work = join(tmpdir(), "twin-bench");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const profileDir = process.env.PROFILE_DIR;
/** The bench's moments during a profiled run, in µs of CLOCK_MONOTONIC (the clock of V8's profiles). */
let marks: [string, number][] | undefined;
const mark = (what: string): void => void marks?.push([what, Number(process.hrtime.bigint() / 1000n)]);

/** GET over a fresh connection (no keep-alive: a reused socket that the server times out would fail the request, not the dashboard). */
function timedGet(url: string): Promise<{ ms: number; bytes: number; body: Record<string, unknown> }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        try {
          resolve({ ms: performance.now() - t0, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          reject(new Error(`${url}: status 200 but not JSON (${text.length} bytes: ${JSON.stringify(text.slice(0, 200))})`));
        }
      });
    }).on("error", reject);
  });
}

/**
 * The dashboard's change announcements (server-sent events on /api/events),
 * as the page receives them: `after(n)` resolves at the first "study" event
 * after the n-th, so a caller that noted `count()` before a request cannot
 * miss an event that came while it waited for the answer. `connected`
 * resolves at the server's "hello": announcements made before it are not
 * received (a page's stream is open long before a change; the bench waits for
 * it before the first append, else under load the first append's
 * announcement could go out before the stream was registered and the bench
 * waited for its 5 s fallback: a first line of 5.4–5.9 s that no page sees).
 */
function studyEvents(url: string): { count: () => number; after: (n: number) => Promise<void>; connected: Promise<void>; close: () => void } {
  let events = 0;
  let waiters: (() => void)[] = [];
  let buffered = "";
  let hello: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (hello = resolve));
  const req = get(url + "api/events", { agent: false }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (c: string) => {
      buffered += c;
      let end: number;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (/^event: hello$/m.test(message)) hello();
        if (/^event: study$/m.test(message)) {
          mark("study announced");
          events++;
          const ready = waiters;
          waiters = [];
          for (const w of ready) w();
        }
      }
    });
  });
  req.on("error", () => undefined);
  return {
    count: () => events,
    connected,
    after: (n) => (events > n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close: () => req.destroy(),
  };
}

/** utime + stime of a process (or, with `thread`, of that thread only: the main thread's id is the pid), in seconds. */
function cpuSeconds(pid: number, thread?: number): number {
  const f = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function memoryMb(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * One run of the dashboard over `root`: lists, first view, UPDATES appended
 * lines, idle CPU, memory; then a graceful stop (the index keeps the last view).
 */
async function session(runs: number, root: string, index: string, start: "cold" | "restart"): Promise<{ runs: number } & Record<string, unknown>> {
  if (start === "cold") for (const f of [index, `${index}-wal`, `${index}-shm`, `${index}.accumulators`]) rmSync(f, { force: true, recursive: true });
  const profiled = profileDir !== undefined && start === "restart" ? join(profileDir, `r${runs}`) : undefined;
  marks = profiled ? [] : undefined;
  if (profiled) {
    rmSync(profiled, { recursive: true, force: true });
    mkdirSync(profiled, { recursive: true });
  }
  mark("spawn");
  const child = spawnGroup(process.execPath, [...(profiled ? ["--cpu-prof", `--cpu-prof-dir=${profiled}`] : []), TWIN, "serve", "--logdir", root, "--port", "0", "--index", index], { cwd: work, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const url = await servedAddress(child);
  try {
    // The list is answered by the server's main thread: its CPU alone (the view worker starts meanwhile).
    mark("up");
    const mainBefore = cpuSeconds(child.pid!, child.pid!);
    const list = await timedGet(url + "api/studies");
    mark("list answered");
    const listCpu = cpuSeconds(child.pid!, child.pid!) - mainBefore;
    const listWarm = await timedGet(url + "api/studies");
    const cpuBefore = cpuSeconds(child.pid!);
    const t0 = performance.now();
    mark("first view asked");
    const firstAnswer = await timedGet(url + "api/studies/scan");
    let first = firstAnswer;
    // A partial answer (the logs are being read) is asked for again until the view is built.
    while (first.body.partial || first.body.stale) {
      await sleep(100);
      first = await timedGet(url + "api/studies/scan");
    }
    first.ms = performance.now() - t0;
    mark("first view answered");
    const firstCpu = cpuSeconds(child.pid!) - cpuBefore;
    const firstRss = memoryMb(child.pid!).rss;
    let version = Number(first.body.version);
    let slowestList = 0, updating = true;
    const listing = (async () => {
      while (updating) {
        mark("list asked");
        slowestList = Math.max(slowestList, (await timedGet(url + "api/studies")).ms);
        mark("list answered");
        await sleep(100);
      }
    })();
    const visible: number[] = [], rssAfter: number[] = [], seedsRead: number[] = [], updateBytes: number[] = [];
    /** The keys of the charts the page shows (it asks for updates without their specs). */
    const keysOf = (body: Record<string, unknown>): string => ((body.charts ?? []) as { key?: string }[]).flatMap((c) => (c.key ? [c.key] : [])).join(",");
    let have = keysOf(first.body);
    const appended: [string, number][] = [];
    const cpuAppend = cpuSeconds(child.pid!);
    const events = studyEvents(url);
    await events.connected;
    mark("events connected");
    /**
     * Waits until a view newer than `version` (and not stale) is served, asking
     * for it whenever the server announces a change of the study (as the page
     * does; a 5 s fallback if an announcement were lost); returns the ms since t0.
     */
    const fresh = async (t0: number): Promise<number> => {
      for (;;) {
        const seen = events.count();
        mark("view asked");
        const v = await timedGet(url + "api/studies/scan" + (have ? `?have=${have}` : ""));
        mark(v.body.stale ? "view answered stale" : `view answered, version ${String(v.body.version)}`);
        if (Number(v.body.version) > version && !v.body.stale && !v.body.partial) {
          version = Number(v.body.version);
          seedsRead.push(Number(v.body.seedsRead));
          updateBytes.push(v.bytes);
          have = keysOf(v.body);
          return performance.now() - t0;
        }
        if (performance.now() - t0 > 300_000) throw new Error("an appended line was not visible after 300 s");
        await Promise.race([events.after(seen), sleep(5000)]);
      }
    };
    for (let u = 0; u < UPDATES; u++) {
      // A running run writes one more line.
      const file = join(root, "scan", "baseline", `seed-${1 + u}`, "metrics.jsonl");
      appended.push([file, statSync(file).size]);
      const t0 = performance.now();
      mark(`append ${u + 1}`);
      appendFileSync(file, JSON.stringify({ kind: "scalars", step: STEPS + 1, wall_time: 0, values: { "train/loss": 0.31 } }) + "\n");
      visible.push(await fresh(t0));
      mark(`visible ${u + 1}`);
      rssAfter.push(memoryMb(child.pid!).rss);
    }
    updating = false;
    await listing;
    const rebuildCpu = (cpuSeconds(child.pid!) - cpuAppend) / UPDATES;
    // The appended lines are taken out again, and the view follows.
    for (const [file, size] of appended) truncateSync(file, size);
    await fresh(performance.now());
    await sleep(3000);
    const c0 = cpuSeconds(child.pid!);
    await sleep(10_000);
    const idle = ((cpuSeconds(child.pid!) - c0) / 10) * 100;
    events.close();
    const mem = memoryMb(child.pid!);
    if (profiled) writeFileSync(join(profiled, "marks.json"), JSON.stringify(marks));
    return {
      runs,
      start,
      steps: STEPS,
      list_ms: Math.round(list.ms),
      list_warm_ms: Math.round(listWarm.ms),
      list_main_thread_cpu_s: Number(listCpu.toFixed(2)),
      first_answer_ms: Math.round(firstAnswer.ms),
      first_answer: firstAnswer.body.partial ? "partial" : firstAnswer.body.stale ? "stale" : "view",
      first_view_ms: Math.round(first.ms),
      first_view_cpu_s: Number(firstCpu.toFixed(2)),
      first_view_rss_mb: firstRss,
      first_view_bytes: first.bytes,
      update_bytes_median: median(updateBytes.slice(0, UPDATES)),
      update_bytes_max: Math.max(...updateBytes.slice(0, UPDATES)),
      appended_visible_ms: Math.round(median(visible)),
      appended_visible_worst_ms: Math.round(Math.max(...visible)),
      appended_visible_each_ms: visible.map(Math.round),
      seeds_read_per_update: Math.max(...seedsRead.slice(0, UPDATES)),
      rebuild_cpu_s: Number(rebuildCpu.toFixed(2)),
      slowest_list_during_rebuild_ms: Math.round(slowestList),
      idle_cpu_percent: Number(idle.toFixed(2)),
      rss_after_updates_mb: rssAfter,
      rss_mb: mem.rss,
      peak_rss_mb: mem.peak,
    };
  } finally {
    // A graceful stop (the dashboard saves its last views in the index), else killed.
    child.kill("SIGTERM");
    const t = setTimeout(() => child.stop(), 30_000);
    await exited;
    clearTimeout(t);
    child.stop();
  }
}

// The dashboard as `twin` runs it: the compiled CLI, built now when a source is newer.
if (process.env.TWIN === undefined && spawnSync("bash", [join(repo, "scripts", "build.sh"), "--if-stale"], { stdio: "inherit" }).status !== 0) throw new Error("the build failed: bench:serve measures the compiled CLI");
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const rows: { runs: number }[] = [];
for (const runs of RUNS) {
  const root = join(work, `r${runs}`);
  writeSyntheticStudy(root, "scan", runs / 2, STEPS);
  const index = join(work, `index-r${runs}.sqlite`);
  for (const start of ["cold", "restart"] as const) {
    const loadBefore = load();
    const row = { ...(await session(runs, root, index, start)), load_average_1min: [loadBefore[0], load()[0]] };
    console.log(JSON.stringify(row));
    rows.push(row);
  }
}
mkdirSync(join(here, "results"), { recursive: true });
const resultFile = join(here, "results", "serve.json");
let earlier: { runs: number }[] = [];
try {
  earlier = (JSON.parse(readFileSync(resultFile, "utf8")) as { rows: { runs: number }[] }).rows.filter((r) => !RUNS.includes(r.runs));
} catch {
  // No earlier results: this run's rows only.
}
const allRows = [...earlier, ...rows].sort((a, b) => a.runs - b.runs);
writeFileSync(resultFile, JSON.stringify({ note: `twin serve over synthetic log folders (2 variants, 500 steps), started cold (no index) and again (restart: the index the cold start left); times are wall clock on a shared 2-core machine (the *_cpu_s figures are the server's own CPU seconds; rebuild_cpu_s per update); first_answer_ms: the first answer to a study view (first_answer: partial while the logs are read), first_view_ms: until the full view; appended_visible_ms: median of ${UPDATES} appends; load_average_1min: before and after each session; the view is fetched on the server's change announcement, as the page does`, rows: allRows }, null, 2) + "\n");
