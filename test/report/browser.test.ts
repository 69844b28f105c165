/**
 * Real-browser tests: Debian's chromium driven by playwright-core opens the
 * static report and the live dashboard. Installs chromium with apt-get when
 * it is missing (a minute, once per machine). Screenshots go to test-artifacts/.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { writeFixture } from "./fixture.ts";
import { writePredictionFixture } from "./fixture-predictions.ts";
import { buildReport, loadStudyDir, locateStudy, LogDirSource, startDashboard, StoreSource } from "../../src/report/index.ts";
import { runSweep } from "../../src/study/sweep.ts";
import { openStore } from "../../src/store/index.ts";
import { RunLogger } from "../../src/log/index.ts";
import { writeDesignFile } from "../../src/study/factorial-design-record.ts";
import { pValueText } from "../../src/stats/p-value-text.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = resolve("test-artifacts");
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

/** Installs Debian's chromium with apt-get when it is not there (idempotent). */
function ensureChromium(): void {
  const installed = spawnSync("dpkg", ["-s", "chromium"], { encoding: "utf8" });
  if (existsSync(CHROMIUM) && installed.status === 0 && /Status: install ok installed/.test(installed.stdout)) return;
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const apt = (args: string[]): void => {
    const [cmd, ...rest] = [...sudo, "apt-get", ...args];
    // stdout is the test runner's channel from this process: apt-get writes to stderr.
    execFileSync(cmd!, rest, { stdio: ["ignore", 2, 2], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  };
  try {
    apt(["install", "-y", "--no-install-recommends", "chromium"]);
  } catch {
    apt(["update"]);
    apt(["install", "-y", "--no-install-recommends", "chromium"]);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
}

const root = mkdtempSync(join(tmpdir(), "twin-browser-"));
let context: BrowserContext;

before(async () => {
  ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await chromium.launchPersistentContext(join(root, "profile"), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await context?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Collects console errors and page errors of a page, and every Content-Security-Policy violation it reports (logged as an error by a script added before the page's own). */
async function watchErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(() => {
    type Violation = { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number };
    const g = globalThis as unknown as { document: { addEventListener(t: string, f: (e: Violation) => void): void }; console: { error(s: string): void } };
    g.document.addEventListener("securitypolicyviolation", (e) => g.console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  return errors;
}

/** Opens a report file and waits until its script has drawn every chart from its spec (the report draws its charts in the browser). */
async function openReport(page: Page, file: string): Promise<void> {
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector("html[data-charts]", { timeout: 60_000 });
  assert.equal(await page.getAttribute("html", "data-charts"), "drawn", "every chart drawn");
  assert.equal(await page.locator("figure[data-chart]:not([data-drawn])").count(), 0);
}

/** Waits until the dashboard's view keeps its data version for a second (a redraw replaces every chart's elements). */
async function viewSettled(page: Page): Promise<void> {
  const version = () => page.$eval("#updated", (e) => e.getAttribute("data-version"));
  for (let last = await version(); ; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await version();
    if (now === last) return;
    last = now;
  }
}

/** Opens a log folder's dashboard at a study's view in a new page, runs `use`, checks the page logged no errors, and closes both. */
async function onDashboard(logdir: string, study: string, use: (page: Page) => Promise<void>): Promise<void> {
  const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 200 });
  const page = await context.newPage();
  const errors = await watchErrors(page);
  try {
    await page.goto(`${dash.url}#${study}`);
    await use(page);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await dash.close();
  }
}

/** For every chart, once the page has drawn each one: the SVG elements of each named mark group, against the counts the chart declares. */
async function checkCharts(page: Page): Promise<string[]> {
  type Doc = { querySelector(s: string): unknown };
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { document: Doc }).document;
    return !d.querySelector("figure[data-chart]:not([data-drawn])") || d.querySelector('[data-charts="failed"]');
  }, undefined, { timeout: 60_000 });
  assert.deepEqual(await page.locator("figure[data-chart]:not([data-drawn])").evaluateAll((f) => f.map((x) => `${x.getAttribute("data-chart")}: ${x.textContent}`)), [], "every chart drawn");
  const results = await page.$$eval("figure[data-chart]", (figs) =>
    figs.map((f) => {
      const marks = JSON.parse(f.getAttribute("data-marks") ?? "{}") as Record<string, number>;
      const found: Record<string, number> = {};
      for (const name of Object.keys(marks)) {
        found[name] = f.querySelectorAll(`svg g.${name}_marks path, svg g.${name}_marks line, svg g.${name}_marks rect`).length;
      }
      return { id: f.getAttribute("data-chart")!, marks, found, svg: f.querySelectorAll("svg").length, width: f.querySelector("svg")?.getBoundingClientRect().width ?? 0 };
    }),
  );
  for (const r of results) {
    assert.equal(r.svg, 1, `${r.id}: one svg`);
    assert.ok(r.width > 200, `${r.id}: drawn (${r.width}px wide)`);
    assert.deepEqual(r.found, r.marks, `${r.id}: marks drawn vs declared`);
  }
  return results.map((r) => r.id);
}

/**
 * Writes a report page, opens it in a new page, waits until every chart is
 * drawn and checks each one's marks against what it declares (and, with
 * `charts`, that these are the charts on the page, in order); runs `use`; then
 * checks that the page logged no errors and fetched nothing, and closes it.
 */
async function onReport(name: string, report: { html: string; charts?: string[] }, use: (page: Page, ids: string[]) => Promise<void>): Promise<void> {
  const file = join(root, `${name}.html`);
  writeFileSync(file, report.html);
  const page = await context.newPage();
  const errors = await watchErrors(page);
  const requests: string[] = [];
  page.on("request", (q) => {
    if (!q.url().startsWith("file:")) requests.push(q.url());
  });
  try {
    await openReport(page, file);
    const ids = await checkCharts(page);
    if (report.charts) assert.deepEqual(ids, report.charts);
    await use(page, ids);
    assert.deepEqual(requests, [], "the report loads nothing from the network");
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
}

test("the static report opens in chromium with every chart drawn and no console errors", { timeout: 180_000 }, async () => {
  const studyDir = writeFixture(join(root, "logs"), { shortRun: { variant: "dropout", seed: 4, steps: 35 }, blackSwan: { variant: "wider", seed: 2 } });
  const r = await buildReport(loadStudyDir(studyDir));
  await onReport("report", r, async (page, ids) => {
    for (const id of ["curve-eval-accuracy", "paired-eval-accuracy", "distribution-val-accuracy", "differences-val-accuracy", "power-val-accuracy", "expected-max-val-accuracy"]) assert.ok(ids.includes(id), id);
    // Expected counts on the main curve: 15 seed lines, 3 bands and 3 means, dropout's each in two parts (its seed 4 stops after step 35), one dotted line where.
    const curve = await page.$eval('figure[data-chart="curve-eval-accuracy"]', (f) => f.getAttribute("data-marks"));
    assert.deepEqual(JSON.parse(curve!), { seeds: 15, band: 4, mean: 4, runsets: 1 });
    // Each seed's line is drawn in its variant's colour (the colours of the mean lines), and the chart spans the page's column.
    const drawn = await page.$eval('figure[data-chart="curve-eval-accuracy"]', (f) => ({
      seeds: [...new Set([...f.querySelectorAll("g.seeds_marks path")].map((p) => p.getAttribute("stroke")))].sort(),
      means: [...new Set([...f.querySelectorAll("g.mean_marks path")].map((p) => p.getAttribute("stroke")))].sort(),
      width: f.querySelector("svg")!.getBoundingClientRect().width,
      figure: f.getBoundingClientRect().width,
      column: f.closest("main")!.getBoundingClientRect().width,
    }));
    assert.equal(drawn.seeds.length, 3, JSON.stringify(drawn));
    assert.deepEqual(drawn.seeds, drawn.means);
    assert.ok(drawn.width >= 0.9 * drawn.figure && drawn.figure >= 0.9 * drawn.column, `the chart is ${drawn.width}px wide in a ${drawn.figure}px figure in a ${drawn.column}px column`);
    assert.equal(await page.locator("#comparisons-table tbody tr").count(), 2);
    assert.equal(await page.locator("#repro-status").textContent(), "consistent");
    await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true });
    await page.locator('figure[data-chart="curve-eval-accuracy"]').screenshot({ path: join(ARTIFACTS, "report-curve.png") });
    // A paired black swan is a cross among the differences, named with its seed and robust z in its tooltip and the caption.
    const diffs = page.locator('figure[data-chart="differences-val-accuracy"]');
    assert.match((await diffs.locator("figcaption").textContent())!, /Crosses are black swans .*wider − baseline: seed 2 \(robust z [-−][\d.]+\)/);
    const swans = diffs.locator("g.swans_marks path");
    assert.equal(await swans.count(), 2);
    const tips: string[] = [];
    for (let i = 0; i < 2; i++) {
      await swans.nth(i).hover({ force: true });
      const tip = await page.waitForFunction((last) => {
        const t = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document.querySelector('figure[data-chart="differences-val-accuracy"] [title]')?.getAttribute("title");
        return t && t.includes("robust z") && t !== last ? t : null;
      }, tips[i - 1] ?? "", { timeout: 10_000 });
      tips.push(String(await tip.jsonValue()));
    }
    assert.ok(tips.some((t) => /comparison: wider − baseline[\s\S]*seed: 2[\s\S]*robust z: [-−][\d.]+/.test(t)), tips.join(" | "));
    await diffs.screenshot({ path: join(ARTIFACTS, "report-differences-swans.png") });
  });
});

test("legends list only what is drawn; a few logged steps get a tick each", { timeout: 120_000 }, async () => {
  // 20 steps: val/* logged once (a one-step chart), eval/* at steps 5, 10, 15 and 20.
  const r = await buildReport(loadStudyDir(writeFixture(join(root, "short-logs"), { study: "short", seeds: 4, steps: 20 })));
  await onReport("short-report", r, async (page) => {
    const chart = (id: string) =>
      page.$eval(`figure[data-chart="${id}"]`, (f) => ({
        legends: [...f.querySelectorAll("g.role-legend-title text")].map((t) => t.textContent),
        legendLabels: [...f.querySelectorAll("g.role-legend-label text")].map((t) => t.textContent),
        xTicks: [...f.querySelectorAll('g.role-axis[aria-label^="X-axis"] g.role-axis-label text')].map((t) => t.textContent),
        lineSwatches: [...f.querySelectorAll("g.role-legend-symbol path")].map((p) => p.getAttribute("stroke")),
      }));
    const once = await chart("curve-val-accuracy");
    assert.deepEqual(once.legends, ["variant"], "a one-step chart draws dots, ticks and bars, not lines or bands");
    const curve = await chart("curve-eval-accuracy");
    assert.deepEqual(curve.legends, ["variant", "lines", "band"]);
    assert.deepEqual(curve.xTicks, ["5", "10", "15", "20"]);
    assert.ok(curve.lineSwatches.includes("#444"), `the lines legend's swatches are dark: ${curve.lineSwatches.join(", ")}`);
    await page.locator('figure[data-chart="curve-val-accuracy"]').screenshot({ path: join(ARTIFACTS, "one-step-chart.png") });
    await page.locator('figure[data-chart="curve-eval-accuracy"]').screenshot({ path: join(ARTIFACTS, "four-step-chart.png") });
  });
});

test("a report of the example A/B study, trained by twin compare, opens in chromium with every chart drawn", { timeout: 300_000 }, async () => {
  // The example study, shortened to 150 steps per run (3 shared evaluations) and 3 seeds, trained for real.
  const logdir = join(root, "example-logs");
  const run = spawnSync(
    process.execPath,
    ["bin/twin.js", "compare", "examples/fmnist-dropout.study.ts", "--seeds", "3", "--steps", "150", "--logdir", logdir, "--store", join(root, "example.db"), "--json"],
    { encoding: "utf8", timeout: 240_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const r = await buildReport(loadStudyDir(join(logdir, "fmnist-dropout")));
  await onReport("example-report", r, async (page, ids) => {
    for (const id of ["curve-eval-accuracy", "paired-eval-accuracy", "curve-train-loss", "distribution-val-accuracy"]) assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`);
    // Two variants × three seeds, each seed a thin line, one band and one mean per variant.
    const curve = await page.$eval('figure[data-chart="curve-eval-accuracy"]', (f) => f.getAttribute("data-marks"));
    assert.deepEqual(JSON.parse(curve!), { seeds: 6, band: 2, mean: 2 });
    assert.equal(await page.locator("#comparisons-table tbody tr").count(), 1);
    assert.equal(await page.locator("#repro-status").textContent(), "consistent");
    await page.screenshot({ path: join(ARTIFACTS, "example-report.png"), fullPage: true });
  });
});

test("the dashboard lists studies, shows the views, and follows a running study live", { timeout: 180_000 }, async () => {
  const logdir = join(root, "live");
  writeFixture(logdir, { seeds: 4, steps: 30 });
  const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 200 });
  const page = await context.newPage();
  const errors = await watchErrors(page);
  let logger: RunLogger | undefined;
  try {
    await page.goto(dash.url);
    await page.waitForSelector('figure[data-chart="curve-val-accuracy"]', { timeout: 30_000 });
    await page.waitForSelector("#live.on");
    assert.equal(await page.locator("#studies li").count(), 1);
    await checkCharts(page);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: false });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-full.png"), fullPage: true });
    // A seed's point shows its tooltip on hover (Vega's handler in the page sets the title).
    const seedPoint = page.locator('figure[data-chart="distribution-val-accuracy"] g.seedpoints_marks path').first();
    await seedPoint.scrollIntoViewIfNeeded();
    await seedPoint.hover({ force: true });
    const tip = await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document.querySelector('figure[data-chart="distribution-val-accuracy"] [title]')?.getAttribute("title"), undefined, { timeout: 10_000 });
    assert.match(String(await tip.jsonValue()), /variant: \w+[\s\S]*seed: \d[\s\S]*value: [\d.]+[\s\S]*robust z: [-−]?[\d.]+/);

    // A running process writes a new run with a new metric while the page is open.
    logger = new RunLogger({ logdir, study: "ab", variant: "baseline", seed: 7, flushSecs: 0 });
    for (let step = 1; step <= 5; step++) logger.log(step, { "eval/f1": 0.5 + 0.05 * step });
    await page.waitForSelector('figure[data-chart="curve-eval-f1"]', { timeout: 20_000 });
    assert.equal(await page.locator('tr[data-run="baseline/7"]').count(), 1);
    // More steps of the same run show up too, and the charts they do not change keep their drawing (the page is sent the view without it).
    await checkCharts(page);
    await page.$eval('figure[data-chart="curve-val-accuracy"] .chart-view > svg', (svg) => svg.setAttribute("data-kept-check", ""));
    // From here on every chart is shown drawn at every moment: a changed chart keeps its previous drawing until the new one replaces it.
    await page.evaluate(() => {
      type El = { querySelector(s: string): unknown; getAttribute(a: string): string | null };
      const g = globalThis as unknown as { blank: string[]; document: { getElementById(id: string): unknown; querySelectorAll(s: string): Iterable<El> }; MutationObserver: new (f: () => void) => { observe(t: unknown, o: object): void } };
      g.blank = [];
      new g.MutationObserver(() => {
        for (const f of g.document.querySelectorAll("figure[data-chart]")) if (!f.querySelector("svg")) g.blank.push(f.getAttribute("data-chart")!);
      }).observe(g.document.getElementById("view"), { childList: true, subtree: true });
    });
    // Each update is sent with only the specs of the charts it changed.
    const updates: { have: number; specs: number; charts: number }[] = [];
    page.on("response", (r) => {
      const have = new URL(r.url()).searchParams.get("have");
      if (!have || !r.url().includes("/api/studies/ab")) return;
      void r.json().then((v: { html: string; charts: unknown[] }) => updates.push({ have: have.split(",").length, specs: (v.html.match(/class="chart-spec"/g) ?? []).length, charts: v.charts.length }), () => undefined);
    });
    const before = await page.$eval('figure[data-chart="curve-eval-f1"]', (f) => Number(f.getAttribute("data-points")));
    for (let step = 6; step <= 10; step++) logger.log(step, { "eval/f1": 0.5 + 0.03 * step });
    type Doc = { querySelector(s: string): { getAttribute(a: string): string | null } | null };
    const grown = (n: number): boolean => Number((globalThis as unknown as { document: Doc }).document.querySelector('figure[data-chart="curve-eval-f1"]')?.getAttribute("data-points")) > n;
    await page.waitForFunction(grown, before, { timeout: 20_000 });
    // Each logged line announces a new version and the page redraws the view: measure once it has stopped changing.
    await viewSettled(page);
    await checkCharts(page);
    assert.equal(await page.locator('figure[data-chart="curve-val-accuracy"] .chart-view > svg[data-kept-check]').count(), 1, "an unchanged chart keeps its drawing");
    assert.equal(await page.locator("figure[data-kept]").count(), 0);
    assert.ok(updates.length > 0 && updates.every((u) => u.specs < u.charts && u.specs + u.have >= u.charts), `updates sent only the changed specs: ${JSON.stringify(updates)}`);
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { blank: string[] }).blank), [], "no chart shown blank during the updates");
    await page.locator('figure[data-chart="curve-eval-f1"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png") });
    assert.deepEqual(errors, []);
  } finally {
    logger?.close();
    await page.close();
    await dash.close();
  }
});

test("a second visit takes the dashboard's scripts and style from the browser's cache: only the page and the API are fetched", { timeout: 120_000 }, async () => {
  const logdir = join(root, "cached");
  writeFixture(logdir, { seeds: 3, steps: 20 });
  const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 200 });
  type Entry = { name: string; transferSize: number; encodedBodySize: number };
  const visit = async (): Promise<Entry[]> => {
    const page = await context.newPage();
    const errors = await watchErrors(page);
    try {
      await page.goto(`${dash.url}#ab`);
      await page.waitForSelector('figure[data-chart="curve-val-accuracy"][data-drawn]', { timeout: 60_000 });
      assert.deepEqual(errors, []);
      return await page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(t: string): Entry[] } }).performance.getEntriesByType("resource").map((e) => ({ name: e.name, transferSize: e.transferSize, encodedBodySize: e.encodedBodySize })));
    } finally {
      await page.close();
    }
  };
  try {
    const assets = (entries: Entry[]) => entries.filter((e) => new URL(e.name).pathname.startsWith("/assets/"));
    const first = assets(await visit());
    assert.equal(first.length, 6, first.map((e) => e.name).join(", "));
    const bytes = first.reduce((a, e) => a + e.encodedBodySize, 0);
    assert.ok(bytes > 700_000 && first.every((e) => e.transferSize > 0), `the first visit fetches ${bytes} bytes of scripts and style`);
    const second = assets(await visit());
    assert.deepEqual(second.map((e) => e.name).sort(), first.map((e) => e.name).sort());
    assert.deepEqual(second.filter((e) => e.transferSize > 0).map((e) => e.name), [], "the second visit fetches no script or style");
  } finally {
    await dash.close();
  }
});

test("the dashboard draws a study of 600 runs: curves summarised, every chart drawn, no CSP violation", { timeout: 240_000 }, async () => {
  const logdir = join(root, "many");
  writeFixture(logdir, { study: "many", variants: ["baseline", "wider"], seeds: 300, steps: 30, checks: false });
  await onDashboard(logdir, "many", async (page) => {
    await page.waitForSelector('figure[data-chart="curve-val-accuracy"]', { timeout: 120_000 });
    await checkCharts(page);
    assert.match((await page.locator("#updated").textContent())!, /600 runs/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-many-runs.png"), fullPage: true });
  });
});

test("the report of a swept study (runs and curves from the store) opens in chromium with every chart drawn", { timeout: 180_000 }, async () => {
  const cwd = join(root, "sweep-project");
  mkdirSync(cwd, { recursive: true });
  const script = join(cwd, "train.mjs");
  writeFileSync(
    script,
    `const seed = Number(process.env.TWIN_SEED ?? 0), gain = Number(process.argv[2] ?? 0);
for (let step = 1; step <= 30; step++) console.log(JSON.stringify({ step, train_loss: 1 / step + 0.02 * Math.cos(seed + step), val_accuracy: 0.6 + 0.01 * step + gain + 0.004 * Math.sin(seed * 3.1 + step) }));\n`,
  );
  const sweep = await runSweep({ cwd, name: "swept", seeds: 5, onWarning: () => {}, variants: [{ name: "base", command: [process.execPath, script, "0"] }, { name: "better", command: [process.execPath, script, "0.01"] }] });
  assert.ok(sweep.runs.every((r) => r.status === "finished"));
  const source = new StoreSource(await openStore(undefined, { cwd }));
  let r;
  try {
    const found = await locateStudy("swept", { logdir: join(cwd, "runs"), store: source });
    r = await buildReport((await found.source.openStudy(found.name))!);
  } finally {
    await source.close();
  }
  assert.doesNotMatch(r.html, /twin-trained/);
  await onReport("sweep-report", r, async (page, ids) => {
    for (const id of ["curve-val-accuracy", "curve-train-loss", "paired-val-accuracy", "distribution-val-accuracy", "differences-val-accuracy"]) assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`);
    assert.deepEqual(JSON.parse((await page.$eval('figure[data-chart="curve-val-accuracy"]', (f) => f.getAttribute("data-marks")))!), { seeds: 10, band: 2, mean: 2 });
    assert.match((await page.locator("#verdict").textContent())!, /separate runs, paired by seed/);
    await page.screenshot({ path: join(ARTIFACTS, "sweep-report.png"), fullPage: true });
  });
});

test("twin seeds --vary each is one study: one log folder, one dashboard entry, variance by factor in its report", { timeout: 600_000 }, async () => {
  const logdir = join(root, "vary-logs");
  const run = spawnSync(
    process.execPath,
    ["bin/twin.js", "seeds", "examples/fmnist-seeds.study.ts", "--n", "3", "--vary", "each", "--steps", "20", "--logdir", logdir, "--store", join(root, "vary.db"), "--json"],
    { encoding: "utf8", timeout: 540_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const source = new LogDirSource(logdir);
  const studies = await source.listStudies();
  assert.equal(studies.length, 1, studies.map((s) => s.name).join(", "));
  const study = studies[0]!;
  // all + 6 factors, 3 seeds each, the shared root run once: 1 + 7 × 2 twin runs.
  assert.equal(study.seeds, 15);
  const r = await buildReport((await source.openStudy(study.name))!);
  assert.equal(r.model.variance.available, true, r.model.variance.reason);
  assert.deepEqual(new Set(r.model.variance.factors.map((f) => f.n)), new Set([3]));
  await onReport("vary-report", r, async (page) => {
    assert.equal(await page.locator("#variance figure[data-chart]").count(), 1);
    assert.match((await page.locator("#variance p.shares").first().textContent())!, /The shares add up to [\d.]+%/);
    await page.locator("#variance").screenshot({ path: join(ARTIFACTS, "vary-each-variance.png") });
  });
  const dash = await startDashboard({ source, port: 0, pollMs: 200 });
  const dpage = await context.newPage();
  try {
    await dpage.goto(dash.url);
    await dpage.waitForSelector("#variance figure[data-chart]", { timeout: 60_000 });
    assert.equal(await dpage.locator("#studies li").count(), 1);
  } finally {
    await dpage.close();
    await dash.close();
  }
});

test("the dashboard's metric picker, curve smoothing and two-study view", { timeout: 180_000 }, async () => {
  const logdir = join(root, "picker");
  writeFixture(logdir, { study: "ab", seeds: 4, steps: 30 });
  writeFixture(logdir, { study: "cd", seeds: 3, steps: 30 });
  const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 200 });
  const page = await context.newPage();
  const errors = await watchErrors(page);
  try {
    await page.goto(dash.url + "#ab");
    await page.waitForSelector('figure[data-chart="distribution-val-accuracy"]', { timeout: 30_000 });
    assert.equal(await page.locator("#metric").inputValue(), "val/accuracy");
    const options = await page.locator("#metric option").allTextContents();
    for (const t of ["eval/accuracy", "eval/loss", "train/loss", "val/loss"]) assert.ok(options.includes(t), t);
    assert.ok(!options.some((t) => t.startsWith("paired/")));
    await page.selectOption("#metric", "eval/loss");
    await page.waitForSelector('figure[data-chart="distribution-eval-loss"]', { timeout: 30_000 });
    assert.match((await page.locator("#updated").textContent())!, /verdict on eval\/loss/);
    assert.equal(await page.locator("#metric").inputValue(), "eval/loss");
    assert.match((await page.locator("#verdict").textContent())!, /lower is better/);
    await checkCharts(page);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-metric-picker.png") });
    // Smoothing: off by default, labelled in the captions when on.
    assert.equal(await page.locator("#smooth-value").textContent(), "off");
    await page.locator("#smooth").fill("0.6");
    await page.locator("#smooth").dispatchEvent("change");
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector("#smooth-value")?.textContent === "EMA weight 0.6", undefined, { timeout: 30_000 });
    assert.match((await page.locator('figure[data-chart="curve-eval-loss"] figcaption').textContent())!, /Smoothed: exponential moving average with weight 0.6/);
    // Two studies side by side.
    await page.selectOption("#compare select[name=a]", "ab");
    await page.selectOption("#compare select[name=b]", "cd");
    await page.locator("#compare button").click();
    await page.waitForSelector("text=ab vs cd", { timeout: 30_000 });
    await page.waitForSelector('figure[data-chart="distribution-val-accuracy"]', { timeout: 30_000 });
    const variants = await page.locator("#variants-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-variant")));
    assert.deepEqual(variants, ["ab:baseline", "ab:dropout", "ab:wider", "cd:baseline", "cd:dropout", "cd:wider"]);
    assert.match((await page.locator("#verdict").textContent())!, /unpaired/);
    await checkCharts(page);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-compare.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await dash.close();
  }
});

test("a factorial study's report and dashboard view show the factorial analysis: effects, interaction plot, per-setting effects", { timeout: 180_000 }, async () => {
  const logdir = join(root, "factorial");
  // optimizer × width: wide helps by ~1 point with sgd and ~0.2 with adam (an interaction); adam helps by ~0.6 with narrow.
  const effects = { sgd_narrow: 0, sgd_wide: 0.01, adam_narrow: 0.006, adam_wide: 0.008 };
  const studyDir = writeFixture(logdir, { study: "grid", variants: Object.keys(effects), effects, seeds: 6, steps: 30 });
  writeDesignFile(studyDir, {
    factors: [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "width", levels: ["narrow", "wide"] }],
    cells: { sgd_narrow: { optimizer: "sgd", width: "narrow" }, sgd_wide: { optimizer: "sgd", width: "wide" }, adam_narrow: { optimizer: "adam", width: "narrow" }, adam_wide: { optimizer: "adam", width: "wide" } },
  });
  const r = await buildReport(loadStudyDir(studyDir));
  const factorial = r.model.factorial;
  assert.ok(factorial, r.model.factorialError);
  await onReport("factorial-report", r, async (page) => {
    assert.equal(await page.locator("#factorial figure[data-chart]").count(), 2);
    // Interaction plot: one line per width level, a mean and an interval per cell.
    assert.deepEqual(JSON.parse((await page.$eval('figure[data-chart="interaction-optimizer-width"]', (f) => f.getAttribute("data-marks")))!), { lines: 2, means: 4, cis: 4 });
    assert.deepEqual(await page.locator("#factorial-effects tbody tr").evaluateAll((rows) => rows.map((x) => x.getAttribute("data-effect"))), ["optimizer", "width", "optimizer × width"]);
    // The two widths' intervals at each optimizer are drawn side by side (dodged), not over each other.
    const cis = await page.$$eval('figure[data-chart="interaction-optimizer-width"] g.cis_marks > *', (els) => els.map((e) => Math.round(e.getBoundingClientRect().x)));
    assert.equal(new Set(cis).size, 4, `interval x positions ${cis.join(", ")}`);
    const inter = factorial.factorial[2]!;
    const interRow = (await page.locator('#factorial-effects tr[data-effect="optimizer × width"]').textContent())!;
    assert.ok(interRow.includes(pValueText(inter.p)), `interaction row lacks p = ${pValueText(inter.p)}: ${interRow}`);
    assert.equal(await page.locator("#factorial-simple tbody tr").count(), 4);
    assert.ok((await page.locator("#factorial-statements li").count()) >= 3);
    // The seed spread of every comparison, with its interval and the Brown–Forsythe p.
    assert.match((await page.locator("#verdict li.spread").first().textContent())!, /variance ratio [\d.]+, 95% CI [\d.]+–[\d.]+, Pitman–Morgan\); Brown–Forsythe p = /);
    await page.locator("#factorial").screenshot({ path: join(ARTIFACTS, "factorial-report.png") });
  });

  await onDashboard(logdir, "grid", async (dpage) => {
    await dpage.waitForSelector('#factorial figure[data-chart="interaction-optimizer-width"]', { timeout: 60_000 });
    assert.equal(await dpage.locator("#factorial-effects tbody tr").count(), 3);
    await checkCharts(dpage);
    await dpage.locator("#factorial").screenshot({ path: join(ARTIFACTS, "factorial-dashboard.png") });
  });
});

test("the deployment section (ensemble curve, validation against test, gain and churn) in the report and live in the dashboard", { timeout: 240_000 }, async () => {
  const logdir = join(root, "deploy-logs");
  const studyDir = writeFixture(logdir, { study: "deploy", seeds: 5, steps: 20 });
  writePredictionFixture(studyDir);
  // Seed 4 has not finished: its prediction files are not there yet.
  for (const v of ["baseline", "wider", "dropout"]) for (const f of ["predictions", "labels", "test_predictions", "test_labels"]) rmSync(join(studyDir, v, "seed-4", `${f}.npy`));
  const r = await buildReport(loadStudyDir(studyDir));
  await onReport("deploy-report", r, async (page) => {
    assert.deepEqual(await page.locator("#deployment figure[data-chart]").evaluateAll((f) => f.map((x) => x.getAttribute("data-chart"))), ["ensemble-curve", "validation-test", "ensemble-gain-churn"]);
    // 3 variants × (validation, test) curves; 4 seeds per variant with predictions, and 3 ensemble diamonds.
    assert.deepEqual(JSON.parse((await page.$eval('figure[data-chart="ensemble-curve"]', (f) => f.getAttribute("data-marks")))!), { band: 6, mean: 6, curvepoints: 24 });
    assert.deepEqual(JSON.parse((await page.$eval('figure[data-chart="validation-test"]', (f) => f.getAttribute("data-marks")))!), { diagonal: 1, seeds: 12, ensembles: 3 });
    assert.equal(await page.locator("#deployment-table tbody tr").count(), 3);
    assert.match((await page.locator("#choice-ensemble").textContent())!, /^As an ensemble: wider\. Its ensemble of 4 seeds is the best on validation: [\d.]+ pp on validation, [\d.]+ pp on test\. Against /);
    assert.match((await page.locator("#choice-single").textContent())!, /As one seed: \w+\. The worst of its 4 seeds .*CI \[/);
    assert.match((await page.locator('figure[data-chart="ensemble-curve"] figcaption').textContent())!, /baseline 4 seeds, dropout 4 seeds, wider 4 seeds/);
    await page.locator("#deployment").screenshot({ path: join(ARTIFACTS, "report-deployment.png") });
  });

  // The dashboard shows the same section and takes in seed 4's predictions when its run finishes.
  await onDashboard(logdir, "deploy", async (dpage) => {
    await dpage.waitForSelector('figure[data-chart="validation-test"]', { timeout: 60_000 });
    assert.equal(await dpage.$eval('figure[data-chart="validation-test"]', (f) => Number(f.getAttribute("data-points"))), 15);
    writePredictionFixture(studyDir);
    type Doc = { querySelector(s: string): { getAttribute(a: string): string | null } | null };
    await dpage.waitForFunction(() => Number((globalThis as unknown as { document: Doc }).document.querySelector('figure[data-chart="validation-test"]')?.getAttribute("data-points")) === 18, undefined, { timeout: 60_000 });
    await viewSettled(dpage);
    await checkCharts(dpage);
    assert.match((await dpage.locator("#choice-ensemble").textContent())!, /ensemble of 5 seeds is the best/);
    await dpage.locator("#deployment").scrollIntoViewIfNeeded();
    await dpage.screenshot({ path: join(ARTIFACTS, "dashboard-deployment.png"), fullPage: false });
  });
});
