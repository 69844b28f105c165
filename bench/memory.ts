/**
 * Memory benchmark: peak resident memory of twin-training K = 4 U-Nets in one
 * process, against one U-Net alone and against 4 separate processes.
 *
 *   npx tsx bench/memory.ts [--steps N] [--sequential] [--quick]
 *
 * Every case runs in a fresh child process (bench/memory/child.ts), so peaks
 * never mix, and reads its own peak from process.resourceUsage().maxRSS:
 *
 * - baseline: Node, libtorch and the data set, no model (for reading the others);
 * - single:   one U-Net ("adam") trained alone;
 * - twin4:    the 4 U-Nets ("adam", "adam3", "adamw", "sgd": one architecture,
 *             4 optimizers) twin-trained in one process on the same batches;
 * - separate4: each of the 4 trained alone in its own process; the 4 processes
 *             run concurrently (--sequential: one after another; the peaks are
 *             per process either way) and separate4_mb is the sum of their peaks,
 *             the memory a machine needs to run the 4 jobs at once.
 *
 * Workload: Fashion-Seg (src/data/datasets/fashion-seg.ts) at 64×64, batch 32,
 * U-Net base 32, depth 3 (1.9 M parameters: about 30 MB of weights, gradients
 * and Adam state per variant), horizontal flip + random crop, masks as
 * targets, evaluation with mIoU every 10 steps and on the validation set at
 * the end. Activations (hundreds of MB per step) dominate, which is the point:
 * twin training keeps one variant's activations alive at a time.
 *
 * Writes bench/results/memory.json:
 *   {"single_mb", "twin4_mb", "separate4_mb", "baseline_mb", "twin4_over_single", "target_met", "config", "cases"}
 * Target: twin4_mb ≤ 1.5 × single_mb.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildConfig } from "./memory/child.ts";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = flag("--quick");
const VARIANTS = ["adam", "adam3", "adamw", "sgd"];
const base: Omit<ChildConfig, "variants"> = {
  steps: option("--steps", quick ? 4 : 24),
  batch: 32,
  size: 64,
  base: 32,
  depth: 3,
  threads: 1,
  validation: 64,
};

interface ChildResult {
  max_rss_mb: number;
  rss_after_setup_mb: number;
  tensor_bytes_between_steps_mb: number;
  seconds: number;
  variants: Record<string, { status: string; loss?: number; miou?: number }>;
}

function runChild(variants: string[]): Promise<ChildResult> {
  const cfg: ChildConfig = { ...base, variants };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(here, "memory", "child.ts"), JSON.stringify(cfg)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        reject(new Error(`memory case [${variants.join(", ")}] exited with ${code}:\n${err || out}`));
        return;
      }
      const r = JSON.parse(line) as ChildResult;
      for (const [k, v] of Object.entries(r.variants)) {
        if (v.status !== "finished") reject(new Error(`memory case [${variants.join(", ")}]: variant ${k} ${v.status}`));
      }
      resolve(r);
    });
  });
}

const mb = (x: number) => Math.round(x * 10) / 10;
const log = (name: string, r: ChildResult) =>
  console.log(`${name.padEnd(14)} peak ${mb(r.max_rss_mb).toFixed(1).padStart(7)} MB   (after setup ${mb(r.rss_after_setup_mb).toFixed(1)} MB, tensors between steps ${mb(r.tensor_bytes_between_steps_mb).toFixed(1)} MB, ${r.seconds.toFixed(1)} s)`);

console.log(`U-Net base ${base.base} depth ${base.depth}, ${base.size}×${base.size}, batch ${base.batch}, ${base.steps} steps, ${base.threads} thread(s) per process`);
const baseline = await runChild([]);
log("baseline", baseline);
const single = await runChild([VARIANTS[0]]);
log("single", single);
const twin4 = await runChild(VARIANTS);
log("twin4", twin4);
const sequential = flag("--sequential");
const separate: ChildResult[] = [];
if (sequential) {
  for (const v of VARIANTS) separate.push(await runChild([v]));
} else {
  separate.push(...(await Promise.all(VARIANTS.map((v) => runChild([v])))));
}
separate.forEach((r, i) => log(`separate[${VARIANTS[i]}]`, r));
const separateSum = separate.reduce((s, r) => s + r.max_rss_mb, 0);
console.log(`separate4      sum of peaks ${mb(separateSum).toFixed(1)} MB (${sequential ? "one after another" : "run concurrently"})`);

const ratio = twin4.max_rss_mb / single.max_rss_mb;
const result = {
  single_mb: mb(single.max_rss_mb),
  twin4_mb: mb(twin4.max_rss_mb),
  separate4_mb: mb(separateSum),
  baseline_mb: mb(baseline.max_rss_mb),
  twin4_over_single: Math.round(ratio * 1000) / 1000,
  separate4_over_twin4: Math.round((separateSum / twin4.max_rss_mb) * 1000) / 1000,
  target: "twin4_mb <= 1.5 * single_mb",
  target_met: ratio <= 1.5,
  config: { ...base, variants: VARIANTS, separate: sequential ? "sequential" : "concurrent", measure: "process.resourceUsage().maxRSS per child process" },
  cases: {
    baseline,
    single,
    twin4,
    separate: Object.fromEntries(separate.map((r, i) => [VARIANTS[i], r])),
  },
};
console.log(`twin4 / single = ${ratio.toFixed(3)} (target ≤ 1.5: ${result.target_met ? "met" : "NOT met"}); separate4 / twin4 = ${result.separate4_over_twin4}`);
const out = join(here, "results", "memory.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
console.log(`wrote ${out}`);
