import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_DIR_ENV,
  fashionMnist,
  fashionMnistDir,
} from "../../src/data/datasets/fashion-mnist.ts";
import { hostArray } from "../../src/data/host/array.ts";
import { writeIdx } from "../../src/data/host/idx.ts";

const tmp = mkdtempSync(join(tmpdir(), "twin-fmnist-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const haveData = existsSync(join(FASHION_MNIST_DEFAULT_DIR, "train-images-idx3-ubyte.gz"));
const skip = haveData ? false : `Fashion-MNIST is not installed in ${FASHION_MNIST_DEFAULT_DIR} (apt-get install dataset-fashion-mnist)`;

test("Fashion-MNIST: shapes, dtypes, label range, class balance", { skip }, () => {
  const { train, test: t } = fashionMnist({ dir: FASHION_MNIST_DEFAULT_DIR });
  assert.deepEqual(train.inputs.shape, [60000, 1, 28, 28]);
  assert.equal(train.inputs.dtype, "uint8");
  assert.ok(train.inputs.data instanceof Uint8Array);
  assert.deepEqual(train.targets.shape, [60000]);
  assert.equal(train.targets.dtype, "int64");
  assert.ok(train.targets.data instanceof BigInt64Array);
  assert.deepEqual(t.inputs.shape, [10000, 1, 28, 28]);
  assert.deepEqual(t.targets.shape, [10000]);
  assert.deepEqual(train.classes, [...FASHION_MNIST_CLASSES]);
  assert.equal(train.classes!.length, 10);
  assert.equal(train.classes![0], "T-shirt/top");
  assert.equal(train.classes![9], "Ankle boot");
  for (const ds of [train, t]) {
    const counts = new Array<number>(10).fill(0);
    for (const y of ds.targets.data as BigInt64Array) {
      assert.ok(y >= 0n && y <= 9n);
      counts[Number(y)]!++;
    }
    const per = ds === train ? 6000 : 1000;
    assert.deepEqual(counts, new Array(10).fill(per));
  }
});

test("Fashion-MNIST: first examples match an independent Python read", { skip }, () => {
  // Reference values read independently with:
  //   /usr/bin/python3 -c "import gzip,struct
  //   f=gzip.open('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz'); f.read(8); print(list(f.read(5)))"
  // → [9, 0, 0, 3, 0]   (t10k labels → [9, 2, 1, 1, 6])
  // and sum of the first 784 bytes after the 16-byte header of train-images → 76247.
  const { train, test: t } = fashionMnist();
  assert.deepEqual([...(train.targets.data as BigInt64Array).subarray(0, 5)], [9n, 0n, 0n, 3n, 0n]);
  assert.deepEqual([...(t.targets.data as BigInt64Array).subarray(0, 5)], [9n, 2n, 1n, 1n, 6n]);
  let sum = 0;
  for (const v of (train.inputs.data as Uint8Array).subarray(0, 784)) sum += v;
  assert.equal(sum, 76247);
});

test("Fashion-MNIST: limit takes the first N; reloads come from the cache", { skip }, () => {
  const full = fashionMnist(); // loads (or reuses) the decoded arrays
  const t0 = performance.now();
  const again = fashionMnist();
  const small = fashionMnist({ limit: 100, testLimit: 10 });
  const elapsed = performance.now() - t0;
  assert.deepEqual(small.train.inputs.shape, [100, 1, 28, 28]);
  assert.deepEqual(small.train.targets.shape, [100]);
  assert.deepEqual(small.test.inputs.shape, [10, 1, 28, 28]);
  assert.deepEqual([...small.train.targets.data], [...full.train.targets.data.subarray(0, 100)]);
  assert.equal(small.train.inputs.data.length, 100 * 784);
  // Both calls after the first must come from the in-process cache.
  assert.equal(again.train.inputs.data, full.train.inputs.data);
  assert.ok(elapsed < 200, `cached reload took ${elapsed.toFixed(0)} ms`);
  assert.throws(() => fashionMnist({ limit: -1 }), /limit must be a non-negative integer/);
});

test("Fashion-MNIST: a missing directory names the file and how to install it", () => {
  const empty = join(tmp, "empty");
  assert.throws(
    () => fashionMnist({ dir: empty }),
    (e: Error) =>
      e.message.includes(join(empty, "train-images-idx3-ubyte.gz")) &&
      e.message.includes("install it with: apt-get install dataset-fashion-mnist (or run bash scripts/setup.sh)"),
  );
});

test("Fashion-MNIST: one missing file is named; env var overrides the directory", () => {
  const d = join(tmp, "partial");
  const N = 4;
  const imgs = hostArray(Uint8Array.from({ length: N * 784 }, (_, i) => i % 251), [N, 28, 28]);
  const labels = hostArray(new Uint8Array([3, 1, 4, 1]), [N]);
  freshDir(d);
  writeIdx(join(d, "train-images-idx3-ubyte.gz"), imgs, { gzip: true });
  writeIdx(join(d, "train-labels-idx1-ubyte.gz"), labels, { gzip: true });
  writeIdx(join(d, "t10k-images-idx3-ubyte.gz"), imgs, { gzip: true });
  assert.throws(
    () => fashionMnist({ dir: d }),
    (e: Error) => /file is missing: \S*t10k-labels-idx1-ubyte\.gz; install it with/.test(e.message),
  );
  // Uncompressed files are accepted too.
  writeIdx(join(d, "t10k-labels-idx1-ubyte"), labels);
  const old = process.env[FASHION_MNIST_DIR_ENV];
  process.env[FASHION_MNIST_DIR_ENV] = d;
  try {
    assert.equal(fashionMnistDir(), d);
    const { train, test: t } = fashionMnist();
    assert.deepEqual(train.inputs.shape, [N, 1, 28, 28]);
    assert.deepEqual([...(t.targets.data as BigInt64Array)], [3n, 1n, 4n, 1n]);
    assert.deepEqual([...train.inputs.data.subarray(0, 3)], [0, 1, 2]);
    // The option wins over the environment.
    assert.equal(fashionMnistDir({ dir: "/x" }), "/x");
  } finally {
    if (old === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
    else process.env[FASHION_MNIST_DIR_ENV] = old;
  }
  // Wrong content: labels out of range.
  const bad = join(tmp, "bad");
  freshDir(bad);
  writeIdx(join(bad, "train-images-idx3-ubyte.gz"), imgs, { gzip: true });
  writeIdx(join(bad, "train-labels-idx1-ubyte.gz"), hostArray(new Uint8Array([3, 1, 12, 1]), [N]), { gzip: true });
  writeIdx(join(bad, "t10k-images-idx3-ubyte.gz"), imgs, { gzip: true });
  writeFileSync(join(bad, "t10k-labels-idx1-ubyte.gz"), new Uint8Array(0));
  assert.throws(() => fashionMnist({ dir: bad }), /label 12 at index 2 is outside 0\.\.9/);
});

function freshDir(p: string): void {
  rmSync(p, { recursive: true, force: true });
  mkdirSync(p, { recursive: true });
}
