/** `twin verify <run>`: re-run a finished run from its record and compare it bit for bit. */
import type { Command } from "commander";
import { openExistingStore } from "./open-store.ts";
import { studyProgress } from "./study-progress.ts";
import { parseSchedule } from "./schedule-option.ts";
import { EXIT } from "./exit-codes.ts";

export function registerVerify(program: Command): void {
  program
    .command("verify <run>")
    .description("re-run a finished run (same study file, seeds, config) and compare control sums, batch checksums, metrics and final weights")
    .option("--store <url>", "the store (default: .twin/twin.db)")
    .option("--schedule <s>", "sequential or parallel (both give the same numbers)", "sequential")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExit status: 0 bit-identical, 4 does not reproduce bit for bit, 2 wrong command line, 1 any other error.\n\nExamples:\n  $ twin runs --study fmnist-dropout\n  $ twin verify fmnist-dropout-twin-s0-1a2b3c4d")
    .action(async (id: string, opts: { store?: string; json?: boolean; schedule: string }) => {
      // The trainer (libtorch) loads only when a run is verified, not for --help.
      const { formatVerify, verifyRun } = await import("../study/verify.ts");
      const store = await openExistingStore(opts.store);
      try {
        const progress = studyProgress(opts.json);
        progress.onRunStart({ group: "verify", label: 0, seed: { root: 0 } }, 0, 1);
        const report = await verifyRun(store, id, {
          cwd: process.cwd(),
          schedule: parseSchedule(opts.schedule),
          onProgress: (p) => progress.onProgress({ group: "verify", label: 0, seed: { root: 0 } }, p),
        });
        progress.stop();
        process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : formatVerify(report)) + "\n");
        if (!report.identical) {
          if (opts.json) process.stderr.write(`twin verify: ${id} does not reproduce bit for bit (exit status ${EXIT.notReproduced}; "first" in the JSON says where)\n`);
          process.exitCode = EXIT.notReproduced;
        }
      } finally {
        await store.close();
      }
    });
}
