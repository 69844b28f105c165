// `twin report` and `twin stats` at scale: synthetic studies of 100, 1,000 and
// 10,000 runs (two variants, 500 steps, metrics.jsonl; see synthetic-study.ts),
// each reported by the CLI in a child process under /usr/bin/time (peak RSS,
// CPU seconds, wall seconds), the HTML's size, and the time Chromium takes to
// open it (when /usr/bin/chromium is there); then `twin stats` of the same
// folder under /usr/bin/time (stats_* fields). CPU seconds are the figure to
// read on a shared machine: wall time includes waiting for a core.
//
//   nice -n 10 npx tsx bench/report.ts [runs...]     # default 100 1000 10000
//
// Writes bench/results/report.json, with the growth law: CPU seconds as a
// fixed part plus a cost per run (fitted on the two largest sizes).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticStudy } from "./synthetic-study.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const STEPS = 500;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const RUNS = sizes.length > 0 ? sizes : [100, 1000, 10000];
const work = join(tmpdir(), "twin-bench");

function parseTime(text: string): { rssMb: number; cpuS: number; wallS: number } {
  const m = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(text);
  if (!m) throw new Error(`no /usr/bin/time line in: ${text.slice(-400)}`);
  return { rssMb: Number(m[1]) / 1024, cpuS: Number(m[2]) + Number(m[3]), wallS: Number(m[4]) };
}

async function chromiumOpenMs(file: string): Promise<number | null> {
  if (!existsSync("/usr/bin/chromium")) return null;
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = Date.now();
    await page.goto("file://" + file, { waitUntil: "load" });
    // The page draws its charts from their specs after it loads: opened means every chart drawn.
    await page.waitForSelector("html[data-charts]", { timeout: 300_000 });
    if ((await page.getAttribute("html", "data-charts")) !== "drawn") throw new Error(`${file}: a chart could not be drawn in Chromium`);
    return Date.now() - t0;
  } finally {
    await browser.close();
  }
}

const rows = [];
for (const runs of RUNS) {
  const root = join(work, `r${runs}`);
  writeSyntheticStudy(root, "scan", runs / 2, STEPS);
  const html = join(work, `report-${runs}.html`);
  const run = spawnSync("/usr/bin/time", ["-f", "TIME %M %U %S %e", process.execPath, "--import", "tsx", "src/cli/main.ts", "report", join(root, "scan"), "-o", html], { cwd: repo, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`twin report of ${runs} runs failed: ${run.stderr}`);
  const r = parseTime(run.stderr);
  const bytes = statSync(html).size;
  const openMs = await chromiumOpenMs(html);
  const stats = spawnSync("/usr/bin/time", ["-f", "TIME %M %U %S %e", process.execPath, "--import", "tsx", "src/cli/main.ts", "stats", join(root, "scan")], { cwd: repo, encoding: "utf8" });
  if (stats.status !== 0) throw new Error(`twin stats of ${runs} runs failed: ${stats.stderr}`);
  const st = parseTime(stats.stderr);
  const row = {
    runs, steps: STEPS, peak_rss_mb: Math.round(r.rssMb), cpu_s: Number(r.cpuS.toFixed(2)), wall_s: r.wallS, html_mb: Number((bytes / 1e6).toFixed(2)), chromium_open_ms: openMs,
    stats_peak_rss_mb: Math.round(st.rssMb), stats_cpu_s: Number(st.cpuS.toFixed(2)), stats_wall_s: st.wallS,
  };
  console.log(JSON.stringify(row));
  rows.push(row);
}
// Growth law: CPU = fixed + per-run × runs (start-up, rendering and the page are the fixed part), from the two largest sizes.
const [a, b] = rows.slice(-2);
const perRunMs = a && b ? ((b.cpu_s - a.cpu_s) / (b.runs - a.runs)) * 1000 : null;
const fixedS = a && perRunMs !== null ? a.cpu_s - (perRunMs / 1000) * a.runs : null;
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "report.json"),
  JSON.stringify({ note: "twin report and twin stats (stats_*) of synthetic studies (2 variants, 500 steps); cpu_s = user + sys of the CLI process, including its start-up; growth is the report's", growth: { fixed_cpu_s: fixedS && Number(fixedS.toFixed(2)), per_run_cpu_ms: perRunMs && Number(perRunMs.toFixed(2)) }, rows }, null, 2) + "\n",
);
console.log(`CPU ≈ ${fixedS?.toFixed(1)} s + ${perRunMs?.toFixed(2)} ms × runs (linear in the data read; memory and HTML size nearly flat)`);
