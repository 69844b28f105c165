/** `twin init <name>`: writes a starter study file to edit (it may live in any folder: it imports "twin"). */
import type { Command } from "commander";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "./exit-codes.ts";

interface InitOptions {
  dir: string;
  force?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The starter study: an A/B comparison on Fashion-MNIST, each setting commented. */
export function starterStudy(name: string): string {
  return `/**
 * ${name}: a twin study. Each variant is built fresh for every seed and
 * twin-trained with the others on exactly the same batches.
 *   twin compare ${name}.study.ts --seeds 5     paired verdict over 5 seeds
 *   twin seeds ${name}.study.ts --vary each    how much each source of randomness matters
 */
import { defineStudy, fashionMnistData, nn, optim } from "twin";

export default defineStudy({
  name: ${JSON.stringify(name)},
  // 5000 training images held out for validation (a fresh split per seed).
  // To train on fewer images while you try things out: fashionMnistData({ validation: 5000, limit: 10000 }).
  data: fashionMnistData({ validation: 5000 }),
  batchSize: 128,
  epochs: 3,
  seeds: 5,
  variants: {
    // The first variant is the reference the others are compared with.
    baseline: () => ({ model: nn.mlp([784, 256, 10]), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
    dropout: () => ({ model: nn.mlp([784, 256, 10], { dropout: 0.2 }), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  },
});
`;
}

export function registerInit(program: Command): void {
  program
    .command("init <name>")
    .description("write a starter study file <name>.study.ts (edit it, then run it with twin compare)")
    .option("--dir <dir>", "folder to write it in (made if missing)", ".")
    .option("--force", "overwrite an existing file")
    .addHelpText("after", "\nExamples:\n  $ twin init my-study\n  $ twin compare my-study.study.ts --seeds 5")
    .action((name: string, opts: InitOptions) => {
      if (!NAME.test(name)) throw new UsageError(`study name '${name}' must start with a letter or digit and use only letters, digits, '.', '_' and '-'`);
      if (statSync(opts.dir, { throwIfNoEntry: false })?.isDirectory() === false) throw new UsageError(`--dir ${opts.dir}: a file, not a folder; name the folder to write the study file in`);
      mkdirSync(opts.dir, { recursive: true });
      const file = join(resolve(opts.dir), `${name}.study.ts`);
      if (existsSync(file) && !opts.force) throw new Error(`${file} already exists; pass --force to overwrite it, or choose another name`);
      writeFileSync(file, starterStudy(name));
      process.stdout.write(`wrote ${file}\nnext: twin compare ${join(opts.dir, `${name}.study.ts`)} --seeds 5\n`);
    });
}
