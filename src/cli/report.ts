/** `twin report <logdir/study>`: one self-contained HTML file with the verdict and every chart. */
import type { Command } from "commander";
import { addMetricOptions } from "./metric-options.ts";
import { lowerIsBetterOption } from "../study/metric-direction.ts";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { locateStudy, type LocatedStudy } from "../report/locate.ts";
import { sweepFolderStudy } from "./sweep-folder.ts";
import { readResults, StoreNotResultsError } from "../study/results-file.ts";
import { resultsStudy } from "../report/results-study.ts";
import type { StudyData } from "../report/types.ts";
import { WrongInputError } from "../log/wrong-input.ts";
import { buildReport } from "../report/report.ts";
import { noMetricText } from "../report/html.ts";
import { NO_METRIC } from "../report/model/metric.ts";
import { ReportOptionError } from "../report/model/build.ts";
import { UsageError } from "./exit-codes.ts";
import { StoreSource, withStorePredictions } from "../report/source.ts";
import { defaultStorePath } from "../store/index.ts";
import { openExistingStore } from "./open-store.ts";
import { parseFactors } from "./stats-factors.ts";

interface ReportCliOptions {
  output?: string;
  png?: string;
  metric?: string;
  lowerIsBetter?: boolean;
  higherIsBetter?: boolean;
  reference?: string;
  json?: boolean;
  logdir: string;
  store?: string;
  factors?: string;
}

/** The sweep named by a path inside its folder, from the store; an error naming the sweeps the store does hold when it is not there. */
async function sweepInStore(path: string, name: string, store: StoreSource): Promise<LocatedStudy> {
  const studies = (await store.listStudies()).map((s) => s.name);
  if (studies.includes(name)) return { source: store, name };
  throw new Error(`${path}: a folder of sweep ${name}, which has no runs in the ${store.description}; ${studies.length > 0 ? `studies there: ${studies.join(", ")}` : "run the sweep first (twin sweep --name " + name + " -- <command>)"}`);
}

/** A results file (CSV/TSV, JSON Lines), read as twin stats reads it; a store given as one is named, with the command that reports from it. */
function resultsFileStudy(path: string, factors: readonly string[]): StudyData {
  try {
    return resultsStudy(readResults(path, { factors }), path, factors);
  } catch (e) {
    if (e instanceof StoreNotResultsError) {
      throw new WrongInputError(`${path} is a SQLite database (a twin store?): name a study in it, \`twin report <study> --store ${path}\`; \`twin runs --store ${path}\` lists its runs by study`, path);
    }
    throw e;
  }
}

export function registerReport(program: Command): void {
  const cmd = program
    .command("report <study>")
    .description("write a self-contained HTML report of a study (a name, a folder <logdir>/<study>, or a results file as twin stats reads it; studies and sweeps in the store too): verdict, learning curves with bands, paired differences, seed distributions, power, expected maximum, reproducibility")
    .option("--logdir <dir>", "log folder in which to look for the study by name", "runs")
    .option("--store <path|url>", "store in which to look for the study by name (default: .twin/twin.db when it exists)")
    .option("-o, --output <file>", "HTML file to write (default: report-<study>.html)")
    .option("--png <dir>", "also write every chart as a PNG into this directory")
    .option("--factors <names>", "a results file of a factorial study: its factor columns (comma-separated), as for twin stats --factors; the report adds main effects, interactions and per-setting effects");
  addMetricOptions(cmd, "metric of the verdict (default: val/accuracy, else eval/accuracy, else the first tag)")
    .option("--reference <variant>", "variant the others are compared with (default: the first)")
    .option("--json", "print what was written as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ twin report fmnist-dropout                           a study by name (log folder runs/, else the store)\n  $ twin report my-sweep                                 a twin sweep: its runs and curves come from the store\n  $ twin report runs/fmnist-dropout                      writes report-fmnist-dropout.html\n  $ twin report runs/fmnist-dropout -o report.html --png charts/\n  $ twin report runs/lm --metric val/loss --lower-is-better\n  $ twin report results.csv                              final values from anywhere: verdict, distributions, differences\n  $ twin report grid.csv --factors optimizer,dropout     factorial results: effects, interactions, per-setting effects",
    )
    .action(async (study: string, opts: ReportCliOptions) => {
      const options = {
        ...(opts.metric !== undefined ? { metric: opts.metric } : {}),
        ...lowerIsBetterOption(opts),
        ...(opts.reference !== undefined ? { reference: opts.reference } : {}),
        ...(opts.png !== undefined ? { png: opts.png } : {}),
      };
      const isFile = statSync(study, { throwIfNoEntry: false })?.isFile() ?? false;
      if (opts.factors !== undefined && !isFile) {
        throw new UsageError(`--factors reads the factor columns of a results file (CSV, TSV, JSON Lines); ${study} is not a file: a factorial study run by twin records its design, and its report shows the factorial analysis without --factors`);
      }
      // A sweep's folder holds only its commands' output: its runs are in the store beside it.
      const sweep = !isFile && existsSync(study) ? sweepFolderStudy(study) : undefined;
      const storeUrl = isFile ? null : (opts.store ?? sweep?.store ?? (existsSync(defaultStorePath()) ? undefined : null));
      const store = storeUrl === null ? undefined : new StoreSource(await openExistingStore(storeUrl));
      let data, result;
      try {
        if (isFile) data = resultsFileStudy(study, opts.factors === undefined ? [] : parseFactors(opts.factors));
        else {
          const found = sweep && store ? await sweepInStore(study, sweep.study, store) : await locateStudy(study, { logdir: opts.logdir, ...(store ? { store } : {}) });
          data = await found.source.openStudy(found.name);
          if (!data) throw new Error(`${study}: the study disappeared while it was read; try again`);
          // A log folder of twin's own runs: their predictions are in the store.
          if (store && found.source !== store) data = withStorePredictions(data, store);
        }
        result = await buildReport(data, options).catch((e: unknown) => {
          // A --metric or --reference that names nothing in the study is a wrong command line (exit 2).
          throw e instanceof ReportOptionError ? new UsageError(`--${e.option} ${e.value}: ${e.message}`) : e;
        });
      } finally {
        await store?.close();
      }
      const out = resolve(opts.output ?? `report-${data.name}.html`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, result.html);
      if (opts.json) {
        // A report is of one study: one deployment section.
        const { metric, warnings, deployments: [deployment], setAside } = result.model;
        process.stdout.write(JSON.stringify({ html: out, charts: result.charts, pngs: result.pngs, metric: metric === NO_METRIC ? null : metric, ...(metric === NO_METRIC ? { no_verdict: noMetricText(result.model, "in the report's table of runs") } : {}), warnings, set_aside: setAside, deployment }, null, 2) + "\n");
      } else if (result.model.metric === NO_METRIC) {
        process.stdout.write(`wrote ${out} (${result.model.runs.length} runs)\n${noMetricText(result.model, "in the report's table of runs")}\n`);
      } else {
        process.stdout.write(`wrote ${out} (${result.charts.length} charts, ${result.model.runs.length} runs, verdict on ${result.model.metric})\n`);
        if (result.pngs.length > 0) process.stdout.write(`wrote ${result.pngs.length} PNGs to ${resolve(opts.png!)}\n`);
        if (result.model.setAside) process.stdout.write(`${result.model.setAside.note}\n`);
        for (const w of result.model.warnings) process.stderr.write(`warning: ${w}\n`);
      }
    });
}

