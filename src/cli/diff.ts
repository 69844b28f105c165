/** `twin diff <runA> <runB>`: what differs between two runs. */
import type { Command } from "commander";
import { openExistingStore } from "./open-store.ts";
import { diffRuns, formatRunDiff } from "../study/diff.ts";

export function registerDiff(program: Command): void {
  program
    .command("diff <runA> <runB>")
    .description("what differs between two stored runs: config keys, seeds, code, data, environment (and final metrics)")
    .option("--store <url>", "the store (default: .twin/twin.db)")
    .option("--json", "print the differences as JSON")
    .addHelpText("after", "\nExamples:\n  $ twin diff fmnist-dropout-twin-s0-1a2b3c4d fmnist-dropout-twin-s1-5e6f7a8b")
    .action(async (a: string, b: string, opts: { store?: string; json?: boolean }) => {
      const store = await openExistingStore(opts.store);
      try {
        const d = await diffRuns(store, a, b);
        process.stdout.write((opts.json ? JSON.stringify(d, null, 2) : formatRunDiff(d)) + "\n");
      } finally {
        await store.close();
      }
    });
}
