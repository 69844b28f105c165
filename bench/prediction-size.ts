/**
 * Stored prediction size and fidelity on Fashion-MNIST (docs/deployment.md,
 * "Stored predictions"): a real model's probabilities (bench/prediction_size_ref.py,
 * 3 seeds of the 784-256-10 MLP, 5,000 validation and 10,000 test examples)
 * stored as twin stores them (12-bit, src/store/prediction-codec.ts) against
 * half precision (what earlier versions stored): bytes per variant and run,
 * single-model predictions changed, and for every ensemble of 2 and 3 seeds
 * the examples whose ensemble prediction changed and the accuracy change.
 * Writes bench/results/prediction-size.json.
 *   npm run bench:prediction-size
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy } from "../src/data/host/npy.ts";
import { decodeProbabilities, encodeLabels, encodeProbabilities, PROBABILITY_ENCODING } from "../src/store/prediction-codec.ts";
import { predictedClasses, type Predictions } from "../src/stats/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-prediction-size-"));
try {
  const py = spawnSync("/usr/bin/python3", [join(import.meta.dirname, "prediction_size_ref.py"), dir], { stdio: "inherit", env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" } });
  if (py.status !== 0) throw new Error("bench/prediction_size_ref.py failed");
  const f16Bytes = JSON.parse(readFileSync(join(dir, "f16.json"), "utf8")) as Record<string, number>;
  const load = (name: string): Predictions => {
    const a = readNpy(join(dir, name));
    return { data: a.data as Float32Array, shape: [a.shape[0]!, a.shape[1]!] };
  };
  const labelsOf = (name: string) => Int32Array.from(readNpy(join(dir, name)).data as BigInt64Array, Number);
  const rows: Record<string, unknown>[] = [];
  for (const [set, k, labelFile] of [["validation", "v", "val_labels.npy"], ["test", "t", "test_labels.npy"]] as const) {
    const labels = labelsOf(labelFile);
    const exact = [0, 1, 2].map((s) => load(`${k}${s}.npy`));
    const half = [0, 1, 2].map((s) => load(`f${k}${s}.npy`));
    const bytes = exact.map((p) => encodeProbabilities(p.data, p.shape[1]).length);
    const labelBytes = encodeLabels(labels).bytes.length;
    const stored = exact.map((p) => ({ data: decodeProbabilities(encodeProbabilities(p.data, p.shape[1]), PROBABILITY_ENCODING, p.data.length, set), shape: p.shape }) as Predictions);
    const single = exact.map((p, i) => {
      const a = predictedClasses([p]), b = predictedClasses([stored[i]!]), h = predictedClasses([half[i]!]);
      return { q12: a.filter((c, e) => c !== b[e]).length, f16: a.filter((c, e) => c !== h[e]).length };
    });
    const subsets = [[0, 1], [0, 2], [1, 2], [0, 1, 2]];
    const accuracy = (c: ArrayLike<number>) => Array.from(c).filter((v, e) => v === labels[e]).length / labels.length;
    const ensembles = subsets.map((sub) => {
      const a = predictedClasses(sub.map((i) => exact[i]!)), b = predictedClasses(sub.map((i) => stored[i]!)), h = predictedClasses(sub.map((i) => half[i]!));
      return {
        seeds: sub,
        changed_q12: a.filter((c, e) => c !== b[e]).length,
        changed_f16: a.filter((c, e) => c !== h[e]).length,
        accuracy_change_q12: accuracy(b) - accuracy(a),
        accuracy_change_f16: accuracy(h) - accuracy(a),
      };
    });
    rows.push({
      set, examples: labels.length, classes: exact[0]!.shape[1],
      bytes_q12: bytes, bytes_f16: [0, 1, 2].map((s) => f16Bytes[`${k}${s}`]!), label_bytes: labelBytes,
      single_changed: single, ensembles,
    });
    const kb = (x: number[]) => (x.reduce((s, v) => s + v, 0) / x.length / 1000).toFixed(1);
    console.log(`${set}: ${labels.length} × ${exact[0]!.shape[1]}: 12-bit ${kb(bytes)} KB, half precision ${kb([0, 1, 2].map((s) => f16Bytes[`${k}${s}`]!))} KB per seed (+ labels ${(labelBytes / 1000).toFixed(1)} KB)`);
    console.log(`  single-seed predictions changed: 12-bit ${single.map((x) => x.q12).join("/")}, half ${single.map((x) => x.f16).join("/")} of ${labels.length}`);
    for (const e of ensembles) console.log(`  ensemble of seeds ${e.seeds.join("+")}: predictions changed 12-bit ${e.changed_q12}, half ${e.changed_f16}; accuracy change ${(100 * e.accuracy_change_q12).toFixed(2)} / ${(100 * e.accuracy_change_f16).toFixed(2)} points`);
  }
  mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
  writeFileSync(join(import.meta.dirname, "results", "prediction-size.json"), JSON.stringify({ model: "784-256-10 MLP, Adam 1e-3, 3 epochs, seeds 0-2 (PyTorch)", sets: rows }, null, 2) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
