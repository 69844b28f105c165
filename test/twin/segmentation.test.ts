import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import * as optim from "../../src/torch/optim/index.ts";
import { unet, UNet } from "../../src/torch/nn/unet.ts";
import { fashionSeg, FASHION_SEG_CLASSES } from "../../src/data/datasets/fashion-seg.ts";
import { horizontalFlip, randomCrop } from "../../src/data/augment/index.ts";
import { twinTrain, type TrainBatch } from "../../src/twin/index.ts";
import { evaluateBatch, maskCrossEntropy } from "../../src/twin/evaluate.ts";
import {
  ConfusionMeter, confusionMatrix, scoresFromConfusion, segmentationMetrics, segmentationScores,
} from "../../src/twin/segmentation-metrics.ts";

const { ops } = torch;

function close(a: number, b: number, what: string, tol = 1e-12): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
}

function closeAll(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => (Number.isNaN(b[i]) ? assert.ok(Number.isNaN(v), `${what}[${i}]: ${v} vs NaN`) : close(v, b[i], `${what}[${i}]`)));
}

const long = (values: number[], shape: number[]) => torch.tensor(BigInt64Array.from(values, BigInt), { shape });

/** Logits whose argmax is `pred` (one-hot scaled, [B, K, H, W]). */
function logitsFor(pred: torch.Tensor, K: number): torch.Tensor {
  return ops.one_hot(pred, { num_classes: K }).permute(0, 3, 1, 2).float().mul(5);
}

// masks  [[0 0 1]     predictions [[0 1 1]
//         [1 2 2]]                 [1 2 0]]
// confusion (rows true, cols predicted): [[1 1 0], [0 2 0], [1 0 1]]
// IoU: 0 → 1/(1+1+1) = 1/3, 1 → 2/(2+1+0) = 2/3, 2 → 1/(1+0+1) = 1/2; mean 1/2
// Dice: 0 → 2/4, 1 → 4/5, 2 → 2/3; pixel accuracy 4/6
const MASK = [0, 0, 1, 1, 2, 2];
const PRED = [0, 1, 1, 1, 2, 0];

test("IoU, Dice and pixel accuracy match a hand-computed example", () => {
  torch.scope(() => {
    const masks = long(MASK, [1, 2, 3]);
    const pred = long(PRED, [1, 2, 3]);
    const cm = confusionMatrix(pred, masks, { numClasses: 3 });
    assert.deepEqual(cm.toNumbers(), [1, 1, 0, 0, 2, 0, 1, 0, 1]);
    for (const s of [segmentationScores(pred, masks, { numClasses: 3 }), segmentationScores(logitsFor(pred, 3), masks, { numClasses: 3 })]) {
      closeAll(s.iou, [1 / 3, 2 / 3, 1 / 2], "iou");
      closeAll(s.dice, [1 / 2, 4 / 5, 2 / 3], "dice");
      close(s.meanIoU, 1 / 2, "mIoU");
      close(s.meanDice, (1 / 2 + 4 / 5 + 2 / 3) / 3, "mDice");
      close(s.pixelAccuracy, 4 / 6, "pixel accuracy");
      assert.equal(s.pixels, 6);
    }
    // [B, 1, H, W] masks are the same as [B, H, W].
    close(segmentationScores(pred, masks.unsqueeze(1), { numClasses: 3 }).meanIoU, 1 / 2, "mIoU with a channel axis");
  });
});

test("ignored pixels and absent classes", () => {
  torch.scope(() => {
    // Two extra pixels labelled 255 (padding) and one labelled ignoreIndex 7: whatever is predicted there does not count.
    const masks = long([...MASK, 255, 255, 7], [1, 3, 3]);
    const pred = long([...PRED, 2, 0, 1], [1, 3, 3]);
    const s = segmentationScores(pred, masks, { numClasses: 3, ignoreIndex: 7 });
    closeAll(s.iou, [1 / 3, 2 / 3, 1 / 2], "iou");
    assert.equal(s.pixels, 6);

    // ignoreIndex = 0 (background): its pixels and the class itself are left out.
    // Left: true [1 1 2 2], predicted [1 1 2 0]; class 1: TP 2, FP 0, FN 0 → 1; class 2: TP 1, FN 1, FP 0 → 1/2.
    const bg = segmentationScores(long(PRED, [1, 2, 3]), long(MASK, [1, 2, 3]), { numClasses: 3, ignoreIndex: 0 });
    closeAll(bg.iou, [NaN, 1, 1 / 2], "iou without background");
    close(bg.meanIoU, 3 / 4, "mIoU without background");
    closeAll(bg.dice, [NaN, 1, 2 / 3], "dice without background");
    close(bg.pixelAccuracy, 3 / 4, "pixel accuracy without background");

    // Class 3 neither in the masks nor predicted: no score, not in the mean; class 3 predicted but absent: IoU 0.
    const four = segmentationScores(long(PRED, [1, 2, 3]), long(MASK, [1, 2, 3]), { numClasses: 4 });
    closeAll(four.iou, [1 / 3, 2 / 3, 1 / 2, NaN], "iou with an absent class");
    close(four.meanIoU, 1 / 2, "mIoU with an absent class");
    const fp = segmentationScores(long([0, 3], [1, 1, 2]), long([0, 0], [1, 1, 2]), { numClasses: 4 });
    closeAll(fp.iou, [1 / 2, NaN, NaN, 0], "iou of a predicted, absent class");
    close(fp.meanIoU, 1 / 4, "mIoU of a predicted, absent class");
  });
});

