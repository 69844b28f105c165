/**
 * What `twin seeds`, `twin compare` and `twin sweep` say to a user: variance
 * shares with their intervals and whether they add up (never "389%" unexplained,
 * never "unless the intervals say otherwise" without intervals), one note for
 * few runs instead of one per factor, `--seeds` as the name of `seeds --n`, a
 * rerun that says what it kept, and no library-call names in any of it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { formatSeedReport, seedReport, type SeedReport, type VariantSeedReport } from "../../src/study/seed-report.ts";
import { planRuns } from "../../src/study/seed-plan.ts";
import type { StudyResults } from "../../src/study/run-study.ts";
import { varianceDecomposition } from "../../src/stats/index.ts";
import { formatSweep } from "../../src/cli/sweep.ts";
import type { SweepResult } from "../../src/study/sweep-types.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { analyzeCells } from "../../src/study/analyze.ts";
import type { Cell } from "../../src/study/results-file.ts";
import { studyProject, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";

function variant(name: string, variance: VariantSeedReport["variance"]): VariantSeedReport {
  const values = [0.86, 0.87, 0.88];
  return {
    name, description: { n: 3, mean: 0.87, sd: 0.01, se: 0.0058, min: 0.86, max: 0.88, range: 0.02, median: 0.87 } as VariantSeedReport["description"],
    test: null, diverged: 0, failed: 0, failureRate: { rate: 0, ci: [0, 0.7075937817] }, errors: [], labels: [0, 1, 2], values, ranks: [3, 2, 1], blackSwans: [], swanThreshold: null,
    expectedMax: [{ n: 1, mean: 0.87, sd: 0.01 }], variance,
  };
}

const report = (variants: VariantSeedReport[]): SeedReport => ({ study: "s", metric: "accuracy", groups: ["all", "init", "order"], variants, spreads: [] });

test("variance by factor: each share with its interval, the sum of the shares said and judged against the all-varied interval", () => {
  // Factors vary more in sum than all together (the "389%" case), within noise at 3 runs.
  const over = varianceDecomposition({ init: [0.86, 0.88, 0.9], order: [0.85, 0.88, 0.9] }, [0.87, 0.885, 0.9]);
  const text = formatSeedReport(report([variant("a", over)]));
  const sum = over.factors.reduce((s, f) => s + f.share, 0);
  assert.ok(sum > 1);
  assert.match(text, /variance by factor \(one factor varied at a time; 95% intervals; 3 runs per factor, so the intervals are wide: more runs with --n\):/);
  // Each factor alone varied more than all together here: its share and interval are cut at 100%, marked, and the estimate said below.
  assert.match(text, /init +sd 2\.00 \[1\.04, 12\.57\] +share 100%\* \[[\d.]+%, 100%\*\]/);
  assert.match(text, /\* cut at 100%: .* shown as 100%: init 178%, order 281%\./);
  assert.match(text, /all varied +sd 1\.50 \[/);
  assert.match(text, new RegExp(`The shares add up to ${Math.round(sum * 100)}%, not 100%: varied one at a time, the factors vary more in sum than all varied together; within noise \\(the factors' combined sd [\\d.]+ against the all-varied sd's 95% interval \\[`));
  assert.doesNotMatch(text, /unless the intervals say otherwise|note:/);

  // The factors explain little of the all-varied variance: beyond noise, said so.
  const under = varianceDecomposition({ init: [0.87, 0.8701, 0.8702], order: [0.87, 0.8701, 0.87] }, [0.8, 0.87, 0.94, 0.83, 0.91]);
  const low = formatSeedReport(report([variant("a", under)]));
  assert.match(low, /The shares add up to 0\.0\d+%; the other 100% is what the factors do only together, plus any nondeterminism; beyond noise \(.*\): the factors matter mostly together, or the runs are nondeterministic/);

  // No all-varied runs: shares of the sum, no interval, said once.
  const alone = formatSeedReport(report([variant("a", varianceDecomposition({ init: [0.86, 0.88, 0.9], order: [0.85, 0.88, 0.9] }))]));
  assert.match(alone, /No all-varied runs: the shares are of the summed factor variances, so they add up to 100% by construction and have no interval/);
  assert.doesNotMatch(alone, /share \d+% \[/);
});

test("variance by factor: a factor whose seed changed nothing says so instead of a bare sd 0.00 [0.00, 0.00]", () => {
  // Dropout in a model without dropout: every run of that factor gives the root run's value.
  const d = varianceDecomposition({ init: [0.86, 0.88, 0.9], dropout: [0.86, 0.86, 0.86] }, [0.87, 0.885, 0.9]);
  const text = formatSeedReport(report([variant("a", d)]));
  assert.match(text, /^ {4}dropout +no spread: every run gave the same value, so this factor's seed changed nothing \(the model does not draw from it, or not so that it shows\)$/m);
  assert.doesNotMatch(text, /sd 0\.00|\[0\.00, 0\.00\]|share 0%/);
  assert.match(text, /init +sd 2\.00 \[/);
});

test("variance by factor: a factor whose stream the model never drew from (control sums) says so", () => {
  const plans = planRuns({ vary: ["init", "dropout"], n: 3, withAll: true });
  const results = {
    study: "s", reference: "a", variants: ["a", "b"],
    runs: plans.map((plan, i) => ({
      plan, runId: String(i),
      result: {
        // b's dropout changes its result; a has no dropout: its dropout runs give the root run's value, and its stream drew nothing.
        variants: { a: { status: "finished", final: { accuracy: plan.group === "dropout" ? 0.8 : 0.8 + i / 100 } }, b: { status: "finished", final: { accuracy: 0.8 + i / 100 } } },
        controlSums: [{ stream: "init", draws: 0 }, { stream: "dropout@a", draws: 0 }, { stream: "dropout@b", draws: 12 }],
      },
    })),
  } as unknown as StudyResults;
  const r = seedReport(results, "accuracy");
  assert.deepEqual(r.variants.map((v) => v.undrawn), [["dropout"], undefined], "init is drawn before the first step: its count says nothing");
  const text = formatSeedReport(r);
  assert.match(text, /^ {4}dropout +no spread: the model never drew from its dropout stream \(0 draws in every run\), so this factor's seed cannot change anything$/m);
});

test("an unpaired comparison's note names no library call", () => {
  const cells = (xs: number[], seed0: number) => new Map<string, Cell>(xs.map((v, i) => [String(seed0 + i), { outcome: "finished", value: v, where: "r" }]));
  const a = analyzeCells(new Map([["a", cells([0.8, 0.82, 0.81, 0.83], 0)], ["b", cells([0.84, 0.85, 0.83, 0.86], 10)]]), { metric: "accuracy" });
  const notes = a.comparisons.flatMap((c) => c.notes).join("\n");
  assert.match(notes, /a paired comparison \(by seed\) is usually much more precise/);
  assert.doesNotMatch(JSON.stringify(a), /\b[a-z]+[A-Z]\w*\(\)|comparePaired|seedsNeeded/);
});

test("twin sweep's summary counts the runs kept from an earlier sweep", () => {
  const run = (reused: boolean) => ({ variant: "a", rootSeed: 0n, seeds: {}, status: "finished", reused, metrics: {} }) as unknown as SweepResult["runs"][number];
  const r = { name: "sw", store: "x.db", vary: null, runs: [run(true), run(true), run(false)], stopped: false, table: { header: [], rows: [], metrics: [] }, summaries: [] } as unknown as SweepResult;
  assert.match(formatSweep(r), /^sweep sw · 3 finished, 0 failed of 3 runs \(2 kept from an earlier sweep, not run again\) · store x\.db/);
});

test("twin seeds: --seeds is --n; both disagreeing, or a count in another notation, is a usage error (exit 2)", () => {
  const p = studyProject({ name: "alias", steps: 4 });
  try {
    const both = spawnSync(process.execPath, [TWIN_BIN, "seeds", p.file, "--n", "3", "--seeds", "4"], { cwd: p.dir, encoding: "utf8" });
    assert.equal(both.status, 2, both.stderr);
    assert.match(both.stderr, /--n 3 and --seeds 4 say different things \(they are the same option\); give one/);
    const bad = spawnSync(process.execPath, [TWIN_BIN, "seeds", p.file, "--seeds", "1e9"], { cwd: p.dir, encoding: "utf8" });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--seeds must be a whole number written in digits/);
    const help = spawnSync(process.execPath, [TWIN_BIN, "seeds", "--help"], { encoding: "utf8" });
    assert.match(help.stdout, /--seeds <n> +the same as --n/);
  } finally {
    p.cleanup();
  }
});

test("a rerun says how many runs it kept from the earlier command, and how many it trains", async () => {
  const p = studyProject({ name: "rerun", steps: 6, evalEvery: 3 });
  try {
    const spec = await importStudy(p.file);
    const base = { record: true, cwd: p.dir, studyFile: p.file, jobs: 1 } as const;
    const first: string[] = [];
    await runStudy(spec, { ...base, plan: 2, onWarning: (w) => void first.push(w) });
    assert.ok(!first.some((w) => /keeping/.test(w)), first.join("\n"));
    const more: string[] = [];
    await runStudy(spec, { ...base, plan: 3, onWarning: (w) => void more.push(w) });
    assert.ok(more.some((w) => /^keeping 2 of 3 run\(s\) of study 'rerun' that ended under an earlier command \(.*twin\.db\); training the other 1$/.test(w)), more.join("\n"));
    const same: string[] = [];
    await runStudy(spec, { ...base, plan: 3, onWarning: (w) => void same.push(w) });
    assert.ok(same.some((w) => /^keeping 3 of 3 run\(s\).*; nothing left to train$/.test(w)), same.join("\n"));
  } finally {
    p.cleanup();
  }
});

test("twin sweep's per-metric summary prints an accuracy of fractions in pp, as the verdict under it; a loss as logged", () => {
  const summaries = [
    { metric: "val_accuracy", variants: [{ name: "weak", n: 3, mean: 0.4025, sd: 0.0195, min: 0.39, max: 0.425, nonFinite: 0 }] },
    { metric: "val_loss", variants: [{ name: "weak", n: 3, mean: 1.2345, sd: 0.0123, min: 1.2, max: 1.25, nonFinite: 0 }] },
  ];
  const r = { name: "sw", store: "x.db", vary: null, runs: [], stopped: false, table: { header: [], rows: [], metrics: [] }, summaries } as unknown as SweepResult;
  const text = formatSweep(r);
  assert.match(text, /val_accuracy\n +variant +n +mean ± sd \(pp\) +min +max\n +weak +3 +40\.25 ± 1\.95 +39\.00 +42\.50\n/);
  assert.match(text, /val_loss\n +variant +n +mean ± sd +min +max\n +weak +3 +1\.2345 ± 0\.0123 +1\.2000 +1\.2500/);
});
