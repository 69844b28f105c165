// A saved accumulator's run summaries and control-sum audit as packed columns
// (src/serve/packed-runs.ts): they come back equal, property for property and in
// the model's order; a summary with a property the packing does not know is
// saved as it is; columns that do not fit together are refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { packAudit, packRuns, unpackAudit, unpackRuns } from "../../src/serve/packed-runs.ts";
import { decodeAccumulator, encodeAccumulator } from "../../src/serve/saved-accumulator.ts";
import { StudyAccumulator, type RunSummary, type SeedGroup } from "../../src/report/index.ts";
import type { AuditSnapshot } from "../../src/study/control-sum-audit.ts";

function summary(variant: string, seed: string, extra: Partial<RunSummary> = {}): RunSummary {
  return { variant, seed, status: "success", lastStep: 500, finals: new Map([["val/accuracy", 0.8 + Number(seed) / 1000], ["train/loss", 0.3]]), where: `/logs/s/${variant}/seed-${seed}`, notes: [], ...extra };
}

const BY_SEED = new Map<string, RunSummary[]>([
  ["0", [summary("base", "0", { factorSeeds: { init: "0", order: "0" } }), summary("wide", "0", { factorSeeds: { init: "0", order: "0" }, fingerprint: "fp wide" })]],
  ["1", [summary("base", "1", { status: "diverged", lastStep: 17, finals: new Map([["val/accuracy", NaN], ["x", -0], ["y", Infinity]]), notes: ["a note", "train/loss (step 3): é ✓"] })]],
  ["10", []],
  ["2", [summary("base", "2", { finals: new Map(), factorSeeds: {} }), summary("wide", "2")]],
]);

const AUDIT: AuditSnapshot["seeds"] = new Map([
  ["0", { audit: { seed: "0", variants: ["base", "wide"], steps: 0, lastStep: 0, runLastStep: 500, streams: [], batchChecksums: false, problems: ["no control sums recorded"] }, recorded: false, inconsistent: false, incomplete: true }],
  ["1", { audit: { seed: "1", variants: ["base"], steps: 12, lastStep: 11, runLastStep: 12, streams: ["init", "batches"], batchChecksums: true, problems: [] }, recorded: true, inconsistent: true, incomplete: false, drawNote: "base draws 3 more" }],
]);

/** Every object's keys in order, recursively (deepStrictEqual does not compare the order). */
function keyOrder(v: unknown): unknown {
  if (v instanceof Map) return [...v].map(([k, x]) => [k, keyOrder(x)]);
  if (Array.isArray(v)) return v.map(keyOrder);
  if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => [k, keyOrder(x)]);
  return v;
}

test("run summaries and audit seeds come back equal, in the same order, each property in its place", () => {
  const runs = unpackRuns(structuredClone(packRuns(BY_SEED)!));
  assert.deepStrictEqual(runs, BY_SEED);
  assert.deepStrictEqual(keyOrder(runs), keyOrder(BY_SEED));
  assert.ok(Object.is(runs.get("1")![0]!.finals.get("x"), -0));
  const audit = unpackAudit(structuredClone(packAudit(AUDIT)!));
  assert.deepStrictEqual(audit, AUDIT);
  assert.deepStrictEqual(keyOrder(audit), keyOrder(AUDIT));
});

test("a property the packing does not know, or one there with no value, leaves the summaries saved as they are", () => {
  assert.equal(packRuns(new Map([["0", [{ ...summary("base", "0"), study: "other" } as RunSummary]]])), undefined);
  assert.equal(packRuns(new Map([["0", [{ ...summary("base", "0"), fingerprint: undefined }]]])), undefined);
  const entry = AUDIT.get("0")!;
  assert.equal(packAudit(new Map([["0", { ...entry, audit: { ...entry.audit, extra: 1 } as typeof entry.audit }]])), undefined);
});

test("packed columns that do not fit together are refused", () => {
  const p = packRuns(BY_SEED)!;
  assert.throws(() => unpackRuns({ ...p, status: p.status.subarray(1) }), /different lengths/);
  assert.throws(() => unpackRuns({ ...p, runsPerSeed: Uint32Array.from([2, 1, 0, 3]) }), /do not add up/);
  assert.throws(() => unpackRuns({ ...p, where: p.where.map(() => 999) }), /outside the table/);
  assert.throws(() => unpackRuns({ ...p, notes: { counts: p.notes.counts.map(() => 5), items: p.notes.items } }), /past its items/);
  const a = packAudit(AUDIT)!;
  assert.throws(() => unpackAudit({ ...a, steps: a.steps.subarray(1) }), /do not add up/);
});

test("an accumulator saved and restored holds the same run summaries and audit", () => {
  const acc = new StudyAccumulator({ name: "s", source: "test", variantOrder: ["base", "wide"] }, {}, "replace", 3);
  for (let seed = 0; seed < 3; seed++) {
    const steps = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const group: SeedGroup = {
      seed: String(seed),
      runs: ["base", "wide"].map((variant) => ({ variant, seed: String(seed), status: "success", scalars: { "val/accuracy": { steps, values: steps.map((s) => s / (20 + seed)) } }, where: `${variant}/seed-${seed}`, factorSeeds: { init: String(seed) }, ...(seed === 1 ? { notes: ["n"], fingerprint: "fp" } : {}) })),
      checks: [],
    };
    acc.addGroup(group);
  }
  const before = acc.snapshot();
  const back = decodeAccumulator(encodeAccumulator(new Map(), acc, []))!;
  assert.deepStrictEqual(back.snapshot.bySeed, before.bySeed);
  assert.deepStrictEqual(back.snapshot.audit, before.audit);
});
