/** `twin serve`: the live dashboard on 127.0.0.1 (studies from a log directory and, when present, the store). */
import type { Command } from "commander";
import { addMetricOptions } from "./metric-options.ts";
import { lowerIsBetterOption } from "../study/metric-direction.ts";
import { closeSync, existsSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { startDashboard } from "../report/server.ts";
import { defaultIndexFile } from "../serve/index-location.ts";
import { LogDirSource, LogDirWithStorePredictions, MultiSource, StoreSource } from "../report/source.ts";
import type { DataSource } from "../report/types.ts";
import { defaultStorePath } from "../store/index.ts";
import { openExistingStore, storeReadOnly } from "./open-store.ts";
import { EXIT, UsageError } from "./exit-codes.ts";
import { isSqliteHeader } from "../study/sqlite-file.ts";
import { NotRegularFileError, openRegularFile } from "../log/regular-file.ts";
import { nativeScanMissing } from "../log/native-scan.ts";

/**
 * An --index the user named must be an index (a SQLite file), empty, or not
 * there yet: the index sets aside a file it cannot read and starts again in its
 * place, right for a damaged index, wrong for a results file named by mistake.
 */
function checkIndexFile(path: string): void {
  let file: { fd: number; size: number };
  try {
    file = openRegularFile(path, Infinity);
  } catch (e) {
    if (e instanceof NotRegularFileError) throw new UsageError(`--index ${path}: not a file; pass a file of its own for the index (made if missing), or leave --index out for the default place`);
    return; // not there (made), or unreadable (the index says why)
  }
  try {
    const head = Buffer.alloc(16);
    if (file.size === 0 || (readSync(file.fd, head, 0, 16, 0) === 16 && isSqliteHeader(head))) return;
    throw new UsageError(`--index ${path}: the file is not a dashboard index (not a SQLite database); pass a file of its own for the index (made if missing), or leave --index out for the default place`);
  } finally {
    closeSync(file.fd);
  }
}

interface ServeOptions {
  port: string;
  host: string;
  logdir: string;
  store?: string;
  allowRemote?: boolean;
  metric?: string;
  lowerIsBetter?: boolean;
  higherIsBetter?: boolean;
  poll: string;
  /** A file, false (--no-index), or undefined (the default place). */
  index?: string | false;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command("serve")
    .argument("[logdir]", "log directory (as --logdir)")
    .description("live dashboard of studies and runs (log directory and store), updated while studies run; read-only, on 127.0.0.1")
    .option("-p, --port <n>", "port (0 = any free port)", "7007")
    .option("--logdir <dir>", "log directory holding <study>/<variant>/seed-<n>/", "runs")
    .option("--store <path|url>", "also list the studies of this store (default: .twin/twin.db when it exists)")
    .option("--host <address>", "address to bind; anything but loopback also needs --allow-remote", "127.0.0.1")
    .option("--allow-remote", "allow binding a non-loopback address (the dashboard has no authentication)");
  addMetricOptions(cmd, "metric of the verdicts (default: val/accuracy, else eval/accuracy, …)")
    .option("--poll <ms>", "how often to look for changes", "1000")
    .option("--index <file>", "the index of the log folder's runs kept between runs of the dashboard (default: in $TWIN_INDEX_DIR or ~/.cache/twin/serve)")
    .option("--no-index", "read every log at start instead of keeping an index")
    .addHelpText("after", "\nExamples:\n  $ twin serve                          http://127.0.0.1:7007/ over ./runs\n  $ twin serve /data/runs --port 8080     (or --logdir /data/runs)\n  $ twin serve --host 0.0.0.0 --allow-remote   (prints a warning: anyone who can reach the port sees the studies)")
    .action(async (logdir: string | undefined, opts: ServeOptions) => {
      const logdirGiven = logdir !== undefined || cmd.getOptionValueSource("logdir") === "cli";
      if (logdir !== undefined) {
        if (cmd.getOptionValueSource("logdir") === "cli" && resolve(opts.logdir) !== resolve(logdir)) {
          throw new UsageError(`two log directories given: '${logdir}' and --logdir '${opts.logdir}'; give one (twin serve shows one log directory, plus the store's studies)`);
        }
        opts.logdir = logdir;
      }
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in 0..65535, got '${opts.port}'`);
      const pollMs = Number(opts.poll);
      if (!(pollMs >= 50)) throw new Error(`--poll must be at least 50 ms, got '${opts.poll}'`);
      if (statSync(opts.logdir, { throwIfNoEntry: false })?.isDirectory() === false) {
        throw new UsageError(`${logdir !== undefined ? "" : "--logdir "}${opts.logdir}: a file, not a folder; twin serve shows a folder of studies (<logdir>/<study>/<variant>/seed-<n>/); a results file is reported with \`twin report ${opts.logdir}\``);
      }
      if (typeof opts.index === "string") checkIndexFile(opts.index);
      const index = opts.index === false ? undefined : typeof opts.index === "string" ? opts.index : defaultIndexFile(opts.logdir);
      const sources: DataSource[] = [new LogDirSource(opts.logdir, index !== undefined ? { index } : {})];
      if (opts.store !== undefined || existsSync(defaultStorePath())) {
        try {
          const url = opts.store ?? defaultStorePath();
          const store = new StoreSource(await openExistingStore(opts.store), { url, readOnly: storeReadOnly(opts.store) });
          // Studies of the log folder take their runs' predictions from the store; the store's own studies (sweeps, workers) follow.
          sources[0] = new LogDirWithStorePredictions(sources[0]!, store);
          sources.push(store);
        } catch (e) {
          process.stderr.write(`twin serve: cannot open the store ${opts.store ?? defaultStorePath()}: ${(e as Error).message}; showing the log directory only\n`);
        }
      }
      // The default log folder may well be absent beside a store (sweeps only); one named with --logdir is likely a typo.
      if (!existsSync(opts.logdir) && (sources.length === 1 || logdirGiven)) {
        process.stderr.write(`twin serve: ${logdir !== undefined ? "" : "--logdir "}${opts.logdir}: ${resolve(opts.logdir)} does not exist yet; its studies appear when it does${sources.length > 1 ? " (meanwhile the store's are shown)" : ""}\n`);
      }
      const source = sources.length === 1 ? sources[0]! : new MultiSource(sources);
      let dash: Awaited<ReturnType<typeof startDashboard>>;
      try {
        dash = await startDashboard({
          source,
          host: opts.host,
          port,
          allowRemote: opts.allowRemote === true,
          pollMs,
          report: { ...(opts.metric ? { metric: opts.metric } : {}), ...lowerIsBetterOption(opts) },
          onError: (e) => process.stderr.write(`twin serve: ${e.message}\n`),
        });
      } catch (e) {
        // Nothing has been computed yet: say why the dashboard could not listen, and end.
        await source.close?.();
        const code = (e as NodeJS.ErrnoException).code;
        const message =
          code === "EADDRINUSE"
            ? `port ${port} on ${opts.host} is in use (another twin serve?): pass another --port, or --port 0 for any free one`
            : code === "EACCES"
              ? `port ${port} on ${opts.host} needs privileges this user lacks (ports below 1024): pass a port from 1024 up, or --port 0 for any free one`
              : (e as Error).message;
        process.stderr.write(`twin: ${message}\n`);
        process.exit(EXIT.error);
      }
      if (opts.allowRemote && !["127.0.0.1", "::1", "localhost"].includes(opts.host)) {
        process.stderr.write(`WARNING: the dashboard is bound to ${opts.host} without authentication: anyone who can reach port ${dash.port} can read every study in ${source.description}\n`);
      }
      if (nativeScanMissing) process.stderr.write(`twin serve: logs are read without the native line scanner: ${nativeScanMissing}. The values are the same; a first start reads them about three times slower\n`);
      process.stdout.write(`twin dashboard: ${dash.url} (${source.description}); Ctrl-C to stop\n`);
      const stop = (): void => {
        void dash.close().then(() => source.close?.()).finally(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}

