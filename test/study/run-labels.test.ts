/**
 * Two commands writing one study's log folder: `twin compare --seeds 5` labels
 * roots 0..4, and a later one-factor plan (`twin seeds --vary init`) labels its
 * runs from 0 too. A run of other seeds must get a label (a log folder) of its
 * own rather than move the earlier command's run aside, out of every analysis.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FACTORS } from "../../src/rng/factors.ts";
import { loadStudyDir } from "../../src/report/sources/log-dir.ts";
import type { RunRecord } from "../../src/store/index.ts";
import { freeRunLabels } from "../../src/study/run-labels.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { planRuns } from "../../src/study/seed-plan.ts";
import { withSharedSplit } from "../../src/study/split-mode.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { studyProject } from "./fixtures/synthetic-study.ts";

/** A stored run as run-study.ts records it: the plan's seeds resolved, its label in the config. */
function stored(root: number, label: number, factors: Record<string, number> = {}): RunRecord {
  const seeds = Object.fromEntries([...FACTORS.map((f) => [f, BigInt(factors[f] ?? root)] as const)]);
  return {
    id: `r${label}`, study: "s", variants: ["a"], specHash: "h", rootSeed: BigInt(root), seeds, config: { kind: "twin-run", label },
    fingerprintHash: null, status: "finished", attempts: 1, worker: null, queuedAt: 0, startedAt: null, finishedAt: null, heartbeatAt: null, error: null,
  };
}

test("a planned run of other seeds than the stored run holding its label gets a new label; the same seeds keep theirs", () => {
  const compare = [0, 1, 2, 3, 4].map((root) => stored(root, root));
  // --vary each --n 2: the shared root run (0), all together #1 (root 1: compare's seed 1), then one run per factor.
  const each = freeRunLabels(planRuns({ vary: [...FACTORS], n: 2, withAll: true }), compare);
  assert.deepEqual(each.map((p) => [p.group, p.label]), [
    ["all", 0], ["all", 1], ["init", 14], ["order", 5], ["augment", 7], ["dropout", 9], ["split", 11], ["eval", 13],
  ]);
  // Without stored runs (or with only its own) a plan keeps the labels it planned: a command run again finds its folders.
  const planned = planRuns({ vary: [...FACTORS], n: 2, withAll: true });
  assert.deepEqual(freeRunLabels(planned, []), planned);
  const again = [...compare, ...each.slice(2).map((p) => stored(0, p.label, p.seed.factors as Record<string, number>))];
  assert.deepEqual(freeRunLabels(planned, again).map((p) => p.label), each.map((p) => p.label));
  // A stored run of the same seeds under another label lends it (its folder); one of the same seed in the other split mode keeps the seed's label.
  assert.deepEqual(freeRunLabels(planRuns({ n: 2, first: 3 }), [stored(3, 7)]).map((p) => p.label), [7, 4]);
  assert.deepEqual(freeRunLabels(withSharedSplit(planRuns({ n: 3 })), compare, true).map((p) => p.label), [0, 1, 2]);
});

test("twin compare then a one-factor seed study in one log folder: every run keeps a folder of its own and is read", async () => {
  const project = studyProject({ name: "two-plans", steps: 6, evalEvery: 3 });
  try {
    const spec = await importStudy(project.file);
    const logdir = join(project.dir, "runs");
    const common = { cwd: project.dir, studyFile: project.file, record: true, logdir, jobs: 1 } as const;
    const compare = await runStudy(spec, { ...common, plan: 3 });
    const vary = await runStudy(spec, { ...common, plan: { vary: "init", n: 3 } });
    // init #0 is compare's seed 0 (the same stored run); init #1 and #2 are new runs of root 0.
    assert.deepEqual(vary.runs.map((r) => r.plan.label), [0, 3, 4]);
    assert.deepEqual(vary.runs.map((r) => r.result.seeds.init), ["0", "1", "2"]);
    const studyDir = join(logdir, spec.name);
    for (const variant of Object.keys(spec.variants)) {
      assert.deepEqual(readdirSync(join(studyDir, variant)).sort(), ["seed-0", "seed-1", "seed-2", "seed-3", "seed-4"], `${variant}: no folder moved aside`);
    }
    assert.ok(!existsSync(join(studyDir, "_checks")) || readdirSync(join(studyDir, "_checks")).every((f) => /^seed-\d+\.jsonl$/.test(f)));
    const read = loadStudyDir(studyDir);
    const bySeed = new Map(read.runs.map((r) => [r.seed, r.factorSeeds]));
    assert.deepEqual([...bySeed.keys()].sort(), ["0", "1", "2", "3", "4"]);
    for (const r of compare.runs) assert.equal(bySeed.get(String(r.plan.label))!.init, String(r.plan.label), "compare's runs are read as they were trained");
    assert.equal(bySeed.get("3")!.init, "1");
    assert.equal(bySeed.get("4")!.init, "2");
    assert.ok(read.runs.every((r) => !r.notes?.some((n) => /earlier, different run/.test(n))));
  } finally {
    project.cleanup();
  }
});
