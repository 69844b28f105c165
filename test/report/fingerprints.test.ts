/**
 * Runs that carry different fingerprints are named (which seeds carry which)
 * in the report, the dashboard's body and `twin stats`; a stored run's own
 * split and the command line that started it do not make its fingerprint
 * differ (every seed of a per-seed split study did, in the store).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, StoreSource, renderStudyBody, streamReportModel } from "../../src/report/index.ts";
import { openStore } from "../../src/store/index.ts";
import { comparableFingerprintHash } from "../../src/study/comparable-fingerprint.ts";

const A = "a".repeat(64), B = "b".repeat(64);

function writeRun(root: string, variant: string, seed: number, fingerprint: string, value: number): void {
  const dir = join(root, "s", variant, `seed-${seed}`);
  mkdirSync(dir, { recursive: true });
  const lines = [
    { kind: "hparams", wall_time: 1, hparams: { study: "s", variant, seed }, metrics: ["val/accuracy"] },
    { kind: "text", step: 0, wall_time: 1, tag: "fingerprint", text: fingerprint },
    { kind: "scalars", step: 1, wall_time: 2, values: { "val/accuracy": value } },
    { kind: "end", wall_time: 3, status: "success" },
  ];
  writeFileSync(join(dir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
}

test("the report, the dashboard's body and twin stats name the seeds of each fingerprint", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-fingerprints-"));
  try {
    for (const seed of [0, 1, 2, 3]) for (const variant of ["base", "wide"]) writeRun(root, variant, seed, seed === 2 ? B : A, 0.8 + seed / 100 + (variant === "wide" ? 0.01 : 0));
    const model = await streamReportModel((await new LogDirSource(root).openStudy("s"))!);
    assert.deepEqual(model.repro.fingerprints, [{ fingerprint: A, runs: 6, seeds: ["0", "1", "3"] }, { fingerprint: B, runs: 2, seeds: ["2"] }]);
    assert.equal(model.repro.notes[0], "runs carry 2 different fingerprints: code, data, configuration or environment changed between runs (logs written before twin left the command line out of the fingerprint can differ by the command alone): aaaaaaaaaaaa (6 runs: seeds 0, 1, 3); bbbbbbbbbbbb (2 runs: seed 2)");
    const html = renderStudyBody(model).html;
    assert.match(html, /<ul id="fingerprints"><li><code>a{64}<\/code>: 6 runs, seeds 0, 1, 3<\/li><li><code>b{64}<\/code>: 2 runs, seed 2<\/li><\/ul>/);
    const run = (json: boolean) => spawnSync(process.execPath, ["bin/twin.js", "stats", join(root, "s"), "--store", join(root, "none.db"), ...(json ? ["--json"] : [])], { encoding: "utf8", timeout: 120_000 });
    const text = run(false);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^warning: runs carry 2 different fingerprints: .*: aaaaaaaaaaaa \(6 runs: seeds 0, 1, 3\); bbbbbbbbbbbb \(2 runs: seed 2\)$/m);
    assert.deepEqual(JSON.parse(run(true).stdout).fingerprints, model.repro.fingerprints);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("from the store, a run's own split and the command line do not make fingerprints differ; a changed file does, named by seed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fingerprints-store-"));
  try {
    const store = await openStore(join(dir, "twin.db"));
    const base = { argv: ["compare", "s.ts"], files: { "s.ts": "1" }, cpu: "x" };
    const prints = [
      { ...base, split: "s0" },
      { ...base, argv: ["seeds", "s.ts", "--vary", "each"], split: "s1" },
      { ...base, split: "s2", files: { "s.ts": "2" } },
    ];
    await store.putStudy({ name: "s", specHash: "h" });
    await store.putVariants("s", [{ name: "base" }, { name: "wide" }]);
    for (const [seed, fp] of prints.entries()) {
      const fingerprintHash = await store.putFingerprint(fp);
      const { run } = await store.submitRun({ study: "s", variants: ["base", "wide"], specHash: "h", rootSeed: seed, seeds: { init: seed, order: seed }, fingerprintHash });
      assert.ok(await store.claimRun(run.id, "w"));
      await store.addMetrics(["base", "wide"].map((variant, i) => ({ runId: run.id, variant, step: 1, name: "val/accuracy", value: 0.8 + seed / 100 + i / 100 })));
      await store.finishRun(run.id, { worker: "w" });
    }
    await store.close();
    const source = new StoreSource(await openStore(join(dir, "twin.db")));
    const model = await streamReportModel((await source.openStudy("s"))!);
    await source.close();
    const same = comparableFingerprintHash(prints[0]), changed = comparableFingerprintHash(prints[2]);
    assert.equal(comparableFingerprintHash(prints[1]), same, "split and argv left out");
    assert.deepEqual(model.repro.fingerprints, [{ fingerprint: same, runs: 4, seeds: ["0", "1"] }, { fingerprint: changed, runs: 2, seeds: ["2"] }]);
    assert.match(model.repro.notes[0]!, /^runs carry 2 different fingerprints: .*\(4 runs: seeds 0, 1\); [0-9a-f]{12} \(2 runs: seed 2\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
