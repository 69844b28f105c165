/**
 * Run labels chosen by two commands at the same moment (run-labels.ts): each
 * has listed the study's stored runs before the other stored its own, so both
 * plan the same new labels. Claimed in the log folder (claimRunLabels, a file
 * linked into place), a label goes to one of them and the other's run of
 * other seeds takes the next: no run is moved aside, every run is read. Also:
 * freeRunLabels, made linear, gives the labels of the quadratic version.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FACTORS, resolveFactorSeeds } from "../../src/rng/factors.ts";
import { loadStudyDir } from "../../src/report/sources/log-dir.ts";
import type { RunRecord } from "../../src/store/index.ts";
import { freeRunLabels, LABELS_DIR } from "../../src/study/run-labels.ts";
import { planRuns, type PlannedRun } from "../../src/study/seed-plan.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";
import { REPO, studyProject } from "./fixtures/synthetic-study.ts";

/** Runs `source` (an ES module importing twin's sources) in `count` node processes at once; each gets its index as argv[2] and waits for the others before its work. */
async function inProcesses(source: string, count: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "twin-labels-proc-"));
  try {
    const script = join(dir, "child.mts");
    const go = join(dir, "go");
    writeFileSync(script, `import { existsSync, writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(join(dir, "ready-"))} + process.argv[2], "");\nwhile (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));\n${source}`);
    let ended = 0;
    const children = Array.from({ length: count }, (_, k) => {
      const child = spawn(process.execPath, ["--import", "tsx", script, String(k)], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
      let out = "", err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      return new Promise<string>((resolve, reject) =>
        child.on("close", (code) => {
          ended++;
          if (code === 0) resolve(out);
          else reject(new Error(`child ${k} exited ${code}: ${err}`));
        }),
      );
    });
    // Both imported and waiting: released together (a child that ended before is reported below).
    while (ended === 0 && readdirSync(dir).filter((f) => f.startsWith("ready-")).length < count) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(go, "");
    return await Promise.all(children);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("two processes claiming labels for runs of other seeds at once: never one label for two seeds", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-labels-claim-"));
  try {
    // On a loaded machine one process can finish its 150 studies before the other starts: then nothing was
    // contested and the round is run again (in new folders), up to MAX_ROUNDS; every round checks every study.
    const MAX_ROUNDS = 6;
    let contested = 0;
    for (let round = 0; round < MAX_ROUNDS && contested === 0; round++) contested += await claimRound(join(root, `round-${round}`));
    // Both processes won some of the contested labels at least once (they ran side by side), and lost the others to the next label.
    assert.ok(contested > 0, `the two processes never competed for a label in ${MAX_ROUNDS} rounds`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** One round: both processes claim labels for the same 150 studies under `root`; every study checked; returns how many were contested. */
async function claimRound(root: string): Promise<number> {
  const src = (p: string) => JSON.stringify(join(REPO, "src", p));
  // Process 0 plans `compare --seeds 6` (roots 0..5), process 1 `seeds --vary init --n 6` (root 0, init 0..5): both labelled 0..5, only label 0 the same seeds.
  const out = await inProcesses(
    `import { claimRunLabels } from ${src("study/run-labels.ts")};
import { planRuns } from ${src("study/seed-plan.ts")};
import { join } from "node:path";
const plans = process.argv[2] === "0" ? planRuns(6) : planRuns({ vary: "init", n: 6 });
const got = [];
for (let k = 0; k < 150; k++) got.push(claimRunLabels(join(${JSON.stringify(root)}, "s" + k), plans).map((p) => p.label));
process.stdout.write(JSON.stringify(got));`,
    2,
  );
  const [compare, vary] = out.map((o) => JSON.parse(o) as number[][]);
  let contested = 0;
  for (let k = 0; k < 150; k++) {
    const a = compare![k]!, b = vary![k]!;
    // Label 0 is one run (root 0, init 0) for both; every other run has a label of its own.
    assert.equal(a[0], 0);
    assert.equal(b[0], 0);
    const all = [...a.slice(1), ...b.slice(1)];
    assert.equal(new Set(all).size, 10, `study ${k}: ${JSON.stringify([a, b])}`);
    assert.ok(!all.includes(0));
    // Each claim file holds the seeds of the run that has its label.
    const claims = readdirSync(join(root, `s${k}`, LABELS_DIR)).sort();
    assert.deepEqual(claims, Array.from({ length: 11 }, (_, i) => `seed-${i}`).sort());
    assert.match(readFileSync(join(root, `s${k}`, LABELS_DIR, `seed-${b[1]}`), "utf8"), /"seeds":"0,augment=0,dropout=0,eval=0,init=1,order=0"/);
    if (a.slice(1).some((l) => l > 5) && b.slice(1).some((l) => l <= 5)) contested++;
  }
  return contested;
}

test("twin compare and a one-factor seed study submitted to one study at the same moment, in two processes: every run keeps a folder of its own and is read", async () => {
  const project = studyProject({ name: "same-moment", steps: 4, evalEvery: 2 });
  try {
    const logdir = join(project.dir, "runs");
    const src = (p: string) => JSON.stringify(join(REPO, "src", p));
    await inProcesses(
      `import { importStudy } from ${src("study/study-file.ts")};
import { runStudy } from ${src("study/run-study.ts")};
const spec = await importStudy(${JSON.stringify(project.file)});
const plan = process.argv[2] === "0" ? 3 : { vary: "init", n: 3 };
await runStudy(spec, { cwd: ${JSON.stringify(project.dir)}, studyFile: ${JSON.stringify(project.file)}, record: true, logdir: ${JSON.stringify(logdir)}, jobs: 1, plan, onWarning: (w) => process.stderr.write(w + "\\n") });`,
      2,
    );
    const studyDir = join(logdir, "same-moment");
    const variants = readdirSync(studyDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith("_")).map((d) => d.name);
    assert.ok(variants.length >= 2);
    for (const variant of variants) {
      assert.deepEqual(readdirSync(join(studyDir, variant)).sort(), ["seed-0", "seed-1", "seed-2", "seed-3", "seed-4"], `${variant}: no folder moved aside`);
    }
    assert.ok(!existsSync(join(studyDir, "_checks")) || readdirSync(join(studyDir, "_checks")).every((f) => /^seed-\d+\.jsonl$/.test(f)));
    const read = loadStudyDir(studyDir);
    assert.deepEqual([...new Set(read.runs.map((r) => r.seed))].sort(), ["0", "1", "2", "3", "4"]);
    // Roots 0..2 of compare and inits 1, 2 of root 0: five runs of five seed sets.
    const seeds = new Set(read.runs.map((r) => JSON.stringify(r.factorSeeds)));
    assert.equal(seeds.size, 5);
    assert.ok(read.runs.every((r) => !r.notes?.some((n) => /set aside|earlier, different run/.test(n))));
  } finally {
    project.cleanup();
  }
});

/** freeRunLabels as it was (a list searched for every planned run: quadratic), the reference. */
function quadraticLabels(plans: readonly PlannedRun[], held: readonly RunRecord[]): PlannedRun[] {
  const id = (root: bigint, seeds: Readonly<Record<string, bigint>>) => [root.toString(), ...Object.keys(seeds).filter((f) => f !== "split").sort().map((f) => `${f}=${seeds[f]}`)].join(",") + `|${seeds.split}`;
  const taken: { id: string; label: number }[] = [];
  for (const r of held) taken.push({ id: id(r.rootSeed, r.seeds), label: (r.config as { label: number }).label });
  let next = Math.max(-1, ...taken.map((t) => t.label), ...plans.map((p) => p.label)) + 1;
  return plans.map((plan) => {
    const me = id(BigInt(plan.seed.root), resolveFactorSeeds(plan.seed));
    const known = taken.find((t) => t.id === me)?.label;
    let label = known ?? plan.label;
    if (known === undefined && taken.some((t) => t.label === label)) label = next++;
    taken.push({ id: me, label });
    return label === plan.label ? plan : { ...plan, label };
  });
}

test("freeRunLabels (linear) gives the labels the quadratic version gave", () => {
  const r = new Xoshiro128(3);
  for (let k = 0; k < 200; k++) {
    const held: RunRecord[] = Array.from({ length: r.nextInt(30) }, (_, i) => {
      const root = r.nextInt(8);
      const seeds = Object.fromEntries(FACTORS.map((f) => [f, BigInt(r.nextInt(3) === 0 ? r.nextInt(4) : root)]));
      return {
        id: `r${i}`, study: "s", variants: ["a"], specHash: "h", rootSeed: BigInt(root), seeds, config: { kind: "twin-run", label: r.nextInt(20) },
        fingerprintHash: null, status: "finished", attempts: 1, worker: null, queuedAt: 0, startedAt: null, finishedAt: null, heartbeatAt: null, error: null,
      };
    });
    const plans = [planRuns(1 + r.nextInt(10)), planRuns({ vary: [...FACTORS], n: 1 + r.nextInt(4), withAll: r.nextInt(2) === 0 }), planRuns({ vary: "init", n: 1 + r.nextInt(8) })][r.nextInt(3)]!;
    assert.deepEqual(freeRunLabels(plans, held), quadraticLabels(plans, held), `case ${k}`);
  }
});
