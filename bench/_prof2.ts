import { Session } from "node:inspector/promises";
import { appendFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { LogDirSource } from "../src/report/sources/log-dir.ts";
import { ViewBuilder } from "../src/serve/view-builder.ts";
const dir = process.argv[2]!;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const src = new LogDirSource(dir, { index: process.argv[3] });
const b = new ViewBuilder(src);
let t = cpu();
let v = await b.view("scan", {}); console.log("first", (cpu() - t).toFixed(2), v?.seedsRead);
t = cpu(); v = await b.view("scan", {}); console.log("prewarm/second", (cpu() - t).toFixed(2), v?.seedsRead);
const file = `${dir}/scan/baseline/seed-1/metrics.jsonl`;
const size = statSync(file).size;
const s = new Session(); s.connect(); await s.post("Profiler.enable"); await s.post("Profiler.start");
for (let u = 0; u < 3; u++) {
  appendFileSync(file, JSON.stringify({ kind: "scalars", step: 501 + u, wall_time: 0, values: { "train/loss": 0.31 } }) + "\n");
  t = cpu(); v = await b.view("scan", {}); { const m0 = process.memoryUsage(); (globalThis as any).gc?.(); const m = process.memoryUsage(); console.log("update", (cpu() - t).toFixed(2), v?.seedsRead, "rss", Math.round(m0.rss / 1e6), "heapUsed before/after gc", Math.round(m0.heapUsed / 1e6), Math.round(m.heapUsed / 1e6), "heapTotal", Math.round(m.heapTotal/1e6), "ab", Math.round(m.arrayBuffers / 1e6), "ext", Math.round(m.external/1e6), "rss after gc", Math.round(m.rss/1e6)); }
}
const { profile } = await s.post("Profiler.stop");
writeFileSync("/tmp/scale-cpuprof/update.cpuprofile", JSON.stringify(profile));
truncateSync(file, size);
await b.close(); await src.close();
