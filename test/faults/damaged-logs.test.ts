/**
 * Log folders damaged the ways a real one gets damaged: a run killed before
 * its end (no end line), a line in the middle of a metrics.jsonl garbled.
 * `twin stats` on the folder and the report's source must agree, never take a
 * partial value as a result, and not lose the study over one bad line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunLogger } from "../../src/log/run-logger.ts";
import { loadStudyDir } from "../../src/report/sources/log-dir.ts";
import { REPO } from "../study/fixtures/synthetic-study.ts";

const TWIN = join(REPO, "bin", "twin.js");
const SEEDS = [0, 1, 2, 3];
/** Final validation accuracy of a run (b better by about 0.05, with seed noise). */
const finalOf = (variant: string, seed: number) => (variant === "a" ? 0.8 : 0.85) + [0.01, -0.02, 0.015, -0.005][seed]! + (variant === "b" ? [0.002, -0.004, 0.003, 0.001][seed]! : 0);

/** A study folder written by RunLogger: a, b × seeds 0–3, val/accuracy at steps 1 (0.5) and 2 (the final). */
function logFolder(o: { events?: boolean; killed?: { variant: string; seed: number } } = {}): { logdir: string; study: string; cleanup: () => void } {
  const logdir = mkdtempSync(join(tmpdir(), "twin-damaged-"));
  for (const variant of ["a", "b"]) {
    for (const seed of SEEDS) {
      const log = new RunLogger({ logdir, study: "dl", variant, seed, events: o.events ?? true, flushEvery: 1, flushSecs: 0 });
      log.hparams({ variant, seed }, ["val/accuracy"]);
      log.log(1, { "val/accuracy": 0.5 });
      // A killed run: its first value is on disk, no final value and no end line (the logger is dropped, as by kill -9).
      if (o.killed?.variant === variant && o.killed.seed === seed) continue;
      log.log(2, { "val/accuracy": finalOf(variant, seed) });
      log.close("success");
    }
  }
  return { logdir, study: join(logdir, "dl"), cleanup: () => rmSync(logdir, { recursive: true, force: true }) };
}

function statsJson(dir: string): { status: number | null; json?: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [TWIN, "stats", dir, "--metric", "val/accuracy", "--json"], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr, ...(r.stdout.trim() ? { json: JSON.parse(r.stdout) as Record<string, unknown> } : {}) };
}

type Variant = { name: string; n: number; unfinished: number; mean: number };

test("a run killed before its end (no end line in metrics.jsonl) is unfinished in twin stats, as in the report: its partial value is never a result", () => {
  const f = logFolder({ killed: { variant: "b", seed: 3 } });
  try {
    const r = statsJson(f.study);
    assert.ok(r.json, r.stderr);
    const b = (r.json.variants as Variant[]).find((v) => v.name === "b")!;
    assert.equal(b.n, 3, "the killed run's value at step 1 (0.5) is not counted");
    assert.equal(b.unfinished, 1);
    assert.ok(Math.abs(b.mean - [0, 1, 2].reduce((s, k) => s + finalOf("b", k), 0) / 3) < 1e-12);
    assert.ok((r.json.problems as string[]).some((p) => /b\/seed-3: variant "b" seed 3 has not finished/.test(p)), JSON.stringify(r.json.problems));
    // The report's source says the same of that run.
    const run = loadStudyDir(f.study).runs.find((x) => x.variant === "b" && x.seed === "3")!;
    assert.equal(run.status, "running");
  } finally {
    f.cleanup();
  }
});

test("a garbled line in the middle of a metrics.jsonl: stats and the report read that run from its event files and say so; without event files the error names the line and what to do", () => {
  const f = logFolder();
  try {
    const path = join(f.study, "a", "seed-1", "metrics.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = lines[1]!.slice(0, 20); // the step-1 line, cut in the middle
    writeFileSync(path, lines.join("\n"));
    const r = statsJson(f.study);
    assert.ok(r.json, r.stderr);
    const a = (r.json.variants as Variant[]).find((v) => v.name === "a")!;
    assert.equal(a.n, 4, "the damaged run still counts, from its event files");
    const expected = SEEDS.reduce((s, k) => s + (k === 1 ? Math.fround(finalOf("a", k)) : finalOf("a", k)), 0) / 4;
    assert.ok(Math.abs(a.mean - expected) < 1e-12, `${a.mean} vs ${expected}`);
    assert.ok((r.json.problems as string[]).some((p) => p.includes(`${path}:2: malformed JSON line`) && /event files/.test(p)), JSON.stringify(r.json.problems));
    const run = loadStudyDir(f.study).runs.find((x) => x.variant === "a" && x.seed === "1")!;
    assert.equal(run.scalars["val/accuracy"]!.values.at(-1), Math.fround(finalOf("a", 1)));
    assert.equal(run.status, "success");
    assert.ok(run.notes?.some((n) => n.includes(`${path}:2: malformed JSON line`)), JSON.stringify(run.notes));
  } finally {
    f.cleanup();
  }
  const g = logFolder({ events: false });
  try {
    const path = join(g.study, "a", "seed-1", "metrics.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = "{garbage";
    writeFileSync(path, lines.join("\n"));
    const r = statsJson(g.study);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${path.replaceAll("/", "\\/")}:2: malformed JSON line .*no event files.*Repair or delete that line, or move the run's folder out`));
    assert.throws(() => loadStudyDir(g.study), /:2: malformed JSON line .*Repair or delete that line/);
  } finally {
    g.cleanup();
  }
});
