// Lines up the per-thread CPU profiles of a profiled dashboard run (bench/serve.ts
// with PROFILE_DIR, node --cpu-prof on every thread) with the bench's own moments
// (marks.json: µs of CLOCK_MONOTONIC, the clock of V8's profiles): for each slice
// of FROM..TO (marks, default "spawn".."visible 1"), each thread's busy
// milliseconds and where they went (the innermost frame of twin's own code, else
// the innermost frame; "(garbage collector)", "(program)" as V8 names them).
//
//   npx tsx bench/profile-timeline.ts DIR [SLICE_MS=100] [FROM] [TO]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; samples: number[]; timeDeltas: number[] }

const [dir, sliceArg = "100", from = "spawn", to = "visible 1"] = process.argv.slice(2);
if (!dir) throw new Error("usage: npx tsx bench/profile-timeline.ts DIR [SLICE_MS] [FROM] [TO]");
const slice = Number(sliceArg) * 1000;
const marks = JSON.parse(readFileSync(join(dir, "marks.json"), "utf8")) as [string, number][];
const at = (name: string): number => {
  const m = marks.find(([w]) => w === name);
  if (!m) throw new Error(`no mark "${name}" (marks: ${[...new Set(marks.map(([w]) => w))].join(", ")})`);
  return m[1];
};
const t0 = at("spawn"), start = at(from), end = at(to);

/** A frame's short name: function, file and line. */
const frameName = (n: Node): string => {
  const f = n.callFrame;
  if (!f.url) return f.functionName || "(anonymous)";
  const file = f.url.replace(/^.*\/(src|dist|node_modules)\//, "$1/");
  return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
};
const own = (n: Node): boolean => /\/(src|dist)\//.test(n.callFrame.url) && !/node_modules/.test(n.callFrame.url) && n.callFrame.functionName !== "";

const threads: { name: string; samples: { t: number; what: string }[] }[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort()) {
  const p = JSON.parse(readFileSync(join(dir, f), "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = new Map<number, string>();
  const what = (id: number): string => {
    let l = label.get(id);
    if (l !== undefined) return l;
    const leaf = byId.get(id)!;
    l = frameName(leaf);
    if (!own(leaf)) {
      for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
        const n = byId.get(up)!;
        if (own(n)) {
          l = `${frameName(n)} > ${leaf.callFrame.functionName || "(anonymous)"}`;
          break;
        }
      }
    }
    label.set(id, l);
    return l;
  };
  let t = p.startTime;
  const samples: { t: number; what: string }[] = [];
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i]!;
    const w = what(id);
    if (w !== "(idle)") samples.push({ t, what: w });
  });
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread.
  const tid = f.split(".")[4];
  threads.push({ name: tid === "0" ? "server" : `thread ${tid}`, samples });
}

const ms = (us: number): string => (us / 1000).toFixed(0);
console.log(`marks (ms after spawn): ${marks.filter(([w]) => !w.startsWith("list ")).map(([w, t]) => `${w} ${ms(t - t0)}`).join(" · ")}`);
console.log(`lists asked during ${from}..${to}: ${marks.filter(([w, t]) => w === "list asked" && t >= start && t <= end).length}`);
for (let s = start; s < end; s += slice) {
  const e = Math.min(end, s + slice);
  const inSlice = marks.filter(([w, t]) => t >= s && t < e && !w.startsWith("list ")).map(([w]) => w);
  const parts: string[] = [];
  for (const th of threads) {
    const here = th.samples.filter((x) => x.t >= s && x.t < e);
    if (here.length === 0) continue;
    // Each sample stands for the interval to the next one (about 1 ms).
    const tally = new Map<string, number>();
    for (const x of here) tally.set(x.what, (tally.get(x.what) ?? 0) + 1);
    const top = [...tally].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => `${w} ${n}`).join("; ");
    parts.push(`  ${th.name}: ${here.length} samples — ${top}`);
  }
  console.log(`${ms(s - t0)}–${ms(e - t0)} ms${inSlice.length ? ` [${inSlice.join(", ")}]` : ""}`);
  for (const p of parts) console.log(p);
}
for (const th of threads) {
  const here = th.samples.filter((x) => x.t >= start && x.t < end);
  const tally = new Map<string, number>();
  for (const x of here) tally.set(x.what, (tally.get(x.what) ?? 0) + 1);
  console.log(`\n${th.name}, ${from}..${to}: ${here.length} samples`);
  for (const [w, n] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${String(n).padStart(6)}  ${w}`);
}
