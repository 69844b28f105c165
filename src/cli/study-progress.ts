/** Progress of a study's runs (every command that trains, and verify): one bar per worker (this process, pool processes or distributed workers) and a line of totals. */
import cliProgress from "cli-progress";
import type { PlannedRun } from "../study/seed-plan.ts";
import type { Progress } from "../twin/types.ts";
import { clipLine } from "./clip-line.ts";

export interface StudyProgress {
  onRunStart(run: PlannedRun, index: number, total: number, slot?: number): void;
  onProgress(run: PlannedRun, p: Progress, slot?: number): void;
  onRunEnd(run: PlannedRun, status: string, error: string | undefined, slot?: number): void;
  stop(): void;
}

function labelOf(run: PlannedRun): string {
  return run.group === "all" ? `seed ${run.label}` : run.group === "grid" ? `grid #${run.label}` : `${run.group} seed ${run.seed.factors?.[run.group] ?? run.label}`;
}

/** Bars on stderr ("w1 | run 2/5 · seed 1 | step 120/858 | base 0.41 wide 0.44"); silent when quiet. */
export function studyProgress(quiet = false): StudyProgress {
  const multi = new cliProgress.MultiBar(
    { format: " {bar} {percentage}% | {slot} | run {run} | {label} | step {value}/{total} | {losses}", hideCursor: true, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<number, cliProgress.SingleBar>();
  const text = new Map<number, { run: string; label: string }>();
  let active = false;
  return {
    onRunStart(run, index, total, slot = 0) {
      if (quiet) return;
      text.set(slot, { run: `${index + 1}/${total}`, label: labelOf(run) });
    },
    onProgress(run, p, slot = 0) {
      if (quiet) return;
      const t = text.get(slot) ?? { run: "?", label: labelOf(run) };
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join("  ");
      const payload = { slot: `w${slot + 1}`, run: t.run, label: t.label, losses };
      let bar = bars.get(slot);
      if (!bar) {
        bar = multi.create(p.totalSteps, p.step, payload);
        // Without a terminal, create() leaves the bar unstarted (total 100, no payload) until its first update: a run
        // that reports once (a 1-step run, or the only run left after resuming) was printed as "0% | {slot} | run {run}".
        if (!process.stderr.isTTY) bar.start(p.totalSteps, p.step, payload);
        bars.set(slot, bar);
        active = true;
      } else {
        bar.setTotal(p.totalSteps);
        bar.update(p.step, payload);
      }
    },
    onRunEnd(run, status, error) {
      if (quiet || (status === "finished" && !error)) return;
      // The first line of each problem; the full error is in `twin runs --json` and the run's log.
      const lines = (error ?? "").split("\n").filter(Boolean).map((l) => clipLine(l, 200));
      const text = status === "finished" ? `${labelOf(run)}: finished, but ${lines.join("; ")}\n` : `${labelOf(run)}: *${status}*${lines.length ? `: ${lines[0]}` : ""}\n`;
      // Without a terminal the bars are not redrawn, and neither would a line logged above them be.
      if (process.stderr.isTTY) multi.log(text);
      else process.stderr.write(text);
    },
    stop() {
      if (active) multi.stop();
      active = false;
    },
  };
}
