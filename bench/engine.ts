/**
 * Engine benchmark: one training step (forward, backward, SGD+momentum step)
 * of an MLP 784-512-10 (batch 128), the conv32-conv64-fc128 CNN (batch 64)
 * (also scripted with torch.jit.script and trained through nn.torchscript:
 * scripted_cnn, against the same CNN in Python's eager mode, and against
 * twin's native CNN in ratio_native) and a ResNet basic block (32→64,
 * stride 2, batch 32 of 16x16), with 1 and
 * 2 threads, twin against Python PyTorch (bench/engine_ref.py under
 * /usr/bin/python3: the same libtorch) in the same run; plus per-op overhead
 * (a chain of 1,000 adds of 16 floats in one torch.scope). A scope frees its
 * tensors when it ends, while Python frees each intermediate as soon as it is
 * rebound; op_chain_kept is the same twin chain against a Python loop that
 * keeps its intermediates to the end, separating the binding's cost from that
 * difference in lifetimes.
 *
 * Python runs with the glibc malloc settings twin's addon applies at load
 * (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_); without them PyTorch is
 * 10-45% slower on the conv cases here, which would flatter twin.
 *
 * The two sides are measured in alternation, a few repetitions at a time, so
 * that a busy machine slows both alike; in the 1-thread cases both processes
 * are pinned to the same core (bench/pin.ts: taskset -c 1), so that they
 * share one core's neighbours and caches. Reported: the median over all
 * repetitions of wall-clock time per step (twin_ms, torch_ms, ratio =
 * twin/torch) and of process CPU time per step (*_cpu_ms, ratio_cpu: steadier
 * on a shared machine, and the same thing as wall time at 1 thread), and the
 * spread of the ratio over rounds (ratio_min, ratio_max: each round's median
 * twin step over its median PyTorch step).
 *
 *   npx tsx bench/engine.ts [--quick] [--cases=cnn,scripted_cnn]
 *
 * Writes bench/results/engine.json: {"cases":[{"name","threads","twin_ms","torch_ms","ratio",…}]}
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/torch/index.ts";
import { PIN_CORE, pinnedCommand, pinSelf, spread, unpinSelf } from "./pin.ts";
import { nn, optim } from "../src/torch/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 4 : 10;

type CaseName = "mlp" | "cnn" | "scripted_cnn" | "resblock" | "op_chain" | "op_chain_kept";
interface CaseCfg { name: CaseName; warmup: number; reps: number; inner: number }
const ALL_CASES: CaseCfg[] = [
  { name: "mlp", warmup: 20, reps: 3, inner: 10 },
  { name: "cnn", warmup: 3, reps: 3, inner: 3 },
  // TorchScript's profiling executor optimises the graph after its first runs: a longer warm-up.
  { name: "scripted_cnn", warmup: 6, reps: 3, inner: 3 },
  { name: "resblock", warmup: 5, reps: 3, inner: 5 },
  { name: "op_chain", warmup: 5, reps: 3, inner: 10 },
  { name: "op_chain_kept", warmup: 5, reps: 3, inner: 10 },
];
// --cases cnn,scripted_cnn: only these (scripted_cnn's ratio_native needs cnn in the same run).
const only = process.argv.find((a) => a.startsWith("--cases="))?.slice("--cases=".length).split(",");
const CASES = only ? ALL_CASES.filter((c) => only.includes(c.name)) : ALL_CASES;
if (only && CASES.length !== only.length) throw new Error(`--cases: known cases are ${ALL_CASES.map((c) => c.name).join(", ")}`);
const LABEL: Record<CaseName, string> = {
  mlp: "MLP 784-512-10, batch 128, train step",
  cnn: "CNN conv32-conv64-fc128, batch 64, train step",
  scripted_cnn: "  same CNN scripted (nn.torchscript) vs eager",
  resblock: "ResNet block 32→64/2, 32x16x16, train step",
  op_chain: "1,000 chained adds (ms per chain = µs per op)",
  op_chain_kept: "  same; Python keeps intermediates (as a scope)",
};

interface Samples { wall: number[]; cpu: number[] }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---- twin side ---------------------------------------------------------------

function makeStep(name: CaseName, g: torch.Generator): { step: () => void; dispose: () => void } {
  if (name === "op_chain" || name === "op_chain_kept") {
    const a = torch.rand([16], { generator: g }).keep();
    const b = torch.rand([16], { generator: g }).keep();
    return {
      step: () => torch.scope(() => {
        let x = a;
        for (let i = 0; i < 1000; i++) x = x.add(b);
      }),
      dispose: () => { a.dispose(); b.dispose(); },
    };
  }
  let model: nn.Module, x: torch.Tensor, y: torch.Tensor | null, loss: (o: torch.Tensor, y: torch.Tensor | null) => torch.Tensor;
  if (name === "mlp") {
    model = nn.mlp([784, 512, 10], { generator: g });
    x = torch.rand([128, 784], { generator: g }).keep();
    y = torch.randint(0, 10, [128], { generator: g }).keep();
    loss = (o, t) => nn.crossEntropy(o, t!);
  } else if (name === "cnn" || name === "scripted_cnn") {
    model = name === "cnn" ? nn.cnn({ generator: g }) : nn.torchscript(scriptedCnn());
    x = torch.rand([64, 1, 28, 28], { generator: g }).keep();
    y = torch.randint(0, 10, [64], { generator: g }).keep();
    loss = (o, t) => nn.crossEntropy(o, t!);
  } else {
    model = new nn.ResidualBlock(32, 64, { stride: 2, generator: g });
    x = torch.rand([32, 32, 16, 16], { generator: g }).keep();
    y = null;
    loss = (o) => o.mean();
  }
  const opt = optim.sgd(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return {
    step: () => {
      opt.zeroGrad();
      torch.scope(() => {
        loss(model.forward(x), y).backward();
        opt.step();
      });
    },
    dispose: () => { opt.dispose(); model.dispose(); x.dispose(); y?.dispose(); },
  };
}

/** The Python side's CNN, scripted by bench/engine_ref.py into a temporary file (once). */
let scriptedCnnPath = "";
function scriptedCnn(): string {
  if (scriptedCnnPath) return scriptedCnnPath;
  const path = join(mkdtempSync(join(tmpdir(), "twin-bench-")), "cnn.pt");
  const r = spawnSync("/usr/bin/python3", [join(here, "engine_ref.py"), "--export-cnn", path], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench/engine_ref.py --export-cnn failed (is python3-torch installed? bash scripts/setup.sh):\n${r.stderr}`);
  scriptedCnnPath = path;
  return path;
}

function measureTwin(fn: () => void, c: CaseCfg, into: Samples): void {
  for (let i = 0; i < c.warmup; i++) fn();
  for (let r = 0; r < c.reps; r++) {
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < c.inner; i++) fn();
    const cu = process.cpuUsage(c0);
    into.wall.push((performance.now() - w0) / c.inner);
    into.cpu.push((cu.user + cu.system) / 1000 / c.inner);
  }
}

// ---- Python side -------------------------------------------------------------------

class PythonRef {
  #proc: ChildProcessWithoutNullStreams;
  #lines: AsyncIterator<string>;
  #stderr = "";
  constructor(threads: number, pinTo: string | undefined) {
    const [file, ...args] = pinnedCommand(pinTo, ["/usr/bin/python3", join(here, "engine_ref.py"), String(threads)]);
    this.#proc = spawn(file!, args, {
      env: {
        ...process.env,
        OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads),
        // twin's addon sets these malloc options at load (docs/engine.md, "Allocator settings": without them glibc
        // unmaps and re-faults activation buffers every step); Python gets the same, so
        // the comparison is about the binding, not the allocator settings.
        MALLOC_MMAP_THRESHOLD_: "33554432", MALLOC_TRIM_THRESHOLD_: "4294967296",
      },
    });
    this.#proc.stderr.on("data", (d) => (this.#stderr += d));
    this.#lines = createInterface({ input: this.#proc.stdout })[Symbol.asyncIterator]();
  }
  async measure(c: CaseCfg, into: Samples): Promise<void> {
    this.#proc.stdin.write(JSON.stringify({ case: c.name, warmup: c.warmup, reps: c.reps, inner: c.inner }) + "\n");
    const next = await this.#lines.next();
    if (next.done) throw new Error(`bench/engine_ref.py exited. Is python3-torch installed? (bash scripts/setup.sh)\n${this.#stderr}`);
    const r = JSON.parse(next.value) as Samples;
    into.wall.push(...r.wall);
    into.cpu.push(...r.cpu);
  }
  close(): void {
    this.#proc.stdin.end();
  }
}

// ---- run ---------------------------------------------------------------------------------

interface Row {
  name: string; threads: number;
  twin_ms: number; torch_ms: number; ratio: number;
  twin_cpu_ms: number; torch_cpu_ms: number; ratio_cpu: number;
  /** Spread of the per-round wall ratios. */
  ratio_min: number; ratio_max: number;
  /** scripted_cnn only: twin's scripted CNN step over twin's native CNN step (the cnn row of the same run). */
  ratio_native?: number;
  ratio_native_cpu?: number;
  /** The core both sides ran on, or null when not pinned. */
  pinned_core: number | null;
  samples: number;
}
const rows: Row[] = [];
const load0 = loadavg()[0];
for (const threads of [1, 2]) {
  // 1 thread: twin and Python on the same core; 2 threads: both free on every core.
  const pinned = threads === 1 && pinSelf(String(PIN_CORE));
  if (threads !== 1) unpinSelf();
  torch.setNumThreads(threads);
  const py = new PythonRef(threads, pinned ? String(PIN_CORE) : undefined);
  const g = new torch.Generator(0);
  for (const c of CASES) {
    const { step, dispose } = makeStep(c.name, g);
    const tw: Samples = { wall: [], cpu: [] }, pt: Samples = { wall: [], cpu: [] };
    const roundRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = tw.wall.length, p0 = pt.wall.length;
      // Alternate which side goes first.
      if (round % 2 === 0) { measureTwin(step, c, tw); await py.measure(c, pt); }
      else { await py.measure(c, pt); measureTwin(step, c, tw); }
      roundRatios.push(median(tw.wall.slice(t0)) / median(pt.wall.slice(p0)));
    }
    const { min, max } = spread(roundRatios);
    dispose();
    const r = (x: number) => +x.toFixed(4);
    const tm = median(tw.wall), pm = median(pt.wall), tc = median(tw.cpu), pc = median(pt.cpu);
    const nativeCnn = rows.find((row) => row.name === "cnn" && row.threads === threads);
    const vsNative = c.name === "scripted_cnn" && nativeCnn
      ? { ratio_native: +(tm / nativeCnn.twin_ms).toFixed(3), ratio_native_cpu: +(tc / nativeCnn.twin_cpu_ms).toFixed(3) }
      : {};
    rows.push({ ...vsNative, name: c.name, threads, twin_ms: r(tm), torch_ms: r(pm), ratio: +(tm / pm).toFixed(3), twin_cpu_ms: r(tc), torch_cpu_ms: r(pc), ratio_cpu: +(tc / pc).toFixed(3), ratio_min: +min.toFixed(3), ratio_max: +max.toFixed(3), pinned_core: pinned ? PIN_CORE : null, samples: tw.wall.length });
    process.stderr.write(`  ${c.name} x${threads} done\n`);
  }
  g.dispose();
  py.close();
}
const load1 = loadavg()[0];
if (scriptedCnnPath) rmSync(dirname(scriptedCnnPath), { recursive: true, force: true });

