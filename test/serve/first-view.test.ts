// The dashboard's first view of a study (src/report/server.ts, src/serve/partial-view.ts):
// while the logs are read for the first time it says how far the reading has
// come and shows no verdict, then the view once built; after a restart on data
// that changed, the view saved in the index is shown marked as being updated
// until the new one is built.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource, startDashboard } from "../../src/report/index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-first-view-"));
after(() => rmSync(root, { recursive: true, force: true }));

const getJson = async (url: string): Promise<Record<string, unknown>> => (await (await fetch(url)).json()) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The versions of the studies' views announced on the dashboard's event stream, appended as they come (`onRead` after each read), until `signal` aborts. */
async function announcements(url: string, signal: AbortSignal, onRead: () => void = () => undefined): Promise<number[]> {
  const announced: number[] = [];
  const stream = (await fetch(url + "api/events", { signal })).body!.getReader();
  void (async () => {
    let text = "";
    for (;;) {
      const { value, done } = await stream.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += new TextDecoder().decode(value);
      for (const m of text.matchAll(/event: study\ndata: (.*)\n/g)) announced.push(Number((JSON.parse(m[1]!) as { version: number }).version));
      text = text.slice(text.lastIndexOf("\n\n") + 2);
      onRead();
    }
  })();
  return announced;
}

/** Asks for the view until `done` holds (at most 60 s). */
async function until(url: string, done: (v: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  for (;;) {
    const v = await getJson(url);
    if (done(v)) return v;
    if (Date.now() - t0 > 60_000) throw new Error(`no such view after 60 s: ${JSON.stringify(v).slice(0, 300)}`);
    await sleep(50);
  }
}

test("a first view that takes long says how far the logs are read, with no verdict; then the view", async () => {
  const logdir = join(root, "cold");
  writeFixture(logdir, { seeds: 6, steps: 20 });
  const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 100, partial: { afterMs: 0, minSeeds: 1 } });
  try {
    const first = await getJson(dash.url + "api/studies/ab");
    assert.ok(first.partial, "the first answer is partial");
    assert.match(String(first.html), /Reading logs: (starting \(18 runs to read\)|\d+ of 18 runs read)\./);
    assert.match(String(first.html), /not the study's view yet/);
    assert.doesNotMatch(String(first.html), /class="chart-spec"|id="verdict"/);
    assert.deepEqual(first.charts, []);
    assert.equal(first.runs, 18, "6 seeds × 3 variants");
    const view = await until(dash.url + "api/studies/ab", (v) => !v.partial);
    assert.match(String(view.html), /class="chart-spec"/);
    assert.equal(view.seedsRead, 6);
  } finally {
    await dash.close();
  }
  // A study with fewer seeds than minSeeds waits for its view.
  const small = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 100, partial: { afterMs: 0, minSeeds: 7 } });
  try {
    const v = await getJson(small.url + "api/studies/ab");
    assert.equal(v.partial, undefined);
    assert.match(String(v.html), /class="chart-spec"/);
  } finally {
    await small.close();
  }
});

test("after a restart on changed data, the saved view is shown as being updated, then the new view", async () => {
  const logdir = join(root, "changed");
  writeFixture(logdir, { seeds: 4, steps: 20 });
  const index = join(root, "changed.sqlite");
  const first = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100 });
  const built = await getJson(first.url + "api/studies/ab");
  assert.equal(built.seedsRead, 4);
  await first.close();
  appendFileSync(join(logdir, "ab", "baseline", "seed-2", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 21, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n");
  const second = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100 });
  try {
    const shown = await getJson(second.url + "api/studies/ab");
    if (shown.stale) assert.equal(shown.html, built.html, "the saved view, marked stale");
    else assert.notEqual(shown.html, built.html, "built within the wait: the new view");
    const fresh = await until(second.url + "api/studies/ab", (v) => !v.stale);
    assert.notEqual(fresh.html, built.html);
    assert.equal(fresh.partial, undefined);
  } finally {
    await second.close();
  }
});

test("a line appended while the dashboard runs is in the next view, its seed alone read again (the watcher names the file)", async () => {
  const logdir = join(root, "live");
  writeFixture(logdir, { seeds: 4, steps: 20 });
  const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 100 });
  try {
    const first = await getJson(dash.url + "api/studies/ab");
    assert.equal(first.seedsRead, 4);
    let version = Number(first.version);
    for (const [i, seed] of [[1, 2], [2, 3]] as const) {
      appendFileSync(join(logdir, "ab", "baseline", `seed-${seed}`, "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 20 + i, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n");
      // Every view built after it read that seed at most (a second notification of the same append reads none).
      const next = await until(dash.url + "api/studies/ab", (v) => {
        if (Number(v.version) <= version || v.stale) return false;
        assert.ok(Number(v.seedsRead) <= 1, `append ${i}: ${v.seedsRead} seeds read`);
        return v.seedsRead === 1;
      });
      version = Number(next.version);
    }
  } finally {
    await dash.close();
  }
});

