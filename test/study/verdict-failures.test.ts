import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { readResults } from "../../src/study/results-file.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { formatVerdict, studyVerdict } from "../../src/study/verdict.ts";
import { RunLogger } from "../../src/log/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-verdict-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const twin = (args: string[]) => spawnSync(process.execPath, ["bin/twin.js", ...args], { encoding: "utf8", timeout: 120_000 });

const A = [0.861, 0.872, 0.866, 0.869, 0.858, 0.860];
const B = [0.866, 0.877, 0.872, 0.873, 0.864, 0.865];

test("diverged (NaN) and failed (status column) runs are counted, not dropped; the comparison says what it rests on", () => {
  const rows = ["variant,seed,accuracy,status,error"];
  A.forEach((v, i) => rows.push(`base,${i},${v},,`));
  B.forEach((v, i) => rows.push(i === 1 ? `new,${i},NaN,,` : i === 4 ? `new,${i},,failed,"CUDA out of memory\nat step 3"` : `new,${i},${v},finished,`));
  const a = analyzeResults(readResults(file("fail.csv", rows.join("\n"))), { metric: "accuracy" });
  assert.equal(a.seeds, 6);
  assert.equal(a.paired, true, a.pairing);
  const nv = a.variants[1]!;
  assert.deepEqual([nv.runs, nv.n, nv.diverged, nv.failed, nv.missing], [6, 4, 1, 1, 0]);
  assert.ok(Math.abs(nv.failure_rate! - 2 / 6) < 1e-12);
  // scipy.stats.binomtest(2, 6).proportion_ci(method="exact")
  assert.ok(Math.abs(nv.failure_rate_ci![0] - 0.043271868292889565) < 1e-9 && Math.abs(nv.failure_rate_ci![1] - 0.7772219044964505) < 1e-9);
  assert.deepEqual(nv.errors.map((e) => e.error), ["diverged (NaN or infinite value)", "CUDA out of memory"]);
  const c = a.comparisons[0]!;
  assert.equal(c.n_pairs, 4);
  assert.equal(c.excluded_pairs, 2);
  assert.deepEqual(c.excluded.map((e) => `${e.seed}:${e.outcome}`), ["1:diverged", "4:failed"]);
  const f = a.failure_comparisons[0]!;
  assert.equal(f.test, "exact McNemar");
  assert.deepEqual(f.discordant, [0, 2]);
  assert.ok(Math.abs(f.p - 0.5) < 1e-12); // scipy.stats.binomtest(0, 2).pvalue
  const text = formatVerdict("", a, false);
  assert.match(text, /^6 seeds · paired by seed/);
  assert.match(text, /rests on 4 pairs \(2 seeds left out: seed 1 new diverged, seed 4 new failed\)/);
  assert.match(text, /failure rate 33% \(95% CI 4%–78%\)/);
  assert.match(text, /CUDA out of memory {2}\(seed 4\)/);
});

