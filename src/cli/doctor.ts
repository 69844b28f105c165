/** `twin doctor`: what twin needs on this machine, what is there, and what to do about the rest. */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { FASHION_MNIST_FILES, fashionMnistDir } from "../data/datasets/fashion-mnist.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

async function engineChecks(): Promise<Check[]> {
  try {
    const { native, addonPath } = await import("../torch/native.ts");
    const maps = existsSync("/proc/self/maps") ? readFileSync("/proc/self/maps", "utf8") : "";
    const lib = maps.split("\n").map((l) => l.trim().split(/\s+/).pop() ?? "").find((p) => /libtorch_cpu\.so/.test(p));
    const cuda = native.cudaDeviceCount();
    return [
      { name: "native addon", ok: true, detail: addonPath },
      { name: "libtorch", ok: true, detail: `${native.version()} at ${lib ?? "(path unknown)"}${process.env.LIBTORCH ? ` (LIBTORCH=${process.env.LIBTORCH})` : ""}` },
      { name: "threads", ok: true, detail: `${native.getNumThreads()} intra-op (of ${availableParallelism()} cores); twin uses 1 per model by default` },
      { name: "CUDA devices", ok: true, detail: cuda > 0 ? `${cuda}` : "none (CPU build or no GPU); build against a CUDA libtorch with LIBTORCH=/path" },
      torchscriptCheck(native),
    ];
  } catch (e) {
    return [{ name: "native addon", ok: false, detail: (e as Error).message.split("\n")[0], fix: "bash scripts/setup.sh" }];
  }
}

/** nn.torchscript needs libtorch's TorchScript compiler and loader: a module defined, saved and loaded back in memory. */
function torchscriptCheck(native: { jitSelfTest(): number; version(): string }): Check {
  try {
    const sum = native.jitSelfTest();
    if (sum !== 2) throw new Error(`a module saved and loaded back computed ${sum} instead of 2`);
    return { name: "TorchScript", ok: true, detail: `loads scripted PyTorch models (nn.torchscript); files saved by PyTorch ${native.version()} always, by newer ones when their format and operators are known to it` };
  } catch (e) {
    return { name: "TorchScript", ok: false, detail: (e as Error).message.split("\n")[0], fix: "rebuild the addon: npm run build:native" };
  }
}

function dataChecks(): Check[] {
  const dir = fashionMnistDir();
  const missing = Object.values(FASHION_MNIST_FILES).flatMap((f) => [f.images, f.labels]).filter((f) => !existsSync(`${dir}/${f}`) && !existsSync(`${dir}/${f.replace(/\.gz$/, "")}`));
  return [
    missing.length === 0
      ? { name: "Fashion-MNIST", ok: true, detail: dir }
      : { name: "Fashion-MNIST", ok: false, detail: `missing in ${dir}: ${missing.join(", ")}`, fix: "apt-get install dataset-fashion-mnist (or bash scripts/setup.sh)" },
  ];
}

/** Which schedule suits this machine, from its cores (and the measured benchmark when there is one). */
function scheduleAdvice(): Check {
  const cores = availableParallelism();
  if (cores < 2) {
    return { name: "schedule", ok: true, detail: "1 core: use --schedule sequential (variants take turns; one set of activations in memory)" };
  }
  let measured = "";
  try {
    const bench = JSON.parse(readFileSync(new URL("../../bench/results/parallel.json", import.meta.url), "utf8")) as {
      cases: { name: string; parallel_over_sequential: number }[];
    };
    measured = " (measured here: " + bench.cases.map((c) => `${c.name.split(" ")[0]} parallel/sequential = ${c.parallel_over_sequential}`).join(", ") + ")";
  } catch {
    // no benchmark results on this machine
  }
  return {
    name: "schedule",
    ok: true,
    detail: `${cores} cores: --schedule parallel (one worker thread per variant, up to ${cores} at once) for conv nets and larger models; sequential for tiny models or when memory is tight${measured}`,
  };
}

function referenceChecks(): Check[] {
  const py = spawnSync("/usr/bin/python3", ["-c", "import torch, scipy; print(torch.__version__, scipy.__version__)"], { encoding: "utf8" });
  const ok = py.status === 0;
  return [
    {
      name: "Python references",
      ok,
      detail: ok ? `torch ${py.stdout.trim().split(" ")[0]}, scipy ${py.stdout.trim().split(" ")[1]} (/usr/bin/python3)` : "python3-torch / python3-scipy not importable with /usr/bin/python3",
      fix: ok ? undefined : "apt-get install python3-torch python3-scipy (used by equivalence tests and benchmarks)",
    },
  ];
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check libtorch, threads, data sets and the Python references, and say how to fix what is missing")
    .option("--json", "print the checks as JSON")
    .addHelpText("after", "\nExample:\n  $ twin doctor --json")
    .action(async (opts: { json?: boolean }) => {
      const checks: Check[] = [
        { name: "Node", ok: Number(process.versions.node.split(".")[0]) >= 20, detail: process.version, fix: "install Node 20 or newer" },
        ...(await engineChecks()),
        ...dataChecks(),
        ...referenceChecks(),
        scheduleAdvice(),
      ];
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2) + "\n");
      } else {
        for (const c of checks) {
          process.stdout.write(`${c.ok ? "ok  " : "MISSING"}  ${c.name.padEnd(18)} ${c.detail}\n`);
          if (!c.ok && c.fix) process.stdout.write(`         ${"".padEnd(18)} fix: ${c.fix}\n`);
        }
      }
      const missing = checks.filter((c) => !c.ok);
      if (missing.length > 0) {
        process.stderr.write(`twin doctor: ${missing.length} check(s) failed: ${missing.map((c) => c.name).join(", ")}${opts.json ? "" : " (fixes above)"}\n`);
        process.exitCode = 1;
      }
    });
}
