/**
 * The progress bars of a study without a terminal (stderr a pipe or a file):
 * a run that reports once (a 1-step run, or the only run left after a
 * resume) is printed with its numbers, not cli-progress's placeholders.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

test("without a terminal, a bar reported once shows its worker, run, seed, step and losses", () => {
  const script = `
    import { studyProgress } from ${JSON.stringify(pathToFileURL(join(ROOT, "src/cli/study-progress.ts")).href)};
    const progress = studyProgress();
    const run = { group: "all", label: 3, seed: { root: 3 } };
    progress.onRunStart(run, 0, 1, 0);
    progress.onProgress(run, { step: 1, totalSteps: 1, losses: { small: 1.3831, wide: 1.3712 } }, 0);
    progress.stop();`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /\{\w+\}/, r.stderr);
  assert.match(r.stderr, /100% \| w1 \| run 1\/1 \| seed 3 \| step 1\/1 \| small 1\.383 {2}wide 1\.371/);
});
