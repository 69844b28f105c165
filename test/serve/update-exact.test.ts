// A dashboard view updated run by run (only the changed seeds read again, the
// statistics of only the changed steps recomputed, the final-value views kept
// while no final value changed, the drawings of unchanged charts kept) is
// exactly the view a fresh build of the same data gives: after appended
// lines, a new seed, runs that end, a diverged value, and for another metric;
// and after a restart, on the accumulator saved at the stop (a damaged one is
// not used).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import Database from "better-sqlite3";
import { join } from "node:path";
import { LogDirSource } from "../../src/report/index.ts";
import { ViewBuilder, type ViewBody } from "../../src/serve/view-builder.ts";
import { ACCUMULATOR_FORMAT, encodeSaved } from "../../src/serve/saved-accumulator.ts";
import { StudyAccumulator, type ReportOptions } from "../../src/report/model/index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-update-exact-"));
after(() => rmSync(root, { recursive: true, force: true }));
const study = join(root, "live");
const VARIANTS = ["baseline", "wider"];

function file(variant: string, seed: number): string {
  return join(study, variant, `seed-${seed}`, "metrics.jsonl");
}

/** Scalars lines of steps from..to (train/loss every step, eval/accuracy every 5), in twin's metrics.jsonl layout. */
function scalars(variant: string, seed: number, from: number, to: number): string {
  let out = "";
  for (let step = from; step <= to; step++) {
    const noise = Math.sin(seed * 7.1 + step * 1.3 + (variant === "wider" ? 0.5 : 0));
    const values: Record<string, number> = { "train/loss": 2 * Math.exp(-step / 8) + 0.3 + 0.02 * noise };
    if (step % 5 === 0) values["eval/accuracy"] = 0.9 - 0.7 * Math.exp(-step / 6) + (variant === "wider" ? 0.01 : 0) + 0.005 * noise;
    out += JSON.stringify({ kind: "scalars", step, wall_time: step, values }) + "\n";
  }
  return out;
}

function end(variant: string, seed: number, status = "success", final: number | "NaN" = 0.88 + (variant === "wider" ? 0.012 : 0) + 0.004 * Math.cos(seed)): string {
  return JSON.stringify({ kind: "scalars", step: 30, wall_time: 30, values: { "val/accuracy": final } }) + "\n" + JSON.stringify({ kind: "end", wall_time: 31, status }) + "\n";
}

/** A run: 30 steps and its end, or (running) its first `steps` steps. */
function writeRun(variant: string, seed: number, running?: number): void {
  mkdirSync(join(study, variant, `seed-${seed}`), { recursive: true });
  const hparams = JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant, seed: String(seed) }, metrics: ["val/accuracy"] }) + "\n";
  writeFileSync(file(variant, seed), hparams + scalars(variant, seed, 1, running ?? 30) + (running === undefined ? end(variant, seed) : ""));
}

/** The view without what says when and how it was built. */
function comparable(v: ViewBody | undefined): unknown {
  assert.ok(v && v.error === undefined, v?.error);
  const { updatedAt: _u, seedsRead: _s, chartsChanged: _c, ...rest } = v!;
  return rest;
}

async function fresh(options: ReportOptions = {}): Promise<ViewBody | undefined> {
  const b = new ViewBuilder(new LogDirSource(root));
  try {
    return await b.view("live", options);
  } finally {
    await b.close();
  }
}

