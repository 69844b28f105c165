/**
 * The parallel schedule against the sequential one and against separate
 * processes, K = 2 on this machine's cores: the CNN conv32-conv64-fc128 (300
 * steps of batch 64) and the MLP 784-256-10 (2000 steps of batch 128).
 * "separate_concurrent_s" is two one-thread processes, one variant each,
 * training at the same time (the time of the slower one, start-up excluded).
 * Writes bench/results/parallel.json.
 *
 *   npm run bench:parallel
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setNumThreads } from "../src/torch/runtime.ts";
import { twinTrain, WorkerPool } from "../src/twin/index.ts";
import { CASES, caseConfig, type CaseName } from "./parallel-common.ts";

const MODULE = { path: fileURLToPath(new URL("./parallel-variants.ts", import.meta.url)) };

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Starts one child per variant, waits until all have warmed up, starts them together, returns the slowest time. */
async function separateConcurrent(name: CaseName): Promise<number> {
  const children = Object.keys(CASES[name].variants).map((v) =>
    spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./parallel-child.ts", import.meta.url)), name, v], { stdio: ["pipe", "pipe", "inherit"] }),
  );
  const exited = children.map((c) => new Promise((r) => c.once("exit", r)));
  const lines = children.map((c) => {
    let buf = "";
    const waiters: ((l: string) => void)[] = [];
    c.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        waiters.shift()?.(line);
      }
    });
    return () => new Promise<string>((resolve) => waiters.push(resolve));
  });
  const ready = lines.map((next) => next());
  await Promise.all(ready);
  const done = lines.map((next) => next());
  for (const c of children) c.stdin!.write("go\n");
  const times = (await Promise.all(done)).map((l) => Number(l.split(" ")[1]));
  await Promise.all(exited);
  return Math.max(...times);
}

setNumThreads(1);
const cases = [];
for (const name of Object.keys(CASES) as CaseName[]) {
  const config = caseConfig(name);
  const k = Object.keys(config.variants).length;
  // Worker threads start once per study, like the separate processes' start-up, outside the timing.
  const pool = await WorkerPool.start(MODULE, k);
  const parallelConfig = { ...config, variantsModule: MODULE, schedule: "parallel" as const };
  await twinTrain({ ...config, steps: 5 });
  await twinTrain({ ...parallelConfig, steps: 5 }, { pool });
  const sequential = await seconds(() => twinTrain(config));
  const parallel = await seconds(() => twinTrain(parallelConfig, { pool }));
  await pool.close();
  const separate = await separateConcurrent(name);
  const row = {
    name: `${name} (${CASES[name].steps} steps, batch ${CASES[name].batch})`, k,
    sequential_s: +sequential.toFixed(2), parallel_s: +parallel.toFixed(2), separate_concurrent_s: +separate.toFixed(2),
    parallel_over_sequential: +(parallel / sequential).toFixed(3), parallel_over_separate: +(parallel / separate).toFixed(3),
  };
  cases.push(row);
  console.log(JSON.stringify(row));
}
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/parallel.json", JSON.stringify({ cases }, null, 2) + "\n");
console.log("wrote bench/results/parallel.json");
