/**
 * Runs Debian's Python (/usr/bin/python3, with python3-torch: the same
 * libtorch as twin) for reference values. Not the pyenv python on PATH.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const PY_DIR = dirname(fileURLToPath(import.meta.url));

let checked: string | null | undefined;

/**
 * null when /usr/bin/python3 has torch; otherwise the reason it has not. It looks the
 * module up without importing it (0.1 s; importing torch takes 1.5 s of CPU, and the
 * reference script that follows imports it anyway: a torch that is there but broken
 * fails that script, with Python's error).
 */
export function pythonTorchProblem(): string | null {
  if (checked !== undefined) return checked;
  const r = spawnSync(PYTHON, ["-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('torch') else 'No module named torch')"], { encoding: "utf8" });
  checked = r.status === 0
    ? null
    : `${PYTHON} cannot import torch (${(r.stderr || r.error?.message || "").trim().split("\n").pop()}); ` +
      "run `bash scripts/setup.sh`, which installs python3-torch (Debian's PyTorch, the same libtorch as twin)";
  return checked;
}

/** Runs test/torch/py/<script> with a JSON request on stdin; returns its JSON stdout. Throws on failure. */
export function runPython<T = unknown>(script: string, request: unknown = {}, args: string[] = []): T {
  const problem = pythonTorchProblem();
  if (problem) throw new Error(problem);
  const r = spawnSync(PYTHON, [join(PY_DIR, script), ...args], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
  });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