test("the meter accumulates confusion over batches (dataset IoU, not the mean of batch IoUs)", () => {
  torch.scope(() => {
    // Batch A: true [0 0 0 1] predicted [0 0 0 0]; batch B: true [1 1] predicted [1 1].
    const a = { m: long([0, 0, 0, 1], [1, 2, 2]), p: long([0, 0, 0, 0], [1, 2, 2]) };
    const b = { m: long([1, 1], [1, 1, 2]), p: long([1, 1], [1, 1, 2]) };
    const meter = new ConfusionMeter({ numClasses: 2 });
    meter.update(a.p, a.m).update(logitsFor(b.p, 2), b.m);
    assert.deepEqual(Array.from(meter.matrix), [3, 0, 1, 2]);
    const s = meter.scores();
    // Summed counts: class 0 TP 3, FN 0, FP 1 → 3/4; class 1 TP 2, FN 1 → 2/3.
    closeAll(s.iou, [3 / 4, 2 / 3], "accumulated iou");
    close(s.meanIoU, (3 / 4 + 2 / 3) / 2, "accumulated mIoU");
    // Per batch: A → [3/4, 0] mean 3/8; B → [NaN, 1] mean 1; their mean 11/16 differs.
    const perBatch = (segmentationScores(a.p, a.m, { numClasses: 2 }).meanIoU + segmentationScores(b.p, b.m, { numClasses: 2 }).meanIoU) / 2;
    close(perBatch, 11 / 16, "mean of batch mIoUs");
    assert.notEqual(perBatch, s.meanIoU);
    closeAll(scoresFromConfusion(meter.matrix, { numClasses: 2 }).dice, [6 / 7, 4 / 5], "dice from the matrix");

    // The trainer plug-in reports the same numbers.
    const acc = segmentationMetrics({ numClasses: 2, perClass: true, classNames: ["bg", "fg"] })();
    acc.update(a.p, { inputs: a.p, targets: a.p, masks: a.m });
    acc.update(b.p, { inputs: b.p, targets: b.p, masks: b.m });
    const r = acc.compute();
    close(r.miou, s.meanIoU, "plug-in mIoU");
    close(r.mdice, s.meanDice, "plug-in mDice");
    close(r["iou/fg"], 2 / 3, "plug-in per-class IoU");
    assert.throws(() => confusionMatrix(torch.zeros([1, 3, 2, 2]), a.m, { numClasses: 2 }), /do not fit/);
  });
});

test("unet: shapes, PyTorch-style paths, checks", () => {
  const g = new torch.Generator(0);
  const m = unet({ inChannels: 1, numClasses: 11, base: 8, depth: 2, generator: g });
  try {
    const paths = m.namedParameters().map(([p, t]) => `${p}:${t.shape.join("x")}`);
    assert.deepEqual(paths.slice(0, 6), ["encoder.0.0.weight:8x1x3x3", "encoder.0.1.weight:8", "encoder.0.1.bias:8", "encoder.0.3.weight:8x8x3x3", "encoder.0.4.weight:8", "encoder.0.4.bias:8"]);
    for (const p of ["bottleneck.0.weight:32x16x3x3", "up.0.weight:16x8x2x2", "up.1.weight:32x16x2x2", "decoder.0.0.weight:8x16x3x3", "decoder.1.0.weight:16x32x3x3", "head.weight:11x8x1x1", "head.bias:11"]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
    }
    assert.ok(m.namedBuffers().some(([p]) => p === "decoder.1.4.running_var"));
    const noBn = unet({ inChannels: 1, numClasses: 3, base: 8, depth: 2, batchNorm: false });
    assert.ok(noBn.namedParameters().some(([p]) => p === "encoder.0.2.bias"), "convs get biases without BN");
    assert.equal(noBn.namedBuffers().length, 0);
    assert.equal(noBn.isInitialized, false);
    noBn.dispose();
    const live = torch.memory().tensors;
    torch.scope(() => {
      const x = torch.randn([2, 1, 32, 32], { generator: g });
      const y = m.forward(x);
      assert.deepEqual(y.shape, [2, 11, 32, 32]);
      y.sum().backward();
      assert.deepEqual(m.head.weight.grad!.shape, [11, 8, 1, 1]);
      assert.ok(m.encoder.at(0).parameters()[0].grad!.abs().sum().item() > 0, "gradients reach the first layer");
      assert.throws(() => m.forward(torch.zeros([1, 1, 30, 32])), /divisible by 2\^depth = 4/);
      assert.throws(() => m.forward(torch.zeros([1, 3, 32, 32])), /expected input \[B, 1, H, W\]/);
    });
    assert.equal(torch.memory().tensors, live, "forward leaks nothing");
    assert.throws(() => unet({ inChannels: 1, numClasses: 0 }), /numClasses must be a positive integer/);
    assert.ok(m instanceof UNet);
  } finally {
    m.dispose();
    g.dispose();
  }
});