const pad = (s: string, w: number) => s.padEnd(w);
console.log(`\ntwin engine benchmark: libtorch ${torch.version()}, ${cpus().length} CPUs, load average ${load0.toFixed(1)} → ${load1.toFixed(1)}, ${ROUNDS} alternating rounds`);
console.log(`medians; wall = wall-clock ms per step, cpu = process CPU ms per step\n`);
console.log(`1-thread cases: ${rows.some((r) => r.pinned_core !== null) ? `both sides pinned to core ${PIN_CORE} (taskset)` : "not pinned (no taskset, or one core)"}`);
console.log(`${pad("case", 48)} ${pad("thr", 4)} ${pad("twin wall", 10)} ${pad("torch wall", 11)} ${pad("ratio", 7)} ${pad("rounds", 12)} ${pad("twin cpu", 10)} ${pad("torch cpu", 10)} ratio_cpu`);
for (const r of rows) {
  const native = r.ratio_native === undefined ? "" : `   (twin scripted / twin native: wall ${r.ratio_native.toFixed(3)}, cpu ${r.ratio_native_cpu!.toFixed(3)})`;
  console.log(`${pad(LABEL[r.name as CaseName], 48)} ${pad(String(r.threads), 4)} ${pad(r.twin_ms.toFixed(3), 10)} ${pad(r.torch_ms.toFixed(3), 11)} ${pad(r.ratio.toFixed(3), 7)} ${pad(`${r.ratio_min.toFixed(2)}–${r.ratio_max.toFixed(2)}`, 12)} ${pad(r.twin_cpu_ms.toFixed(3), 10)} ${pad(r.torch_cpu_ms.toFixed(3), 10)} ${r.ratio_cpu.toFixed(3)}${native}`);
}
mkdirSync(join(here, "results"), { recursive: true });
// A partial run (--cases) does not replace the full results.
const resultFile = only ? `engine-${only.join("+")}.json` : "engine.json";
writeFileSync(join(here, "results", resultFile), JSON.stringify({
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", loadavg_start: +load0.toFixed(2), loadavg_end: +load1.toFixed(2) },
  rounds: ROUNDS,
  libtorch: torch.version(),
  cases: rows,
}, null, 2) + "\n");
console.log(`\nwrote bench/results/${resultFile}`);
