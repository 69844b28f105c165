// Profiles a cold `twin serve` first view: node --cpu-prof on the server (worker profiled via TWIN_WORKER_PROF).
import { spawn } from "node:child_process";
import { get } from "node:http";
import { rmSync, mkdirSync } from "node:fs";
const [root, index, profDir] = process.argv.slice(2) as [string, string, string];
for (const f of [index, `${index}-wal`, `${index}-shm`]) rmSync(f, { force: true });
rmSync(profDir, { recursive: true, force: true });
mkdirSync(profDir, { recursive: true });
const getJson = (url: string) => new Promise<any>((res, rej) => get(url, { agent: false }, (r) => { let t = ""; r.on("data", (c) => (t += c)); r.on("end", () => res(JSON.parse(t))); }).on("error", rej));
const t0 = performance.now();
const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "bin/twin.js", "serve", "--logdir", root, "--port", "0", "--index", index], { stdio: ["ignore", "pipe", "inherit"]});
const url = await new Promise<string>((resolve) => { let out = ""; child.stdout!.on("data", (c) => { out += c; const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) resolve(m[1]!); }); });
const tUp = performance.now();
await getJson(url + "api/studies");
const tList = performance.now();
let v = await getJson(url + "api/studies/scan");
const tFirst = performance.now();
while (v.partial || v.stale) { await new Promise((r) => setTimeout(r, 100)); v = await getJson(url + "api/studies/scan"); }
const tView = performance.now();
console.log(JSON.stringify({ up_ms: Math.round(tUp - t0), list_ms: Math.round(tList - tUp), first_answer_ms: Math.round(tFirst - tList), first_view_ms: Math.round(tView - tList), from_spawn_ms: Math.round(tView - t0), charts: v.charts?.length }));
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