test("fashionSeg: deterministic, masks agree with the pixels, 11 classes", () => {
  const a = fashionSeg({ train: 64, test: 16, size: 48 });
  const b = fashionSeg({ train: 64, test: 16, size: 48 });
  const c = fashionSeg({ train: 64, test: 16, size: 48, seed: 1 });
  assert.deepEqual(a.train.inputs.data, b.train.inputs.data);
  assert.deepEqual(a.train.masks!.data, b.train.masks!.data);
  assert.notDeepEqual(a.train.inputs.data, c.train.inputs.data);
  assert.deepEqual(a.train.inputs.shape, [64, 1, 48, 48]);
  assert.deepEqual(a.train.masks!.shape, [64, 48, 48]);
  assert.equal(a.train.masks!.dtype, "int64");
  assert.deepEqual(a.test.masks!.shape, [16, 48, 48]);
  assert.equal(FASHION_SEG_CLASSES.length, 11);
  const px = a.train.inputs.data as Uint8Array;
  const mk = a.train.masks!.data as BigInt64Array;
  const seen = new Set<number>();
  for (let i = 0; i < px.length; i++) {
    const m = Number(mk[i]);
    assert.equal(m > 0, px[i] >= 50, `pixel ${i}`);
    seen.add(m);
  }
  assert.equal(seen.size, 11, "every class appears");
  const t = a.train.targets.data as BigInt64Array;
  for (const v of t) assert.ok(v >= 1n && v <= 10n);
});

