/** One variant alone in its own process (one thread): the "separate processes" column. */
import { createInterface } from "node:readline";
import { setNumThreads } from "../src/torch/runtime.ts";
import { twinTrain } from "../src/twin/index.ts";
import { caseConfig, type CaseName } from "./parallel-common.ts";

const [name, variant] = process.argv.slice(2) as [CaseName, string];
setNumThreads(1);
const config = caseConfig(name, variant);
await twinTrain({ ...config, steps: 5 }); // warm-up
process.stdout.write("ready\n");
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once("line", () => resolve()));
const t = process.hrtime.bigint();
await twinTrain(config);
process.stdout.write(`seconds ${Number(process.hrtime.bigint() - t) / 1e9}\n`);
rl.close();
