/**
 * Views built in a worker thread (view-worker-main.ts): the server's thread
 * only answers requests, so listing studies and serving a view already built
 * never wait for a rebuild. The worker opens the same source again from its
 * spec; its failure to start is an error of the first request, with the reason.
 * The seed stamps this thread's source took (the saved view's, after a
 * restart) are handed to the worker once, so that it does not stamp every
 * seed again: at 10,000 runs that is 0.4–0.7 s of CPU before the first update.
 */
import { Worker } from "node:worker_threads";
import type { ReportOptions } from "../report/model/index.ts";
import type { SourceSpec, TakenStamps } from "../report/types.ts";
import type { BuildProgress, ViewBody, Views } from "./view-builder.ts";

/**
 * `stamps`: the server's stamps of the study (of studies, for "warm"), handed
 * once (DataSource.adoptStamps); a view request's `changed` then tells every
 * file changed since they were taken (the server's changes since it started
 * watching, where the study had no build yet).
 */
export type ViewRequest =
  | { id: number; kind: "view"; name: string; options: ReportOptions; changed?: string[]; stamps?: TakenStamps }
  | { id: number; kind: "compare"; a: string; b: string; options: ReportOptions }
  | { id: 0; kind: "warm"; stamps?: Map<string, TakenStamps> }
  | { id: 0; kind: "close" };

/** An answer to request `id`; or (id -1) how far a build reading a study's logs has come (no `progress`: done reading). */
export type ViewResponse = { id: number; body?: ViewBody; error?: string; ready?: true; progress?: { name: string; progress?: BuildProgress } };

/** How long a closing worker may take to save before it is stopped. */
const CLOSE_WAIT_MS = 20_000;
/**
 * The worker makes the studies viewed last ready for their next update
 * (ViewBuilder.warm) on the first request, which comes after the server
 * stamped the saved view's seeds (handed with it), or this long after the
 * thread started, whichever comes first.
 */
const WARM_WAIT_MS = 1000;

export class ViewWorker implements Views {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (b: ViewBody | undefined) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | undefined;
  private readonly reading = new Map<string, BuildProgress>();
  private warmed = false;
  private warmTimer: NodeJS.Timeout | undefined;
  /** Studies whose stamps were handed to the worker. */
  private readonly handed = new Set<string>();

  /**
   * The thread is started by {@link start} or the first request, not here: a dashboard answers its first list without it competing for the cores.
   * `stamps`: the stamps the server's source took, per study (DataSource.takenStamps).
   */
  constructor(private readonly spec: SourceSpec, private readonly report: ReportOptions = {}, private readonly stamps?: () => Map<string, TakenStamps> | undefined) {}

  /** Whether the worker thread was started. */
  get started(): boolean {
    return this.worker !== undefined;
  }

  start(): void {
    this.thread();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // From the sources, the worker loads TypeScript through tsx (the boot file); compiled (dist/), it starts from one CommonJS file (scripts/bundle.mjs).
    const entry = import.meta.url.endsWith(".ts") ? "./view-worker-boot.mjs" : "./view-worker-main.cjs";
    // Only node's profiling flags reach the worker (`node --cpu-prof bin/twin.js serve` profiles both threads): no loader flags.
    const execArgv = process.execArgv.filter((a) => /^--(cpu|heap)-prof/.test(a));
    const worker = (this.worker = new Worker(new URL(entry, import.meta.url), { execArgv, workerData: { spec: this.spec, report: this.report } }));
    worker.unref();
    this.warmTimer = setTimeout(() => this.warm(), WARM_WAIT_MS);
    this.warmTimer.unref();
    worker.on("message", (m: ViewResponse) => {
      if (m.progress) {
        if (m.progress.progress) this.reading.set(m.progress.name, m.progress.progress);
        else this.reading.delete(m.progress.name);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.body);
    });
    const fail = (e: Error): void => {
      this.failed = new Error(`the dashboard's view worker stopped: ${e.message}`);
      for (const p of this.pending.values()) p.reject(this.failed);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
    return worker;
  }

  /** Tells the worker to warm, handing it the stamps the server's source took so far (once). */
  private warm(): void {
    if (this.warmed || !this.worker) return;
    this.warmed = true;
    clearTimeout(this.warmTimer);
    const stamps = this.stamps?.();
    for (const name of stamps?.keys() ?? []) this.handed.add(name);
    this.worker.postMessage({ id: 0, kind: "warm", ...(stamps?.size ? { stamps } : {}) } satisfies ViewRequest);
  }

  private ask(req: Omit<Extract<ViewRequest, { kind: "view" }>, "id"> | Omit<Extract<ViewRequest, { kind: "compare" }>, "id">): Promise<ViewBody | undefined> {
    if (this.failed) return Promise.reject(this.failed);
    const worker = this.thread();
    this.warm();
    if (req.kind === "view" && !this.handed.has(req.name)) {
      // A study the server stamped after the warm-up (its saved view): handed with its first build.
      const taken = this.stamps?.()?.get(req.name);
      if (taken) {
        this.handed.add(req.name);
        req = { ...req, stamps: taken };
      }
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id });
    });
  }

  view(name: string, options: ReportOptions, changed?: ReadonlySet<string>): Promise<ViewBody | undefined> {
    return this.ask({ kind: "view", name, options, ...(changed ? { changed: [...changed] } : {}) });
  }

  compare(a: string, b: string, options: ReportOptions): Promise<ViewBody | undefined> {
    return this.ask({ kind: "compare", a, b, options });
  }

  progress(name: string): BuildProgress | undefined {
    return this.reading.get(name);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    clearTimeout(this.warmTimer);
    if (this.failed || !worker) return;
    worker.postMessage({ id: 0, kind: "close" } satisfies ViewRequest);
    await new Promise<void>((resolve) => {
      // The worker saves its views and accumulators first (0.3–1 s at 10,000 runs; more on a loaded machine).
      const t = setTimeout(() => void worker.terminate().then(() => resolve()), CLOSE_WAIT_MS);
      worker.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