test("twin training of two U-Nets: the loss drops, mIoU is reported, masks move with their images", async () => {
  const { train, test: validation } = fashionSeg({ train: 320, test: 64, size: 48 });
  const threshold = 50;
  const aligned: boolean[] = [];
  const augment = (b: TrainBatch, g: torch.Generator): TrainBatch => {
    const out = randomCrop(horizontalFlip(b, { generator: g }), { size: 48, padding: 4, ignoreIndex: 0, generator: g });
    // Inputs are pixel/255: x·255 rounds back to the byte, and foreground ⇔ byte ≥ threshold ⇔ mask > 0.
    aligned.push(out.inputs.squeeze(1).mul(255).round().ge(threshold).eq(out.masks!.gt(0)).all().item() === 1);
    return out;
  };
  const losses: Record<string, number[]> = { base8: [], base16: [] };
  const steps = 40;
  const r = await twinTrain({
    study: "seg",
    variants: {
      base8: () => ({ model: unet({ inChannels: 1, numClasses: 11, base: 8, depth: 2 }), optimizer: (p) => optim.adam(p, { lr: 1e-2 }) }),
      base16: () => ({ model: unet({ inChannels: 1, numClasses: 11, base: 16, depth: 2 }), optimizer: (p) => optim.adam(p, { lr: 1e-2 }) }),
    },
    train,
    validation,
    normalize: { scale: 255 },
    augment,
    target: "masks",
    metrics: segmentationMetrics({ numClasses: 11, perClass: true, classNames: FASHION_SEG_CLASSES }),
    batchSize: 16,
    steps,
    evalEvery: 10,
    evalBatchSize: 32,
    seed: { root: 3 },
    onProgress: (p) => {
      for (const [k, v] of Object.entries(p.losses)) losses[k].push(v);
    },
  });
  assert.equal(r.completed, true);
  // The trivial predictor (everything background) as the floor to beat.
  const background = torch.scope(() => {
    const masks = torch.tensor(validation.masks!.data as BigInt64Array, { shape: validation.masks!.shape });
    return new ConfusionMeter({ numClasses: 11 }).update(torch.zerosLike(masks), masks).scores();
  });
  assert.equal(aligned.length, steps);
  assert.ok(aligned.every(Boolean), "every augmented mask lines up with its image");
  for (const name of ["base8", "base16"]) {
    const v = r.variants[name];
    assert.equal(v.status, "finished", `${name}: ${v.error}`);
    const l = losses[name];
    const first = (l[0] + l[1] + l[2]) / 3;
    const last = (l.at(-1)! + l.at(-2)! + l.at(-3)!) / 3;
    assert.ok(last < 0.7 * first, `${name}: loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
    const f = v.final!;
    assert.ok(Number.isFinite(f.miou) && f.miou > 0 && f.miou <= 1, `${name}: mIoU ${f.miou}`);
    assert.ok(Number.isFinite(f.mdice) && f.mdice >= f.miou, `${name}: mDice ${f.mdice} ≥ mIoU`);
    assert.ok(f.accuracy > background.pixelAccuracy, `${name}: pixel accuracy ${f.accuracy} beats all-background ${background.pixelAccuracy}`);
    assert.ok(f.miou > 1.3 * background.meanIoU, `${name}: mIoU ${f.miou} well above all-background ${background.meanIoU}`);
    assert.ok(f["iou/background"] > 0.8, `${name}: background IoU ${f["iou/background"]}`);
    assert.equal(v.epochs.at(-1)!.miou, f.miou);
    assert.equal(v.predictions, undefined, "no per-pixel probabilities kept");
  }
  assert.notEqual(r.variants.base8.weightsHash, r.variants.base16.weightsHash);
});

test("evaluation with target masks: pixel accuracy over labelled pixels, loss skipping padding", () => {
  torch.scope(() => {
    // A "model" that returns fixed logits, to check the numbers by hand.
    const logits = logitsFor(long([0, 1, 1, 0], [1, 2, 2]), 2);
    const model = {
      forward: () => logits, train: () => {}, eval: () => {}, initialize: () => {}, setDropoutGenerator: () => {},
      parameters: () => [], stateDict: () => ({}), loadStateDict: () => {}, dispose: () => {},
    };
    const masks = long([0, 1, 255, 1], [1, 2, 2]);
    const batch: TrainBatch = { inputs: torch.zeros([1, 1, 2, 2]), targets: long([0], [1]), masks };
    const m = evaluateBatch(model, maskCrossEntropy, batch, { target: "masks", metrics: segmentationMetrics({ numClasses: 2 }) });
    close(m.accuracy, 2 / 3, "pixel accuracy over the 3 labelled pixels");
    const expected = ops.cross_entropy_loss(logits, long([0, 1, -100, 1], [1, 2, 2])).item();
    close(m.loss, expected, "loss", 1e-6);
    // Confusion over labelled pixels: true [0 1 1], predicted [0 1 0] → IoU [1/2, 1/2].
    close(m.miou, 1 / 2, "mIoU");
  });
});

test("segmentation in worker threads (parallel schedule) is bit-identical to in-process, mIoU included", async () => {
  const seg = await import("./fixtures/seg-study.ts");
  const { train, test: validation } = fashionSeg({ train: 64, test: 16, size: 32 });
  const config = (extra: Partial<Parameters<typeof twinTrain>[0]>) => ({
    study: "seg-workers", variants: seg.variants, metrics: seg.metrics, target: "masks" as const, train, validation,
    normalize: { scale: 255 }, batchSize: 8, steps: 6, evalEvery: 3, evalBatchSize: 8, seed: { root: 5 },
    augment: (b: TrainBatch, g: torch.Generator) => horizontalFlip(b, { generator: g }), ...extra,
  });
  const inProcess = await twinTrain(config({}));
  const workers = await twinTrain(config({ variantsModule: { path: new URL("./fixtures/seg-study.ts", import.meta.url).href }, schedule: "parallel", workers: 2 }));
  for (const v of ["bn", "plain"]) {
    assert.equal(workers.variants[v].status, "finished", `${v}: ${workers.variants[v].error}`);
    assert.equal(workers.variants[v].weightsHash, inProcess.variants[v].weightsHash, v);
    assert.deepEqual(workers.variants[v].final, inProcess.variants[v].final, v);
    assert.ok(Number.isFinite(workers.variants[v].final!.miou), `${v}: mIoU ${workers.variants[v].final!.miou}`);
  }
  assert.deepEqual(workers.batchChecksums, inProcess.batchChecksums);
});
