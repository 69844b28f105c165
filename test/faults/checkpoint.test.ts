/** Fault matrix: damaged checkpoints are detected, reported and never resumed from. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blobRunConfig, toyVariantsAs } from "../twin/fixtures/blob-run.ts";
import { twinTrain, type CheckpointInfo, type DamagedCheckpoint, type TwinConfig } from "../../src/twin/index.ts";

function config(overrides: Partial<TwinConfig> = {}): TwinConfig {
  return blobRunConfig({ study: "toy", variants: toyVariantsAs({ base: "base", adam: "dropout" }), dataSeed: 1, rootSeed: 11, epochs: 2 }, overrides);
}

/** Overwrites 64 bytes in the middle of a file (what a bad disk or a torn copy does). */
function flipBytes(file: string): void {
  const size = readFileSync(file).length;
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, Math.max(0, Math.floor(size / 2) - 32));
  } finally {
    closeSync(fd);
  }
}

function steps(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^step-\d+$/.test(f)).sort();
}

let full: Awaited<ReturnType<typeof twinTrain>> | undefined;
async function uninterrupted() {
  full ??= await twinTrain(config());
  return full;
}

async function assertSameAsUninterrupted(resumed: Awaited<ReturnType<typeof twinTrain>>) {
  const ref = await uninterrupted();
  assert.equal(resumed.completed, true);
  for (const v of ["base", "adam"]) {
    assert.equal(resumed.variants[v].weightsHash, ref.variants[v].weightsHash, v);
    assert.deepEqual(resumed.variants[v].epochs, ref.variants[v].epochs, v);
  }
  assert.equal(resumed.runChain, ref.runChain);
}

test("checkpoints carry a manifest and their hash is handed out as they are written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-ckpt-"));
  try {
    const saved: CheckpointInfo[] = [];
    await twinTrain(config({ checkpoint: { dir, every: 3, onSaved: (c) => void saved.push(c) }, stopAfter: 8 }));
    assert.deepEqual(saved.map((c) => c.step), [3, 6, 8]);
    for (const c of saved) assert.match(c.sha256, /^[0-9a-f]{64}$/);
    const newest = saved[saved.length - 1]!;
    assert.ok(existsSync(join(newest.path, "manifest.json")));
    assert.deepEqual(steps(dir), ["step-00000006", "step-00000008"], "the two newest are kept, no temporary folder left");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a newest checkpoint with flipped bytes is reported by file and the previous one resumes bit-identically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-ckpt-"));
  try {
    await twinTrain(config({ checkpoint: { dir, every: 3 }, stopAfter: 8 }));
    const newest = join(dir, "step-00000008");
    flipBytes(join(newest, "model-base.safetensors"));
    const damaged: DamagedCheckpoint[] = [];
    const resumedAt: number[] = [];
    const resumed = await twinTrain(config({ checkpoint: { dir, every: 3, onDamaged: (d) => void damaged.push(d), onResume: (s) => void resumedAt.push(s) } }));
    assert.equal(damaged.length, 1);
    assert.equal(damaged[0]!.file, "model-base.safetensors");
    assert.equal(damaged[0]!.path, newest);
    assert.match(damaged[0]!.reason, /SHA-256/);
    assert.ok(existsSync(damaged[0]!.movedTo), "the damaged folder is kept aside for inspection");
    assert.deepEqual(resumedAt, [6]);
    await assertSameAsUninterrupted(resumed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every checkpoint damaged (a garbled state.json, a truncated optimizer file): the run starts over and still matches", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-ckpt-"));
  try {
    await twinTrain(config({ checkpoint: { dir, every: 3 }, stopAfter: 8 }));
    writeFileSync(join(dir, "step-00000008", "state.json"), "{ garbled");
    writeFileSync(join(dir, "step-00000006", "optim-adam.safetensors"), "");
    const damaged: DamagedCheckpoint[] = [];
    const resumedAt: number[] = [];
    const resumed = await twinTrain(config({ checkpoint: { dir, every: 3, onDamaged: (d) => void damaged.push(d), onResume: (s) => void resumedAt.push(s) } }));
    assert.deepEqual(damaged.map((d) => d.file), ["state.json", "optim-adam.safetensors"]);
    assert.deepEqual(resumedAt, []);
    await assertSameAsUninterrupted(resumed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a checkpoint whose manifest differs from the hash recorded at write time is not trusted", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-ckpt-"));
  try {
    const saved: CheckpointInfo[] = [];
    await twinTrain(config({ checkpoint: { dir, every: 3, onSaved: (c) => void saved.push(c) }, stopAfter: 8 }));
    // A consistent but foreign checkpoint (files and manifest replaced together): only the recorded hash catches it.
    const expected = new Map(saved.map((c) => [c.step, c.sha256]));
    expected.set(8, "0".repeat(64));
    const damaged: DamagedCheckpoint[] = [];
    const resumed = await twinTrain(config({ checkpoint: { dir, every: 3, expected, onDamaged: (d) => void damaged.push(d) } }));
    assert.equal(damaged.length, 1);
    assert.equal(damaged[0]!.file, "manifest.json");
    assert.match(damaged[0]!.reason, /recorded/);
    await assertSameAsUninterrupted(resumed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the default report of a damaged checkpoint is a warning on stderr naming the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-ckpt-"));
  const write = process.stderr.write.bind(process.stderr);
  let text = "";
  try {
    await twinTrain(config({ checkpoint: { dir, every: 3 }, stopAfter: 4 }));
    flipBytes(join(dir, "step-00000004", "model-adam.safetensors"));
    process.stderr.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stderr.write;
    await twinTrain(config({ checkpoint: { dir, every: 3 }, stopAfter: 5 }));
  } finally {
    process.stderr.write = write;
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(text, /warning: checkpoint .*step-00000004\/model-adam\.safetensors is damaged/);
});
