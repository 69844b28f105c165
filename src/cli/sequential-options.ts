/** The --sequential, --looks and --spending options shared by `twin compare` and `twin sweep`, and the decision they print. */
import { MAX_PLANNED_RUNS } from "../study/seed-plan.ts";
import { defaultLooks, type SequentialPlan } from "../study/sequential-compare.ts";
import type { SpendingFunction } from "../stats/index.ts";
import { parseWhole } from "./count-option.ts";
import { UsageError } from "./exit-codes.ts";

export const SEQUENTIAL_HELP = {
  sequential: "group-sequential study: add seeds look by look until the difference is decided or --seeds (the maximum) is reached",
  looks: "with --sequential: seeds at each look, e.g. 5,10,15,20 (default: four equal steps up to --seeds, else 20)",
  spending: "with --sequential: obrien-fleming (strict early looks) or pocock",
};

/** Reads --looks "5,10,15,20" (or the default from --seeds as the maximum). */
export function parseLooks(raw: string | undefined, max: number | undefined): number[] {
  if (raw === undefined) return defaultLooks(max ?? 20);
  const looks = raw.split(",").map((x) => parseWhole(x, "--looks", { min: 2, max: MAX_PLANNED_RUNS, why: "each look is a number of seeds" }));
  if (looks.some((x, i) => i > 0 && x <= looks[i - 1]!)) throw new UsageError(`--looks must increase (got ${raw})`);
  if (max !== undefined && looks[looks.length - 1] !== max) throw new UsageError(`--looks ends at ${looks[looks.length - 1]} seeds but --seeds is ${max}; the last look is the maximum (drop --seeds or make them agree)`);
  return looks;
}

/** Checks --spending and that --looks/--spending come with --sequential. */
export function parseSpending(opts: { sequential?: boolean; looks?: string; spending: string }): SpendingFunction {
  if (opts.spending !== "obrien-fleming" && opts.spending !== "pocock") throw new UsageError(`--spending must be obrien-fleming or pocock (got '${opts.spending}')`);
  if (!opts.sequential && (opts.looks !== undefined || opts.spending !== "obrien-fleming")) throw new UsageError("--looks and --spending go with --sequential");
  return opts.spending;
}

/** The sequential decision per comparison, under the fixed-n verdict (whose p-values do not account for the looks). */
export function sequentialSummary(plan: SequentialPlan): string {
  const lines = [`sequential design (${plan.spending}, looks at ${plan.looks.join(", ")} seeds): the decision below is the one to report; the p-values above do not account for the looks`];
  for (const c of plan.comparisons) {
    const last = c.state.history[c.state.history.length - 1];
    const at = last ? ` at ${last.n} seeds (look ${last.look + 1})` : "";
    const what = c.halted !== undefined ? `halted: ${c.halted}`
      : c.state.status === "rejected" ? `significant${at}, alpha ${c.alpha}`
        : c.state.status === "stopped" ? `not significant${at}: the maximum was reached`
          : `undecided${at}; run the same command again to continue to ${c.state.nextN} seeds`;
    lines.push(`  ${c.b} − ${c.a}: ${what}`);
  }
  return lines.join("\n");
}