test("after a restart, a line appended while the first build runs is announced when its view is built, with no other request", async () => {
  const logdir = join(root, "appended-at-restart");
  writeFixture(logdir, { seeds: 4, steps: 20 });
  const index = join(root, "appended-at-restart.sqlite");
  const first = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100 });
  await getJson(first.url + "api/studies/ab");
  await first.close();
  const second = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100 });
  const events = new AbortController();
  try {
    // The saved view, current; its accumulator is built behind it (the view worker starts now).
    const saved = await getJson(second.url + "api/studies/ab");
    assert.equal(saved.stale, undefined);
    let heard: () => void = () => {};
    const announced = await announcements(second.url, events.signal, () => heard());
    appendFileSync(join(logdir, "ab", "baseline", "seed-2", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 21, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n");
    // As the page does: the view asked for on each announcement only, until it is the new one.
    const t0 = Date.now();
    let view = saved;
    let asked = 0;
    while (!(Number(view.version) >= 1 && !view.stale)) {
      if (announced.length > asked) {
        asked = announced.length;
        view = await getJson(second.url + "api/studies/ab");
        continue;
      }
      assert.ok(Date.now() - t0 < 30_000, `no announcement of the new view after 30 s (announced versions: ${announced.join(", ")}; last view version ${view.version}, stale ${view.stale})`);
      await new Promise<void>((r) => {
        heard = r;
        setTimeout(r, 200);
      });
    }
    assert.notEqual(view.html, saved.html);
  } finally {
    events.abort();
    await second.close();
  }
});

test("a build started from older data does not answer for newer data as current: the view is marked stale, the next build follows and is announced", async () => {
  const logdir = join(root, "older-build");
  writeFixture(logdir, { seeds: 4, steps: 20 });
  const index = join(root, "older-build.sqlite");
  const first = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100, views: "thread" });
  await getJson(first.url + "api/studies/ab");
  await first.close();
  // The restarted dashboard's source: stamping and reading the study wait for `release` (but the first stamping, the
  // saved view's check), and a change is made known when the test says.
  const inner = new LogDirSource(logdir, { index });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let changed!: (study: string, file?: string) => void;
  let stampings = 0;
  const source = new Proxy(inner, {
    get(target, p) {
      if (p === "openStudy" || p === "openStudyStamped" || p === "seedStamps") {
        const read = Reflect.get(target, p) as (...a: unknown[]) => Promise<unknown>;
        return async (...a: unknown[]) => {
          if (p !== "seedStamps" || stampings++ > 0) await gate;
          return read.apply(target, a);
        };
      }
      if (p === "watch") return (onChange: (study: string, file?: string) => void) => ((changed = onChange), () => undefined);
      const v = Reflect.get(target, p) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const second = await startDashboard({ source, port: 0, pollMs: 100, views: "thread" });
  const events = new AbortController();
  try {
    const url = second.url + "api/studies/ab";
    // The saved view, current; the build behind it (for the next update) waits at the gate.
    const saved = await getJson(url);
    assert.equal(saved.stale, undefined);
    assert.equal(saved.version, 0);
    const announced = await announcements(second.url, events.signal);
    appendFileSync(join(logdir, "ab", "baseline", "seed-2", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 21, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n");
    changed("ab");
    // Asked for the new data while the build for the old ends (within the wait for a fresh view, as it mostly does): not current.
    const asked = getJson(url);
    await sleep(20);
    release();
    const answer = await asked;
    assert.equal(answer.stale, true, `answered for version 1 by the build for version 0 as if current (version ${answer.version})`);
    // The next build's end is announced, and its view is the new one.
    const t0 = Date.now();
    while (!announced.some((v) => v >= 1)) {
      assert.ok(Date.now() - t0 < 30_000, `no announcement of version 1 (announced: ${announced.join(", ")})`);
      await sleep(50);
    }
    const view = await until(url, (v) => !v.stale);
    assert.equal(view.version, 1);
    assert.notEqual(view.html, saved.html);
  } finally {
    events.abort();
    await second.close();
  }
});