test("twin stats accepts NaN, -Inf and status-marked runs, prints the verdict and exits 3", () => {
  const rows = ["variant,seed,loss,status"];
  A.forEach((v, i) => rows.push(`base,${i},${1 - v},finished`));
  B.forEach((v, i) => rows.push(`new,${i},${i === 0 ? "-Inf" : i === 2 ? "nan" : 1 - v},${i === 3 ? "diverged" : "ok"}`));
  const p = file("marked.csv", rows.join("\n"));
  const r = twin(["stats", p, "--json"]);
  assert.equal(r.status, 3, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.higher_is_better, false);
  assert.equal(out.variants[1].diverged, 3);
  assert.equal(out.comparisons[0].n_pairs, 3);
  const text = twin(["stats", p]);
  assert.equal(text.status, 3);
  assert.match(text.stdout, /loss, lower is better \(from its name/);
  assert.match(text.stdout, /rests on 3 pairs/);
});

test("an empty cell is reported by row and the analysis stays paired, saying why", () => {
  const rows = ["variant,seed,accuracy,loss"];
  A.forEach((v, i) => rows.push(`base,${i},${v},${1 - v}`));
  B.forEach((v, i) => rows.push(`new,${i},${i === 2 ? "" : v},${1 - v}`));
  const p = file("hole.csv", rows.join("\n"));
  const a = analyzeResults(readResults(p), { metric: "accuracy" });
  assert.equal(a.paired, true);
  assert.match(a.pairing, /same 6 seeds/);
  assert.equal(a.comparisons[0]!.n_pairs, 5);
  assert.equal(a.variants[1]!.missing, 1);
  assert.ok(a.problems.some((x) => x.includes(`${p} row 10`) && x.includes("seed 2")), a.problems.join("\n"));
  assert.match(formatVerdict("", a, false), /left out: .*row 10: no value for "accuracy"/);
  // A missing row (not a cell) makes the analysis unpaired, and it says which seed is missing.
  const short = file("short.csv", rows.filter((r) => !r.startsWith("new,5,")).join("\n"));
  const u = analyzeResults(readResults(short), { metric: "accuracy" });
  assert.equal(u.paired, false);
  assert.match(u.pairing, /"new" has no run for seed\(s\) 5/);
  assert.match(formatVerdict("", u, false), /unpaired: "new" has no run for seed\(s\) 5/);
});

test("a truncated metrics file in a log folder is reported, and a failed run's stale values are not its result", () => {
  const logs = join(dir, "logs");
  A.forEach((v, i) => {
    const l = new RunLogger({ logdir: logs, study: "s", variant: "base", seed: i });
    l.log(10, { "val/accuracy": v, epoch: 1, lr: 0.1 });
    l.close("success");
  });
  B.forEach((v, i) => {
    const l = new RunLogger({ logdir: logs, study: "s", variant: "new", seed: i });
    l.log(10, { "val/accuracy": v, epoch: 1, lr: 0.1 });
    if (i === 0) l.log(20, { "train/loss": NaN });
    l.close(i === 0 ? "failure" : "success");
  });
  appendFileSync(join(logs, "s", "base", "seed-5", "metrics.jsonl"), '{"kind":"scalars","st');
  const table = readResults(logs);
  const a = analyzeResults(table, { metric: "val/accuracy" });
  assert.ok(a.problems.some((x) => /seed-5.metrics\.jsonl is cut off at line \d+/.test(x)), a.problems.join("\n"));
  assert.equal(a.variants[1]!.diverged, 1);
  assert.equal(a.comparisons[0]!.n_pairs, 5);
  const r = twin(["stats", logs, "--json"]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(JSON.parse(r.stdout).metric, "val/accuracy", "the default metric is never epoch or lr");
});

test("a variant whose every run failed is reported with its error; the others are still compared", () => {
  const v = studyVerdict(
    {
      seeds: ["0", "1", "2", "3"],
      values: { base: [0.8, 0.82, 0.81, 0.79], wide: [0.81, 0.84, 0.82, 0.8], boom: [NaN, NaN, NaN, NaN] },
      status: { base: ["finished", "finished", "finished", "finished"], wide: ["finished", "finished", "finished", "finished"], boom: ["failed", "failed", "failed", "failed"] },
      errors: { boom: ["variant 'boom' could not be built: bad layer", "variant 'boom' could not be built: bad layer", "variant 'boom' could not be built: bad layer", "variant 'boom' could not be built: bad layer"] },
    },
    { metric: "validation accuracy", reference: "base" },
  );
  assert.deepEqual(v.comparisons.map((c) => c.b), ["wide"]);
  assert.deepEqual(v.not_compared.map((c) => c.b), ["boom"]);
  assert.equal(v.variants[2]!.failure_rate, 1);
  const text = formatVerdict("s", v, true);
  assert.match(text, /boom +0 +no finished run +4 failed/);
  assert.match(text, /variant 'boom' could not be built: bad layer {2}\(seeds 0, 1, 2, 3\)/);
  assert.match(text, /wide − base {2}\+1\.25 pp/);
});

test("exit codes: 2 for a bad command line (a missing results path too), 1 for other errors", () => {
  const p = file("ok.csv", ["variant,seed,acc", ...A.map((v, i) => `a,${i},${v}`), ...B.map((v, i) => `b,${i},${v}`)].join("\n"));
  assert.equal(twin(["stats", p, "--lower-is-better", "--higher-is-better"]).status, 2);
  assert.equal(twin(["stats", p, "--no-such-flag"]).status, 2);
  assert.equal(twin(["stats", join(dir, "absent.csv")]).status, 2);
  assert.equal(twin(["stats", file("empty.csv", "")]).status, 1);
  assert.equal(twin(["stats", p]).status, 0);
});

test("the failure comparison counts ended runs only: runs not finished yet and missing values are not ended", async () => {
  const { analyzeCells } = await import("../../src/study/analyze.ts");
  type Cell = import("../../src/study/results-file.ts").Cell;
  const base = new Map<string, Cell>(), next = new Map<string, Cell>();
  A.forEach((v, i) => base.set(String(i), { outcome: "finished", value: v, where: `base ${i}` }));
  base.set("6", { outcome: "unfinished", where: "base 6" });
  base.set("7", { outcome: "missing", where: "base 7" });
  B.forEach((v, i) => next.set(String(i), i === 4 ? { outcome: "failed", where: "new 4" } : i === 5 ? { outcome: "diverged", where: "new 5" } : { outcome: "finished", value: v, where: `new ${i}` }));
  next.set("6", { outcome: "finished", value: 0.87, where: "new 6" });
  next.set("7", { outcome: "unfinished", where: "new 7" });
  const a = analyzeCells(new Map([["base", base], ["new", next]]), { metric: "accuracy" });
  const f = a.failure_comparisons[0]!;
  assert.deepEqual([f.a_ended, f.a_failures, f.b_ended, f.b_failures], [6, 0, 7, 2]);
});