test("a view updated run by run equals a fresh build after appends, a new seed, runs that end, a diverged value and for another metric", async () => {
  for (let seed = 0; seed < 6; seed++) for (const v of VARIANTS) writeRun(v, seed, seed >= 4 ? 12 : undefined);
  const live = new ViewBuilder(new LogDirSource(root));
  try {
    const first = await live.view("live", {});
    assert.deepEqual(comparable(first), comparable(await fresh()));
    const charts = first!.charts.length;

    // Lines appended to running runs, one write after another: only that seed is read, and only the charts whose data changed are new.
    for (const [step, variant] of [[13, "baseline"], [14, "baseline"], [13, "wider"]] as const) {
      appendFileSync(file(variant, 4), scalars(variant, 4, step, step));
      const v = await live.view("live", {}, new Set([`${variant}/seed-4/metrics.jsonl`]));
      assert.equal(v?.seedsRead, 1);
      assert.ok(v!.chartsChanged! >= 1 && v!.chartsChanged! <= 2, `an appended train/loss line changes its curve and its paired curve only (changed ${v!.chartsChanged} of ${charts})`);
      assert.deepEqual(comparable(v), comparable(await fresh()), `after step ${step} of ${variant}`);
    }
    // Asked again with nothing changed: the same view, nothing changed or read.
    const again = await live.view("live", {}, new Set());
    assert.equal(again?.chartsChanged, 0);
    assert.equal(again?.seedsRead, 0);
    assert.deepEqual(comparable(again), comparable(await fresh()));

    // A new seed (every seed stamped again: no changed files given).
    for (const v of VARIANTS) writeRun(v, 6);
    const withSeed = await live.view("live", {});
    assert.equal(withSeed?.seedsRead, 1);
    assert.deepEqual(comparable(withSeed), comparable(await fresh()));

    // Seed 4's runs end: final values change, so does the verdict.
    for (const v of VARIANTS) appendFileSync(file(v, 4), scalars(v, 4, 15, 30).split("\n").filter((l) => l && !l.includes('"step":13,') && !(v === "baseline" && l.includes('"step":14,'))).join("\n") + "\n" + end(v, 4));
    const ended = await live.view("live", {}, new Set(VARIANTS.map((v) => `${v}/seed-4/metrics.jsonl`)));
    assert.notDeepEqual(comparable(ended), comparable(withSeed));
    assert.deepEqual(comparable(ended), comparable(await fresh()));

    // Seed 5's wider run diverges: its final is NaN and its seed leaves the statistics.
    appendFileSync(file("wider", 5), scalars("wider", 5, 13, 30) + end("wider", 5, "failure", "NaN"));
    const diverged = await live.view("live", {}, new Set(["wider/seed-5/metrics.jsonl"]));
    assert.match(diverged!.warnings!.join("\n"), /seed 5/);
    assert.deepEqual(comparable(diverged), comparable(await fresh()));

    // Another metric of the same accumulator, then back.
    assert.deepEqual(comparable(await live.view("live", { metric: "eval/accuracy" }, new Set())), comparable(await fresh({ metric: "eval/accuracy" })));
    // Seed 5's baseline logs its final value while still running, then ends with no new value: only its status changes (unfinished → finished).
    const [finalLine, endLine] = end("baseline", 5).trim().split("\n");
    appendFileSync(file("baseline", 5), scalars("baseline", 5, 13, 30) + finalLine + "\n");
    const loggedFinal = await live.view("live", {}, new Set(["baseline/seed-5/metrics.jsonl"]));
    assert.deepEqual(comparable(loggedFinal), comparable(await fresh()));
    appendFileSync(file("baseline", 5), endLine + "\n");
    const statusOnly = await live.view("live", {}, new Set(["baseline/seed-5/metrics.jsonl"]));
    assert.notEqual(statusOnly?.html, loggedFinal?.html);
    assert.deepEqual(comparable(statusOnly), comparable(await fresh()));
  } finally {
    await live.close();
  }
});

/**
 * Rewrites the one accumulator saved when a dashboard stopped: its file beside
 * the index gets the bytes `edit` makes of it (undefined: the file is removed),
 * and the index their check and size, unless `fileOnly` (damage to the file alone).
 */
function editSavedAccumulator(index: string, edit: (saved: { digest: Buffer; body: Buffer }) => { digest: Buffer; body: Buffer } | undefined, fileOnly = false): void {
  const db = new Database(index);
  try {
    const rows = db.prepare("SELECT key, digest, file, size FROM accumulator_files").all() as { key: string; digest: Buffer; file: string; size: number }[];
    assert.equal(rows.length, 1, "one accumulator saved");
    assert.equal((db.prepare("SELECT count(*) AS n FROM accumulators").get() as { n: number }).n, 0, "its bytes are not in the index");
    const path = join(`${index}.accumulators`, rows[0]!.file);
    const body = readFileSync(path);
    assert.equal(body.length, rows[0]!.size);
    const edited = edit({ digest: rows[0]!.digest, body });
    if (!edited) return rmSync(path);
    writeFileSync(path, edited.body);
    if (!fileOnly) db.prepare("UPDATE accumulator_files SET digest = ?, size = ? WHERE key = ?").run(edited.digest, edited.body.length, rows[0]!.key);
  } finally {
    db.close();
  }
}

