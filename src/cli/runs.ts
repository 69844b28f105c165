/** `twin runs`: the runs a store holds, with their status and seeds. */
import type { Command } from "commander";
import { openExistingStore } from "./open-store.ts";
import { goneOwner } from "../study/lifecycle.ts";
import { clipLine } from "./clip-line.ts";
import { runToJson, RUN_STATUSES, type RunRecord, type RunStatus, type Store } from "../store/index.ts";

interface RunsOptions {
  study?: string;
  status?: string;
  store?: string;
  json?: boolean;
}

function seedsText(run: RunRecord): string {
  const differing = Object.entries(run.seeds).filter(([, v]) => v !== run.rootSeed).map(([k, v]) => `${k}=${v}`);
  return differing.length ? differing.join(",") : "all=root";
}

function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function duration(run: RunRecord): string {
  if (run.startedAt === null) return "-";
  const end = run.finishedAt ?? run.heartbeatAt ?? run.startedAt;
  const s = Math.max(0, Math.round((end - run.startedAt) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** The last step a running run reported (its train-loss curve is streamed into the store). */
async function lastStep(store: Store, run: RunRecord): Promise<number | undefined> {
  if (run.status !== "running") return undefined;
  const rows = await store.metrics({ runId: run.id, variant: run.variants[0], name: "train/loss" });
  return rows.length ? rows[rows.length - 1]!.step : undefined;
}

export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list the runs in the store: status, seeds, worker, times (follow a study from any machine)")
    .option("--study <name>", "only this study's runs")
    .option("--status <s>", `only runs with this status: ${RUN_STATUSES.join(", ")} (comma list)`)
    .option("--store <url>", "the store (default: .twin/twin.db; postgres://… for a shared one)")
    .option("--json", "print the runs as JSON")
    .addHelpText("after", "\nExamples:\n  $ twin runs\n  $ twin runs --study fmnist-dropout --status running,queued\n  $ twin runs --study fmnist-dropout --store postgres://twin@db:5432/twin --json")
    .action(async (opts: RunsOptions) => {
      let status: RunStatus[] | undefined;
      if (opts.status) {
        status = opts.status.split(",").map((s) => s.trim()) as RunStatus[];
        const bad = status.filter((s) => !RUN_STATUSES.includes(s));
        if (bad.length) throw new Error(`--status ${bad.join(",")}: not a run status (${RUN_STATUSES.join(", ")})`);
      }
      const store = await openExistingStore(opts.store);
      try {
        if (opts.study && !(await store.getStudy(opts.study))) {
          const known = (await store.listStudies()).map((s) => s.name);
          throw new Error(`no study '${opts.study}' in the store at ${store.location}${known.length ? `; studies: ${known.join(", ")}` : " (it holds no studies yet)"}`);
        }
        const runs = (await store.listRuns({ study: opts.study, status })).sort((a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : 1));
        if (opts.json) {
          const out = [];
          for (const r of runs) out.push({ ...runToJson(r), step: (await lastStep(store, r)) ?? null });
          process.stdout.write(JSON.stringify(out, null, 2) + "\n");
          return;
        }
        if (runs.length === 0) {
          process.stdout.write(`no runs${opts.study ? ` in study '${opts.study}'` : ""} in the store at ${store.location}\n`);
          return;
        }
        const rows: string[][] = [["id", "status", "run", "root", "seeds", "worker", "started", "time", "note"]];
        for (const r of runs) {
          const c = (r.config ?? {}) as { group?: string; label?: number };
          const step = await lastStep(store, r);
          // A finished run's error lists the variants that failed or diverged inside it.
          const problems = r.error ? r.error.split("\n").filter(Boolean) : [];
          const first = problems[0] ?? "";
          const note = r.status === "finished" && problems.length ? `${problems.length > 1 ? `${problems.length} variants: ` : ""}${clipLine(first, 70)}` : first ? clipLine(first, 70) : step !== undefined ? `step ${step}` : "";
          // "running" in the store also holds a run stopped by Ctrl-C (kept to be continued) or whose process died.
          const gone = goneOwner(r);
          const status = r.status === "finished" && problems.length ? "finished*" : r.status === "failed" || r.status === "diverged" ? `*${r.status}*` : gone ? "stopped" : r.status;
          const shown = gone ? `${step !== undefined ? `step ${step}; ` : ""}not running (${gone}); the same command continues it` : note;
          rows.push([r.id, status, c.group !== undefined ? `${c.group} #${c.label}` : "-", r.rootSeed.toString(), seedsText(r), r.worker ?? "-", when(r.startedAt), duration(r), shown]);
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
        for (const row of rows) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd() + "\n");
        const stopped = runs.filter((r) => goneOwner(r) !== undefined).length;
        const counts = RUN_STATUSES.map((s) => [s, runs.filter((r) => r.status === s).length - (s === "running" ? stopped : 0)] as const)
          .concat(stopped ? [["stopped" as RunStatus, stopped] as const] : [])
          .filter(([, n]) => n > 0);
        process.stdout.write(`${runs.length} run(s): ${counts.map(([s, n]) => `${n} ${s}`).join(", ")} · store ${store.location}\n`);
        if (runs.some((r) => r.status === "finished" && r.error)) process.stdout.write("finished*: the run finished but a variant in it failed or diverged (see the note; the full error: twin runs --json)\n");
      } finally {
        await store.close();
      }
    });
}
