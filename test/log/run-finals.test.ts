// readRunFinals (what `twin stats` reads of a log folder) against readRunTree
// (every point of every series) reduced to each series' last value and whether
// any point is not finite: the same runs, in the same order, with the same
// fields, tags in the same order, on generated trees mixing event files,
// metrics.jsonl, resumed runs, non-finite values, damaged and cut-off lines.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRunFinals, readRunTree, type RunFinals, type RunSeries } from "../../src/log/event-reader.ts";
import { RunLogger } from "../../src/log/run-logger.ts";
import { writeRunTree } from "./run-trees.ts";

const root = mkdtempSync(join(tmpdir(), "twin-run-finals-"));
after(() => rmSync(root, { recursive: true, force: true }));

function reduced(run: RunSeries): RunFinals {
  const { scalars, ...rest } = run;
  const finals: Record<string, number> = {};
  for (const tag of Object.keys(scalars)) {
    const points = scalars[tag]!;
    if (points.length > 0) finals[tag] = points[points.length - 1]!.value;
  }
  const nonFinite = Object.values(scalars).flat().some((p) => !Number.isFinite(p.value));
  return { ...rest, finals, nonFinite };
}

test("readRunFinals: readRunTree's runs with each series' last value, over generated trees", () => {
  let nonFiniteRuns = 0, notes = 0, truncated = 0, eventsOnly = 0;
  for (let k = 0; k < 6; k++) {
    const logdir = join(root, `tree-${k}`);
    writeRunTree(logdir, "st", 12, 100 + k);
    for (const prefer of ["events", "jsonl"] as const) {
      const asideFinals: string[] = [], asideTree: string[] = [];
      const finals = readRunFinals(logdir, { prefer, setAside: asideFinals });
      const tree = readRunTree(logdir, { prefer, setAside: asideTree });
      assert.equal(finals.length, 36);
      assert.deepEqual(finals, tree.map(reduced));
      // Key order is what `twin stats` lists metrics by: deepEqual does not compare it.
      assert.deepEqual(finals.map((r) => Object.keys(r.finals)), tree.map((r) => Object.keys(r.scalars)));
      assert.deepEqual(asideFinals, asideTree);
      assert.equal(asideFinals.length, 1);
      nonFiniteRuns += finals.filter((r) => r.nonFinite).length;
      notes += finals.filter((r) => r.notes).length;
      truncated += finals.filter((r) => r.truncated).length;
      eventsOnly += finals.filter((r) => r.source === "events" && prefer === "jsonl").length;
    }
  }
  // The trees hold every case the comparison is meant to cover.
  assert.ok(nonFiniteRuns > 10 && notes > 2 && truncated > 2 && eventsOnly > 10, `${nonFiniteRuns} ${notes} ${truncated} ${eventsOnly}`);
});

test("readRunFinals: a non-finite value overwritten by a resumed run does not count; one written last does", () => {
  const logdir = join(root, "resumed");
  for (const [seed, last] of [[0, 0.5], [1, Number.NaN]] as const) {
    const a = new RunLogger({ logdir, study: "s", variant: "v", seed });
    a.log(0, { x: 1 });
    a.log(1, { x: Number.NaN });
    a.close();
    const b = new RunLogger({ logdir, study: "s", variant: "v", seed });
    b.log(1, { x: last });
    b.close();
  }
  for (const prefer of ["events", "jsonl"] as const) {
    const runs = readRunFinals(logdir, { prefer });
    assert.deepEqual(runs.map((r) => [r.finals["x"], r.nonFinite]), [[0.5, false], [Number.NaN, true]]);
  }
});

test("readRunFinals: a damaged metrics.jsonl without event files fails as readRunTree does", () => {
  const logdir = join(root, "damaged");
  const log = new RunLogger({ logdir, study: "s", variant: "v", seed: 0, events: false });
  log.log(0, { x: 1 });
  log.close();
  appendFileSync(join(logdir, "s", "v", "seed-0", "metrics.jsonl"), "{oops\n{}\n");
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  const want = message(() => readRunTree(logdir, { prefer: "jsonl" }));
  assert.match(want, /metrics.jsonl:3: malformed JSON line/);
  assert.equal(message(() => readRunFinals(logdir, { prefer: "jsonl" })), want);
});
