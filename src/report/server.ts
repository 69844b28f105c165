/**
 * The live dashboard: a small HTTP server (127.0.0.1 by default) that lists
 * the studies of a data source and shows the report views of one (any metric,
 * optional smoothing, or two studies side by side), announced again over
 * server-sent events whenever the source says a study's data changed.
 *
 * It serves only its own assets (a fixed table, never a path on disk) and a
 * read-only JSON API; it never writes; requests other than GET/HEAD are
 * refused, paths with `..` or encoded separators are rejected, and the Host
 * header must name the address it is bound to (no DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { REPORT_CSS } from "./css.ts";
import { dashboardScripts } from "./chart-runtime.ts";
import type { ReportOptions } from "./model/index.ts";
import type { DataSource, StudyListing } from "./types.ts";
import type { ViewBody, Views } from "../serve/view-builder.ts";
import { ViewWorker } from "../serve/view-worker.ts";
import { savedView } from "../serve/saved-view.ts";
import { partialViewBody } from "../serve/partial-view.ts";
import { ChangeAnnouncer } from "../serve/change-announcer.ts";
import { parseHave, withoutKeptCharts } from "../serve/kept-charts.ts";
import { HeapCollector } from "../serve/heap-collector.ts";

export interface DashboardOptions {
  source: DataSource;
  /** Address to bind (default 127.0.0.1). Anything else needs allowRemote. */
  host?: string;
  /** Port (default 7007; 0 = any free port). */
  port?: number;
  /** Needed to bind an address other than loopback. */
  allowRemote?: boolean;
  /** How often the source is polled for changes where it cannot be watched, ms (default 1000). */
  pollMs?: number;
  report?: ReportOptions;
  /** Called with errors that happen outside a request (polling). */
  onError?: (e: Error) => void;
  /**
   * Where views are built: "worker" (default when the source can be opened
   * again there: log folders, stores) keeps this thread free for requests;
   * "thread" builds them here.
   */
  views?: "worker" | "thread";
  /**
   * A study's first view (no view built or saved yet) that is not built after
   * `afterMs` is answered with a page that says how far the logs have been
   * read, and no verdict, when the study has at least `minSeeds` seeds
   * (default 1500 ms, 50 seeds); the full view follows when it is built.
   */
  partial?: { afterMs: number; minSeeds: number };
}

