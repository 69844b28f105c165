/**
 * The live dashboard: a small HTTP server (127.0.0.1 by default) that lists
 * the studies of a data source and shows the report views of one, pushed
 * again over server-sent events whenever the study's data changes (the
 * source's signatures are polled).
 *
 * It serves only its own assets (a fixed table, never a path on disk) and a
 * read-only JSON API; it never writes; requests other than GET/HEAD are
 * refused, paths with `..` or encoded separators are rejected, and the Host
 * header must name the address it is bound to (no DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderStudyBody } from "./html.ts";
import { REPORT_CSS } from "./html.ts";
import { buildReportModel, type ReportOptions } from "./model.ts";
import type { DataSource, StudyListing } from "./types.ts";

export interface DashboardOptions {
  source: DataSource;
  /** Address to bind (default 127.0.0.1). Anything else needs allowRemote. */
  host?: string;
  /** Port (default 7007; 0 = any free port). */
  port?: number;
  /** Needed to bind an address other than loopback. */
  allowRemote?: boolean;
  /** How often the source is polled for changes, ms (default 1000). */
  pollMs?: number;
  report?: ReportOptions;
  /** Called with errors that happen outside a request (polling). */
  onError?: (e: Error) => void;
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
}

function loadAssets(): Map<string, Asset> {
  const js = asset("dashboard.js");
  const css = REPORT_CSS + "\n" + asset("dashboard.css");
  const index = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>twin dashboard</title><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><div id="app"><nav id="sidebar"><h1>twin</h1><p id="live" class="live off">connecting…</p><ul id="studies"></ul></nav>
<main id="view"><p class="muted">Loading studies…</p></main></div>
<script src="/assets/dashboard.js"></script></body></html>
`;
  return new Map<string, Asset>([
    ["/", { type: "text/html; charset=utf-8", body: index }],
    ["/index.html", { type: "text/html; charset=utf-8", body: index }],
    ["/assets/dashboard.js", { type: "text/javascript; charset=utf-8", body: js }],
    ["/assets/dashboard.css", { type: "text/css; charset=utf-8", body: css }],
  ]);
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

/** Starts the dashboard server. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && !options.allowRemote) {
    throw new Error(`refusing to bind ${host}: the dashboard has no authentication; pass --allow-remote to expose it beyond this machine`);
  }
  const source = options.source;
  const assets = loadAssets();
  const clients = new Set<ServerResponse>();
  const cache = new Map<string, { signature: string; body: unknown }>();
  let signatures: Record<string, string> = {};
  let boundPort = 0;

  async function studyView(name: string): Promise<unknown | undefined> {
    const sigs = await source.signatures();
    if (!(name in sigs)) return undefined;
    const sig = sigs[name]!;
    const hit = cache.get(name);
    if (hit && hit.signature === sig) return hit.body;
    const data = await source.loadStudy(name);
    if (!data) return undefined;
    let body: unknown;
    try {
      const model = buildReportModel(data, options.report ?? {});
      const view = await renderStudyBody(model);
      body = {
        name,
        signature: sig,
        metric: model.metric,
        variants: model.variants,
        seeds: model.seeds,
        runs: model.runs,
        charts: view.charts.map((c) => ({ id: c.chart.id, series: c.chart.series, points: c.chart.points, marks: c.chart.marks })),
        warnings: model.warnings,
        html: view.html,
        updatedAt: Date.now(),
      };
    } catch (e) {
      body = { name, signature: sig, error: (e as Error).message, html: "", charts: [], runs: [], updatedAt: Date.now() };
    }
    cache.set(name, { signature: sig, body });
    return body;
  }

  function broadcast(event: string, data: unknown): void {
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(msg);
  }

  let polling = false;
  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const next = await source.signatures();
      const changed = Object.keys(next).filter((k) => next[k] !== signatures[k]);
      const removed = Object.keys(signatures).filter((k) => !(k in next));
      signatures = next;
      if (changed.length > 0 || removed.length > 0) {
        for (const name of changed) broadcast("study", { name, signature: next[name] });
        broadcast("studies", { changed, removed });
      }
    } catch (e) {
      options.onError?.(e as Error);
    } finally {
      polling = false;
    }
  }
  signatures = await source.signatures();
  const timer = setInterval(() => void poll(), options.pollMs ?? 1000);
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(": keep-alive\n\n");
  }, 15000);

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
    const raw = (req.url ?? "/").split("?")[0]!;
    const bad = badPath(raw);
    if (bad) return sendJson(res, 400, { error: bad });
    const path = decodeURIComponent(raw);

    const a = assets.get(path);
    if (a) return send(res, 200, a.type, a.body, head);

    if (path === "/api/studies") {
      const list: StudyListing[] = await source.listStudies();
      return sendJson(res, 200, { source: source.description, studies: list }, head);
    }
    const m = /^\/api\/studies\/([^/]+)$/.exec(path);
    if (m) {
      const view = await studyView(m[1]!);
      if (view === undefined) return sendJson(res, 404, { error: `no study named ${m[1]}` }, head);
      return sendJson(res, 200, view, head);
    }
    if (path === "/api/events") {
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive", ...SECURITY_HEADERS });
      res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ studies: Object.keys(signatures) })}\n\n`);
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

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: e.message });
      else res.end();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 7007, host, () => {
      server.off("error", reject);
      resolvePromise();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    port: boundPort,
    host,
    server,
    async close() {
      clearInterval(timer);
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      clients.clear();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
    },
  };
}
