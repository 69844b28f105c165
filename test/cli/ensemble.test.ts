/**
 * `twin ensemble` against numbers computed independently by NumPy (members'
 * accuracies, the ensemble's, every subset of the size curve), and its errors
 * on bad input. Needs /usr/bin/python3 with NumPy.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "twin-ensemble-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function twin(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/twin.js", "ensemble", ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes the prediction files with NumPy and returns NumPy's expected numbers. */
function python(code: string): unknown {
  const r = spawnSync(PYTHON, ["-c", code], { cwd: dir, encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const MAKE = `
import json, itertools, numpy as np
rng = np.random.default_rng(7)
E, C, M = 600, 5, 5
y = rng.integers(0, C, E)
base = rng.normal(0, 1, (E, C)); base[np.arange(E), y] += 1.2
probs = []
for i in range(M):
    z = base + rng.normal(0, 1.0, (E, C))
    p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    if i == 4:
        np.save(f"m{i}.npy", z.astype(np.float64))          # logits
        p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    elif i == 3:
        np.savetxt(f"m{i}.csv", p, delimiter=",", header=",".join(f"c{j}" for j in range(C)), comments="", fmt="%.17g")
    else:
        p = p.astype(np.float32); np.save(f"m{i}.npy", p); p = p.astype(np.float64)
    probs.append(p)
np.save("y.npy", y.astype(np.int64))
np.savetxt("y.csv", y, fmt="%d")
acc = lambda s: float((sum(probs[i] for i in s).argmax(1) == y).mean())
curve = []
for k in range(1, M + 1):
    a = [acc(s) for s in itertools.combinations(range(M), k)]
    curve.append({"k": k, "mean": float(np.mean(a)), "min": min(a), "max": max(a), "subsets": len(a)})
cls = [p.argmax(1) for p in probs]
pairs = [float((cls[i] != cls[j]).mean()) for i in range(M) for j in range(i + 1, M)]
ens_right = (sum(probs).argmax(1) == y).astype(float)
d = ens_right - np.mean([(c == y) for c in cls], axis=0)
print(json.dumps({"members": [acc([i]) for i in range(M)], "ensemble": acc(range(M)), "curve": curve,
                  "churn": float(np.mean(pairs)), "gain": float(d.mean()), "gain_se_examples": float(d.std(ddof=1) / np.sqrt(E))}))
`;

interface Expected {
  members: number[];
  ensemble: number;
  curve: { k: number; mean: number; min: number; max: number; subsets: number }[];
  churn: number;
  gain: number;
  gain_se_examples: number;
}

const files = ["m0.npy", "m1.npy", "m2.npy", "m3.csv", "m4.npy"].map((f) => join(dir, f));

test("twin ensemble --json matches NumPy: members, ensemble, every subset of the curve, churn and gain", () => {
  const want = python(MAKE) as Expected;
  const r = twin(...files, "--labels", join(dir, "y.npy"), "--json");
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as {
    members: { file: string; accuracy: number; read_as: string }[];
    ensemble_accuracy: number;
    curve: { k: number; mean: number; min: number; max: number; subsets: number; exhaustive: boolean }[];
    churn: { mean: number };
    gain: { estimate: number; parts: { examples: number } };
    notes: string[];
  };
  assert.deepEqual(got.members.map((m) => m.file), files);
  got.members.forEach((m, i) => assert.equal(m.accuracy, want.members[i], m.file));
  assert.deepEqual(got.members.map((m) => m.read_as), ["probabilities", "probabilities", "probabilities", "probabilities", "logits"]);
  assert.equal(got.ensemble_accuracy, want.ensemble);
  assert.equal(got.curve.length, 5);
  got.curve.forEach((p, i) => {
    const w = want.curve[i]!;
    assert.equal(p.k, w.k);
    assert.equal(p.subsets, w.subsets);
    assert.ok(p.exhaustive);
    assert.ok(Math.abs(p.mean - w.mean) < 1e-12, `k=${p.k} mean ${p.mean} vs ${w.mean}`);
    assert.equal(p.min, w.min);
    assert.equal(p.max, w.max);
  });
  assert.ok(Math.abs(got.churn.mean - want.churn) < 1e-12);
  assert.ok(Math.abs(got.gain.estimate - want.gain) < 1e-12);
  assert.ok(Math.abs(Math.sqrt(got.gain.parts.examples) - want.gain_se_examples) < 1e-12);
  assert.ok(got.notes.some((n) => n.includes("m4.npy") && n.includes("logits")), got.notes.join("\n"));
});

test("twin ensemble: text output, CSV labels, and a seeded sample of subsets said to be one", () => {
  const r = twin(...files, "--labels", join(dir, "y.csv"), "--subsets", "4");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ensemble of 5 \(argmax of the averaged probabilities\): \d+\.\d\d pp/);
  assert.match(r.stdout, /gain over the average member \(\d+\.\d\d pp\): [+-]\d+\.\d\d pp, /, "accuracies and the gain in pp, as every verdict prints them");
  assert.doesNotMatch(r.stdout.replace(/% of examples|not all agree on [\d.]+%|\d+% CI/g, ""), /\d%|points/, "no level in % or difference in 'points'");
  assert.match(r.stdout, /^ {3}2 .* 4 \(sample\)$/m);
  assert.match(r.stdout, /^ {3}5 .* 1 \(all\)$/m);
  assert.match(r.stdout, /note: curve: for k = 2, 3 a random sample of 4 subsets \(seed 0/);
  const again = twin(...files, "--labels", join(dir, "y.csv"), "--subsets", "4");
  assert.equal(again.stdout, r.stdout, "the sample is seeded");
});

test("twin ensemble: bad input names the file and the row", () => {
  python(`
import numpy as np
p = np.load("m0.npy")
np.save("short.npy", p[:-1])
np.save("fewer_classes.npy", p[:, :4] / p[:, :4].sum(1, keepdims=True))
bad = p.copy(); bad[17] = [0.1, 0.1, 0.1, 0.1, 0.1]; np.save("bad_sum.npy", bad)
nan = p.copy(); nan[3, 2] = np.nan; np.save("nan.npy", nan)
y = np.load("y.npy"); y[42] = 5; np.save("y_range.npy", y)
np.save("labels_2d.npy", np.zeros((600, 5), np.float32))
print("{}")
`);
  const cases: [string[], RegExp][] = [
    [[files[0]!, join(dir, "short.npy")], /short\.npy: 599 examples but .*m0\.npy has 600/],
    [[files[0]!, join(dir, "fewer_classes.npy")], /fewer_classes\.npy: 4 classes but .*m0\.npy has 5/],
    [[join(dir, "bad_sum.npy")], /bad_sum\.npy row 17 \(0-based\): values in \[0, 1\] that sum to 0\.5.*neither probabilities/],
    [[join(dir, "nan.npy")], /nan\.npy row 3 \(0-based\), class 2: NaN is neither a probability nor a logit/],
    [[join(dir, "y.npy")], /y\.npy: expected a 2-D array \[examples, classes\], got shape \[600\]/],
  ];
  for (const [preds, message] of cases) {
    const r = twin(...preds, "--labels", join(dir, "y.npy"));
    assert.equal(r.status, 1, `${preds.join(" ")}: ${r.stdout}`);
    assert.match(r.stderr, message);
  }
  const range = twin(files[0]!, "--labels", join(dir, "y_range.npy"));
  assert.equal(range.status, 1);
  assert.match(range.stderr, /y_range\.npy row 42 \(0-based\): label 5 is out of range: the predictions have 5 classes \(0\.\.4\)/);
  const csvRow = twin(files[3]!, "--labels", join(dir, "y.csv"), "--probabilities");
  assert.equal(csvRow.status, 0, csvRow.stderr);
  const forced = twin(files[4]!, "--labels", join(dir, "y.npy"), "--probabilities");
  assert.equal(forced.status, 1);
  assert.match(forced.stderr, /m4\.npy row \d+ \(0-based\): not a probability vector/);
  const both = twin(files[0]!, "--labels", join(dir, "y.npy"), "--logits", "--probabilities");
  assert.equal(both.status, 2);
  writeFileSync(join(dir, "bad.csv"), "0.5,0.5\n0.2,oops\n");
  const badCsv = twin(join(dir, "bad.csv"), "--labels", join(dir, "y.csv"));
  assert.equal(badCsv.status, 1);
  assert.match(badCsv.stderr, /bad\.csv line 2, column 2: 'oops' is not a number/);
});

test("twin ensemble reads float16, float32 and float64 NPY in either byte order and Fortran order, as NumPy reads them", () => {
  const want = python(`
import json, numpy as np
rng = np.random.default_rng(11)
z = rng.normal(0, 1, (300, 4)); y = rng.integers(0, 4, 300); z[np.arange(300), y] += 1.2
p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
np.save("dt_y.npy", y)
out = {}
for name, a in (("f2le", p.astype("<f2")), ("f2be", p.astype(">f2")), ("f2fortran", np.asfortranarray(p.astype("<f2"))),
                ("f4be", p.astype(">f4")), ("f8be", p.astype(">f8")), ("f2logits", z.astype("<f2"))):
    np.save(f"dt_{name}.npy", a)
    q = a.astype(np.float64)
    if name == "f2logits": q = np.exp(q - q.max(1, keepdims=True)); q /= q.sum(1, keepdims=True)
    out[name] = float((q.argmax(1) == y).mean())
print(json.dumps(out))
`) as Record<string, number>;
  for (const [name, accuracy] of Object.entries(want)) {
    const r = twin(join(dir, `dt_${name}.npy`), "--labels", join(dir, "dt_y.npy"), "--json");
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    const got = JSON.parse(r.stdout) as { members: { accuracy: number; read_as: string }[] };
    assert.equal(got.members[0]!.accuracy, accuracy, name);
    assert.equal(got.members[0]!.read_as, name === "f2logits" ? "logits" : "probabilities", name);
  }
  python(`
import numpy as np
np.save("dt_f2cut.npy", np.zeros((300, 4), "<f2")); b = open("dt_f2cut.npy", "rb").read(); open("dt_f2cut.npy", "wb").write(b[:-10])
np.save("dt_i4.npy", np.zeros((300, 4), "<i4"))
print("{}")
`);
  const cut = twin(join(dir, "dt_f2cut.npy"), "--labels", join(dir, "dt_y.npy"));
  assert.equal(cut.status, 1);
  assert.match(cut.stderr, /dt_f2cut\.npy: truncated NPY data: shape \[300, 4\] of float16 needs 2400 bytes, the file has 2390/);
  const ints = twin(join(dir, "dt_i4.npy"), "--labels", join(dir, "dt_y.npy"));
  assert.equal(ints.status, 1);
  assert.match(ints.stderr, /dt_i4\.npy: predictions must be float16, float32 or float64, got int32/);
});

test("twin ensemble --train-inputs/--test-inputs refuses predictions made on training examples, naming the rows", () => {
  python(`
import numpy as np
rng = np.random.default_rng(3)
train = rng.integers(0, 256, (500, 1, 8, 8), dtype=np.uint8)
test = rng.integers(0, 256, (600, 1, 8, 8), dtype=np.uint8)
np.save("in_train.npy", train); np.save("in_test.npy", test)
leak = test.copy(); leak[37] = train[412]; leak[90] = train[5]; np.save("in_leak.npy", leak)
np.save("in_float.npy", test.astype(np.float32))
print("{}")
`);
  const args = [files[0]!, "--labels", join(dir, "y.npy"), "--train-inputs", join(dir, "in_train.npy")];
  const clean = twin(...args, "--test-inputs", join(dir, "in_test.npy"));
  assert.equal(clean.status, 0, clean.stderr);
  const leak = twin(...args, "--test-inputs", join(dir, "in_leak.npy"));
  assert.equal(leak.status, 1);
  assert.match(leak.stderr, /held-out test set .*in_leak\.npy is not held out: 2 of its 600 examples are also in the training data .*in_train\.npy \(first: test row 37 equals training row 412, 0-based\)/);
  const kinds = twin(...args, "--test-inputs", join(dir, "in_float.npy"));
  assert.equal(kinds.status, 1);
  assert.match(kinds.stderr, /in_train\.npy holds uint8 \[500, 1, 8, 8\] and .*in_float\.npy float32 \[600, 1, 8, 8\]: rows can only be compared/);
  const alone = twin(...args);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--train-inputs and --test-inputs go together/);
});