export interface Dashboard {
  url: string;
  port: number;
  host: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const assetDir = fileURLToPath(new URL("./assets/", import.meta.url));

function asset(name: string): string {
  return readFileSync(assetDir + name, "utf8");
}

interface Asset {
  type: string;
  body: string;
  /** Strong validator of a versioned asset (undefined: the page itself, never cached). */
  etag?: string;
}

/** The first 16 hex digits of a text's SHA-256: the version in an asset's URL. */
function contentVersion(body: string): string {
  return createHash("sha256").update(body).digest("hex").slice(0, 16);
}

/**
 * The page, its style and its scripts: the chart libraries (vega, vega-lite,
 * vega-interpreter) come from this server, as the page's
 * Content-Security-Policy allows scripts from its own address only (and no
 * eval: the page draws with vega-interpreter). Scripts and style are served
 * at `/assets/<version>/<file>`, the version a digest of their content, and
 * cached by the browser for good (`immutable`): a page load fetches only the
 * page (never cached: it names the versions), not 0.78 MB of libraries again;
 * a new twin with other scripts names other URLs.
 */
function loadAssets(): Map<string, Asset> {
  const files = new Map<string, Asset>([
    ...[...dashboardScripts()].map(([f, body]): [string, Asset] => [f, { type: "text/javascript; charset=utf-8", body }]),
    ["dashboard.css", { type: "text/css; charset=utf-8", body: REPORT_CSS + "\n" + asset("dashboard.css") }],
  ]);
  const url = new Map<string, string>();
  const versioned: [string, Asset][] = [];
  for (const [f, a] of files) {
    const version = contentVersion(a.body);
    url.set(f, `/assets/${version}/${f}`);
    versioned.push([url.get(f)!, { ...a, etag: `"${version}"` }]);
  }
  const scripts = [...files.keys()].filter((f) => f.endsWith(".js"));
  const index = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>twin dashboard</title><link rel="stylesheet" href="${url.get("dashboard.css")}"></head>
<body><div id="app"><nav id="sidebar"><h1>twin</h1><p id="live" class="live off">connecting…</p><ul id="studies"></ul>
<form id="compare" hidden><h2>Compare two studies</h2><select name="a" aria-label="first study"></select><select name="b" aria-label="second study"></select><button type="submit">compare</button></form></nav>
<main id="view"><p class="muted">Loading studies…</p></main></div>
${scripts.map((f) => `<script src="${url.get(f)}"></script>`).join("")}</body></html>
`;
  return new Map<string, Asset>([
    ["/", { type: "text/html; charset=utf-8", body: index }],
    ["/index.html", { type: "text/html; charset=utf-8", body: index }],
    ...versioned,
  ]);
}

/** A versioned asset: cached for a year without asking again (its URL changes with its content); a request that names its ETag gets 304. */
function sendAsset(req: IncomingMessage, res: ServerResponse, a: Asset, head: boolean): void {
  if (a.etag === undefined) return send(res, 200, a.type, a.body, head);
  const headers = { "Cache-Control": "public, max-age=31536000, immutable", ETag: a.etag, ...SECURITY_HEADERS };
  if (req.headers["if-none-match"]?.split(/\s*,\s*/).includes(a.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": a.type, ...headers, "Content-Length": Buffer.byteLength(a.body) });
  res.end(head ? undefined : a.body);
}

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string, head = false): void {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...SECURITY_HEADERS, "Content-Length": Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head = false): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value), head);
}

/** Why a request path is refused (undefined: fine). Exported for tests. */
export function badPath(rawPath: string): string | undefined {
  if (!rawPath.startsWith("/")) return "the path must start with /";
  if (/%2f|%5c|%00/i.test(rawPath)) return "encoded separators are not allowed";
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return "malformed percent-encoding";
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return "forbidden characters";
  if (decoded.split("/").some((seg) => seg === ".." || seg === ".")) return "path traversal is not allowed";
  return undefined;
}

/** Parameters of a study view: `?metric=<tag>&smooth=<w>`. */
function viewOptions(query: URLSearchParams, base: ReportOptions): { options: ReportOptions; key: string } {
  const metric = query.get("metric") || undefined;
  const smooth = query.get("smooth");
  const smoothing = smooth === null || smooth === "" ? 0 : Number(smooth);
  if (!(smoothing >= 0 && smoothing < 1)) throw new RequestError(`smooth must be a number in [0, 1) (0 = off), got '${smooth}'`);
  const options: ReportOptions = { ...base, ...(metric !== undefined ? { metric } : {}), smoothing };
  return { options, key: `${metric ?? ""}\u0000${smoothing}` };
}

class RequestError extends Error {}

function isViewBody(v: unknown): v is Pick<ViewBody, "html" | "charts"> {
  return typeof v === "object" && v !== null && typeof (v as ViewBody).html === "string" && Array.isArray((v as ViewBody).charts);
}

/** How long a request waits for a rebuild before it is answered with the last view built (marked stale). */
const FRESH_WAIT_MS = 400;
const STALE = Symbol("stale");
const PARTIAL = { afterMs: 1500, minSeeds: 50 };
/** Changes are announced at most this often (the first after a quiet while at once: serve/change-announcer.ts). */
const GATHER_MS = 250;
/** Changed files remembered per study between two builds; beyond, every seed is stamped again. */
const MAX_CHANGED_FILES = 1000;
/** Views kept (per study, metric and smoothing). */
const MAX_VIEWS = 8;
/**
 * The view worker is started once the first studies list is answered (at
 * 10,000 runs, starting it with the server made that list wait 0.4–0.9 s for
 * the cores), by the first request that needs it, or this long after the
 * server started, whichever comes first.
 */
const VIEWS_START_MS = 2000;

/** A built view and the data version it was built from. */
interface CachedView {
  version: number;
  body: unknown;
  /** The same, marked stale (made once: a view is polled often while it rebuilds). */
  staleBody?: unknown;
}

/** JSON text of the view bodies served, made once per body (a study view is about 1 MB: a text per request would be garbage per request). */
const jsonText = new WeakMap<object, string>();

function viewJson(body: unknown): string {
  if (typeof body !== "object" || body === null) return JSON.stringify(body);
  let text = jsonText.get(body);
  if (text === undefined) jsonText.set(body, (text = JSON.stringify(body)));
  return text;
}

/** Starts the dashboard server. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && !options.allowRemote) {
    throw new Error(`refusing to bind ${host}: the dashboard has no authentication; pass --allow-remote to expose it beyond this machine`);
  }
  const source = options.source;
  const assets = loadAssets();
  const clients = new Set<ServerResponse>();
  /** Data version per study: bumped by every change notification. */
  const versions = new Map<string, number>();
  const views = new Map<string, CachedView>();
  const building = new Map<string, Promise<unknown>>();
  let boundPort = 0;

  const spec = options.views === "thread" ? undefined : source.spec?.();
  // The view builder (the model and the charts' specs) is loaded only where views are built (in this thread only when asked to).
  // The worker is handed the stamps this thread's source took (a saved view's), so that it does not stamp every seed again.
  const builder: Views = spec ? new ViewWorker(spec, options.report ?? {}, () => source.takenStamps?.()) : new (await import("../serve/view-builder.ts")).ViewBuilder(source, options.report ?? {});
  /**
   * With views built in the worker, this thread keeps little (MAX_VIEWS views)
   * but copies each new view from the worker and makes its JSON text: its heap
   * is collected whenever it grew by 32 MB (every four or five updates at
   * 10,000 runs; 55–170 ms each on the bench's loaded 2 cores, after the
   * requests waiting for the view are answered), else it grew by 70 MB over
   * ten updates after a restart before V8 collected it.
   */
  const heap = spec ? new HeapCollector({ growth: 32 * 2 ** 20, growthNow: 32 * 2 ** 20, idleMs: 0 }) : undefined;

  const startViews = (): void => {
    clearTimeout(viewsTimer);
    builder.start?.();
  };
  const viewsTimer = setTimeout(startViews, VIEWS_START_MS);
  viewsTimer.unref();
  /** Set when the server stops: no build is started after. */
  let stopped = false;
  /** Builds during which a request was answered with the last view, marked stale. */
  const answeredStale = new WeakSet<Promise<unknown>>();
  /** The data version each build started from. */
  const builtFrom = new WeakMap<Promise<unknown>, number>();

  /** Per study, the files changed since a view of it was last asked of the builder (null: not all known). */
  const changedFiles = new Map<string, Set<string> | null>();

  async function build(name: string, opts: ReportOptions): Promise<unknown> {
    const version = versions.get(name) ?? 0;
    const changed = changedFiles.get(name);
    changedFiles.delete(name);
    const body = await builder.view(name, opts, changed === null ? undefined : (changed ?? new Set()));
    return body && { ...body, version };
  }

  /**
   * The view of a study: the cached one when its data has not changed; else
   * one rebuild at a time per view, and meanwhile the last view built (marked
   * stale) so that a rebuild never holds up a request that can be answered.
   * After a restart the last view built is the one saved in the index; with
   * none at all, a first view that takes long is answered with how far the
   * logs have been read (partialView).
   */
  async function studyView(name: string, query: URLSearchParams): Promise<unknown | undefined> {
    const { options: opts, key } = viewOptions(query, options.report ?? {});
    const id = `${name}\u0000${key}`;
    const version = versions.get(name) ?? 0;
    let hit = views.get(id);
    if (hit && hit.version === version) return hit.body;
    let pending = building.get(id);
    if (!hit && !pending) {
      // After a restart: the view saved in the index, current while the data is what it was built from, else shown as the last view built.
      const saved = await savedView(source, name, opts).catch(() => undefined);
      if (saved && !views.has(id) && !building.has(id)) {
        const current = saved.current && (versions.get(name) ?? 0) === version;
        hit = { version: current ? version : -1, body: { ...saved.body, version } };
        remember(id, hit);
        // The worker builds the study's accumulator now, for the next update (and the view, where the data changed).
        pending = startBuild(id, name, opts, version, hit);
        pending.catch(() => undefined);
        if (current) return hit.body;
      } else {
        hit = views.get(id);
        if (hit && hit.version === version) return hit.body;
        pending = building.get(id);
      }
    }
    pending ??= startBuild(id, name, opts, version, hit);
    // A build started from older data (the data changed while it ran, and no request was answered stale meanwhile:
    // after a restart, the build behind the saved view) does not answer for this version: its end starts the next
    // build, whose end is announced. Answered as fresh, its view stood as current and no announcement followed.
    const older = builtFrom.get(pending) !== version;
    if (older) answeredStale.add(pending);
    if (!hit) return firstView(name, pending, version);
    const fresh = await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, FRESH_WAIT_MS, STALE))]);
    if (fresh !== STALE && !older) return fresh;
    answeredStale.add(pending);
    if (fresh !== STALE && typeof fresh === "object" && fresh !== null) return { ...fresh, stale: true };
    return (hit.staleBody ??= { ...(hit.body as object), stale: true });
  }

  /** Builds whose end is announced (a partial view was shown while they ran). */
  const announced = new WeakSet<Promise<unknown>>();

  /**
   * A study's first view: the view once built, or, when that takes longer
   * than `partial.afterMs` on a study of `partial.minSeeds` seeds or more, a
   * page that says how far the logs have been read (no verdict, no charts);
   * the end of the build is announced to the clients.
   */
  async function firstView(name: string, pending: Promise<unknown>, version: number): Promise<unknown> {
    const partial = options.partial ?? PARTIAL;
    const done = await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, partial.afterMs, STALE))]);
    if (done !== STALE) return done;
    const listing = (await source.listStudies()).find((s) => s.name === name);
    if (!listing || listing.seeds < partial.minSeeds) return pending;
    if (!announced.has(pending)) {
      announced.add(pending);
      pending.then(() => broadcast("study", { name, version: versions.get(name) ?? 0 }), () => undefined);
    }
    return partialViewBody(listing, builder.progress(name), version);
  }

  /**
   * The seed count of the study's latest view ("6 seeds (+ 6 seeds set
   * aside)", its header's), for the studies list: the listing counts every
   * seed folder, and which seeds the verdict sets aside is known only once
   * the view has read the runs; undefined before a view of the study is built.
   */
  function viewSeedsText(name: string): string | undefined {
    let text: string | undefined;
    for (const [id, v] of views) {
      if (!id.startsWith(`${name}\u0000`)) continue;
      const t = (v.body as { seedsText?: unknown } | null)?.seedsText;
      if (typeof t === "string") text = t; // the views are kept in the order they were built: the last is the latest
    }
    return text;
  }

  function remember(id: string, view: CachedView): void {
    views.delete(id);
    views.set(id, view);
    // Memory stays flat: the least recently built views go first.
    while (views.size > MAX_VIEWS) views.delete(views.keys().next().value!);
  }

  /**
   * One rebuild of a view (the caller checked that none runs); whoever was
   * shown an older view is told when it is done. When the data changed while
   * it ran and a request meanwhile was answered with the last view marked
   * stale, the next build starts at once (its end is announced): nothing else
   * would announce the new view (after a restart, a line appended during the
   * first build, which started from the saved view of the same version,
   * waited for the page's next request). With no such request (no page
   * looking), no build follows.
   */
  function startBuild(id: string, name: string, opts: ReportOptions, version: number, shown: CachedView | undefined): Promise<unknown> {
    const pending = build(name, opts).then((body) => {
      if (body !== undefined) remember(id, { version, body });
      // After the requests waiting for this view are answered.
      if (heap) setImmediate(() => heap.collectIfGrown());
      if (shown && shown.version !== version) broadcast("study", { name, version });
      return body;
    }).finally(() => {
      building.delete(id);
      const now = versions.get(name) ?? 0;
      if (now !== version && answeredStale.has(pending) && !stopped) startBuild(id, name, opts, now, views.get(id) ?? shown).catch(() => undefined);
    });
    building.set(id, pending);
    builtFrom.set(pending, version);
    return pending;
  }

  /** Two studies side by side: their variants as `<study>:<variant>`, compared unpaired (their seeds are not shared runs). */
  async function compareView(a: string, b: string, query: URLSearchParams): Promise<unknown | undefined> {
    const { options: opts } = viewOptions(query, options.report ?? {});
    const body = await builder.compare(a, b, opts);
    return body && { ...body, version: 0 };
  }

  function broadcast(event: string, data: unknown): void {
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(msg);
  }

  // Pages are told which studies changed: at once after a quiet while, at most once per GATHER_MS during a burst.
  const announcer = new ChangeAnnouncer(Math.min(GATHER_MS, options.pollMs ?? 1000), (names) => {
    for (const name of names) broadcast("study", { name, version: versions.get(name) });
    broadcast("studies", { changed: names });
  });
  const stopWatching = source.watch((study, file) => {
    versions.set(study, (versions.get(study) ?? 0) + 1);
    const files = changedFiles.get(study);
    if (file === undefined || (files && files.size >= MAX_CHANGED_FILES)) changedFiles.set(study, null);
    else if (files !== null) changedFiles.set(study, (files ?? new Set()).add(file));
    announcer.change(study);
  }, options.pollMs ?? 1000);
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(": keep-alive\n\n");
  }, 15000);
  heartbeat.unref();

  function hostAllowed(req: IncomingMessage): boolean {
    if (options.allowRemote) return true;
    const h = req.headers.host;
    if (!h) return false;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    if (!m) return false;
    const name = m[1]!.replace(/^\[|\]$/g, "");
    return isLoopback(name) && (m[2] === undefined || Number(m[2]) === boundPort);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const head = method === "HEAD";
    if (method !== "GET" && !head) {
      res.setHeader("Allow", "GET, HEAD");
      return sendJson(res, 405, { error: `${method} is not allowed: the dashboard is read-only` });
    }
    if (!hostAllowed(req)) return sendJson(res, 403, { error: "unexpected Host header" });
    const [raw = "/", search = ""] = (req.url ?? "/").split("?");
    const bad = badPath(raw);
    if (bad) return sendJson(res, 400, { error: bad });
    const path = decodeURIComponent(raw);

    const a = assets.get(path);
    if (a) return sendAsset(req, res, a, head);

    if (path === "/api/studies") {
      const list: StudyListing[] = await source.listStudies();
      res.once("finish", startViews);
      const studies = list.map((s) => {
        const seedsText = viewSeedsText(s.name);
        return seedsText === undefined ? s : { ...s, seedsText };
      });
      return sendJson(res, 200, { source: source.description, studies }, head);
    }
    const query = new URLSearchParams(search);
    const m = /^\/api\/studies\/([^/]+)$/.exec(path);
    if (m) {
      const view = await studyView(m[1]!, query);
      if (view === undefined) return sendJson(res, 404, { error: `no study named ${m[1]}` }, head);
      // The drawings the page already holds are not sent again.
      const trimmed = isViewBody(view) ? withoutKeptCharts(view, parseHave(query.get("have"))) : view;
      return send(res, 200, "application/json; charset=utf-8", trimmed === view ? viewJson(view) : JSON.stringify(trimmed), head);
    }
    if (path === "/api/compare") {
      const a = query.get("a"), b = query.get("b");
      if (!a || !b) return sendJson(res, 400, { error: "compare needs two studies: /api/compare?a=<study>&b=<study>" }, head);
      const view = await compareView(a, b, query);
      if (view === undefined) return sendJson(res, 404, { error: `no study named ${a} or ${b}` }, head);
      // As for a study view: the drawings the page already holds are not sent again.
      return sendJson(res, 200, isViewBody(view) ? withoutKeptCharts(view, parseHave(query.get("have"))) : view, head);
    }
    if (path === "/api/events") {
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive", ...SECURITY_HEADERS });
      res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ studies: [...versions.keys()] })}\n\n`);
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    if (path === "/favicon.ico") {
      res.writeHead(204, SECURITY_HEADERS);
      res.end();
      return;
    }
    return sendJson(res, 404, { error: "not found" }, head);
  }

  /** Stops what was started for the server (watcher, announcements, heartbeat, pages' event streams, the view worker). */
  async function stopServing(): Promise<void> {
    stopped = true;
    clearTimeout(viewsTimer);
    stopWatching();
    announcer.close();
    clearInterval(heartbeat);
    for (const c of clients) c.end();
    clients.clear();
    await builder.close();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendJson(res, e instanceof RequestError ? 400 : 500, { error: e.message });
      else res.end();
    });
  });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 7007, host, () => {
        server.off("error", reject);
        resolvePromise();
      });
    });
  } catch (e) {
    // Not listening (a port in use, one needing privileges): what was started for it would keep the process alive.
    await stopServing();
    throw e;
  }
  boundPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    port: boundPort,
    host,
    server,
    async close() {
      await stopServing();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // A browser opens connections ahead of its requests: an open one that never sent a request is not idle to
      // server.close(), which would wait for the headers timeout (60–90 s) before calling back.
      server.closeAllConnections();
      await closed;
    },
  };
}