test("after a restart, the accumulator saved at the stop is restored and updated to exactly the view a fresh build gives; a damaged or stale one is never used", async () => {
  rmSync(study, { recursive: true, force: true });
  for (let seed = 0; seed < 6; seed++) for (const v of VARIANTS) writeRun(v, seed, seed >= 4 ? 12 : undefined);
  const index = join(root, "restart-index.sqlite");
  // Models finished (any builder's): the warm-up behind a saved view brings the accumulator up to date and finishes no model (the update finishes its own).
  let finished = 0;
  const finish = StudyAccumulator.prototype.finish;
  StudyAccumulator.prototype.finish = function (this: StudyAccumulator, ...args: Parameters<typeof finish>) {
    finished++;
    return finish.apply(this, args);
  };
  after(() => void (StudyAccumulator.prototype.finish = finish));
  /** One run of the dashboard: its first view (`changed`: the files changed since the last; `savedFirst`: the saved view) and an update after `then`, compared with fresh builds. */
  const session = async (label: string, expectRead: number, then: () => void, changed: string[], chartsChangedAtMost = Infinity, savedFirst = false): Promise<void> => {
    const source = new LogDirSource(root, { index });
    const live = new ViewBuilder(source);
    try {
      const finishedBefore = finished;
      const first = await live.view("live", {});
      await live.warm();
      if (savedFirst) assert.equal(finished, finishedBefore, `${label}: the saved view and the warm-up behind it finish no model`);
      assert.equal(first?.seedsRead ?? 0, expectRead, `${label}: seeds read for the first view`);
      assert.ok((first?.chartsChanged ?? 0) <= chartsChangedAtMost, `${label}: ${first?.chartsChanged} charts changed, not more than ${chartsChangedAtMost} (the chart keys saved with the accumulator are kept)`);
      assert.deepEqual(comparable(first), comparable(await fresh()), `${label}: first view`);
      then();
      const updated = await live.view("live", {}, new Set(changed));
      assert.equal(updated?.seedsRead, 1, `${label}: the update reads the changed seed only`);
      assert.deepEqual(comparable(updated), comparable(await fresh()), `${label}: after the update`);
      assert.deepEqual(comparable(await live.view("live", { metric: "eval/accuracy" }, new Set())), comparable(await fresh({ metric: "eval/accuracy" })), `${label}: another metric`);
    } finally {
      await live.close();
      await source.close();
    }
  };
  const append = (variant: string, seed: number, step: number) => () => appendFileSync(file(variant, seed), scalars(variant, seed, step, step));
  // A cold start: every seed read.
  await session("cold", 6, append("baseline", 4, 13), ["baseline/seed-4/metrics.jsonl"]);
  // Unchanged data: the saved view (nothing read), then an update of the restored accumulator.
  await session("restart", 0, append("wider", 4, 13), ["wider/seed-4/metrics.jsonl"], Infinity, true);
  // A line written while the dashboard was stopped, then a new seed: the restored accumulator reads those seeds only, and only the charts they changed are new.
  append("baseline", 5, 13)();
  await session("a line behind it", 1, append("baseline", 4, 14), ["baseline/seed-4/metrics.jsonl"], 2);
  for (const v of VARIANTS) writeRun(v, 6);
  await session("a seed behind it", 1, append("wider", 5, 13), ["wider/seed-5/metrics.jsonl"]);
  // A seed's runs gone while it was stopped: taken out of the restored accumulator, nothing read.
  for (const v of VARIANTS) rmSync(join(study, v, "seed-3"), { recursive: true });
  await session("a seed gone behind it", 0, append("wider", 4, 14), ["wider/seed-4/metrics.jsonl"]);
  // A changed byte, a truncated body, bytes of another kind under a matching check: not used, every seed read again.
  // The current format, so that the payload's shape is what rejects it.
  const other = encodeSaved({ format: ACCUMULATOR_FORMAT, stamps: [], accumulator: { curves: "not a snapshot" } });
  const damage: [string, (saved: { digest: Buffer; body: Buffer }) => { digest: Buffer; body: Buffer }][] = [
    ["a changed byte", ({ digest, body }) => {
      const changed = Buffer.from(body);
      changed[changed.length >> 1] ^= 1;
      return { digest, body: changed };
    }],
    ["truncated", ({ digest, body }) => ({ digest, body: body.subarray(0, body.length - 100) })],
    ["not a snapshot", () => other],
  ];
  for (const [i, [label, edit]] of damage.entries()) {
    editSavedAccumulator(index, edit);
    append("wider", 5, 14 + i)();
    await session(label, 6, append("baseline", 4, 15 + i), ["baseline/seed-4/metrics.jsonl"]);
  }
  // The file beside the index cut short after the index was written, or gone: not used either.
  const fileDamage: [string, (saved: { digest: Buffer; body: Buffer }) => { digest: Buffer; body: Buffer } | undefined][] = [
    ["the file cut short", ({ digest, body }) => ({ digest, body: body.subarray(0, body.length - 8) })],
    ["the file gone", () => undefined],
  ];
  for (const [i, [label, edit]] of fileDamage.entries()) {
    editSavedAccumulator(index, edit, true);
    append("wider", 5, 14 + damage.length + i)();
    await session(label, 6, append("baseline", 4, 15 + damage.length + i), ["baseline/seed-4/metrics.jsonl"]);
  }
});
