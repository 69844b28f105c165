import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "./fixture.ts";
import { LogDirSource, badPath, startDashboard } from "../../src/report/index.ts";
import { RunLogger } from "../../src/log/index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-serve-"));
const logdir = join(root, "logs");
writeFixture(logdir, { seeds: 3, steps: 30 });
const dash = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 100 });
after(async () => {
  await dash.close();
  rmSync(root, { recursive: true, force: true });
});

/** Raw request (the path is sent exactly as given, no normalization). */
function raw(path: string, opts: { method?: string; host?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: dash.port, path, method: opts.method ?? "GET", headers: { Host: opts.host ?? `127.0.0.1:${dash.port}`, ...opts.headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("binds 127.0.0.1; API lists studies and renders a study view", async () => {
  assert.equal(dash.host, "127.0.0.1");
  const list = JSON.parse((await raw("/api/studies")).body);
  assert.deepEqual(list.studies.map((s: { name: string }) => s.name), ["ab"]);
  const view = JSON.parse((await raw("/api/studies/ab")).body);
  assert.equal(view.metric, "val/accuracy");
  assert.ok(view.charts.length >= 8);
  // Charts go as specs, drawn by the page.
  assert.equal((view.html.match(/<script type="application\/json" class="chart-spec">/g) ?? []).length, view.charts.length);
  assert.doesNotMatch(view.html, /<svg/);
  assert.equal((await raw("/api/studies/nope")).status, 404);
  const index = await raw("/");
  assert.equal(index.status, 200);
  const csp = String(index.headers["content-security-policy"]);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-eval/);
});

test("the page loads the chart libraries from the dashboard itself, in order, and nothing from elsewhere", async () => {
  const index = (await raw("/")).body;
  const scripts = [...index.matchAll(/<script src="\/assets\/[0-9a-f]{16}\/([^"]+)"><\/script>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ["vega.min.js", "vega-lite.min.js", "vega-interpreter.js", "spec-columns.js", "dashboard.js"]);
  assert.equal((index.match(/<script/g) ?? []).length, scripts.length);
  assert.doesNotMatch(index, /https?:/);
  const src = (f: string): string => new RegExp(`src="(/assets/[0-9a-f]{16}/${f.replace(/\./g, "\\.")})"`).exec(index)![1]!;
  for (const f of ["vega.min.js", "vega-lite.min.js", "vega-interpreter.js"]) {
    const r = await raw(src(f));
    assert.equal(r.status, 200, f);
    assert.match(String(r.headers["content-type"]), /^text\/javascript/);
  }
  // vega-interpreter as a plain script: no module syntax left, the interpreter on a global.
  const interpreter = (await raw(src("vega-interpreter.js"))).body;
  assert.doesNotMatch(interpreter, /^\s*(import|export)\b/m);
  assert.match(interpreter, /self\.vegaInterpreter = /);
});

test("scripts and style are cached for good under a URL that names their content's digest; the page is never cached", async () => {
  const index = await raw("/");
  assert.equal(index.headers["cache-control"], "no-store");
  const urls = [...index.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  assert.equal(urls.length, 6, urls.join(", "));
  for (const url of urls) {
    const r = await raw(url);
    assert.equal(r.status, 200, url);
    assert.equal(r.headers["cache-control"], "public, max-age=31536000, immutable", url);
    const version = /^\/assets\/([0-9a-f]{16})\//.exec(url)![1]!;
    assert.equal(r.headers.etag, `"${version}"`, url);
    assert.equal(createHash("sha256").update(r.body).digest("hex").slice(0, 16), version, `${url}: the version is the digest of what is served`);
    assert.match(String(r.headers["content-security-policy"]), /default-src 'none'/);
    // A browser that asks again with the ETag gets 304 and no body; another ETag gets the asset.
    const again = await raw(url, { headers: { "If-None-Match": `"0000000000000000", "${version}"` } });
    assert.equal(again.status, 304, url);
    assert.equal(again.body, "");
    assert.equal((await raw(url, { headers: { "If-None-Match": '"0000000000000000"' } })).status, 200);
    // Another version of the same file, or the file without a version, is not served.
    assert.equal((await raw(url.replace(version, "0".repeat(16)))).status, 404, url);
    assert.equal((await raw(url.replace(`${version}/`, ""))).status, 404, url);
  }
  // The API is never cached.
  assert.equal((await raw("/api/studies")).headers["cache-control"], "no-store");
});

test("path traversal and anything outside its own assets is rejected", async () => {
  for (const p of ["/../../etc/passwd", "/assets/../../../etc/passwd", "/assets/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/%2e%2e/server.ts", "/api/studies/..", "/api/studies/%2e%2e%2f%2e%2e%2fetc", "/assets/dashboard.js%00.png", "/.\\..\\etc"]) {
    const r = await raw(p);
    assert.ok(r.status === 400 || r.status === 404, `${p} → ${r.status}`);
    assert.doesNotMatch(r.body, /root:|import /, p);
  }
  for (const p of ["/assets/server.ts", "/assets/../server.ts", "/src/report/server.ts", "/package.json", "/etc/passwd"]) {
    assert.notEqual((await raw(p)).status, 200, p);
  }
  assert.equal(badPath("/a/../b"), "path traversal is not allowed");
  assert.equal(badPath("/assets/dashboard.js"), undefined);
});

test("read-only: writes are refused; foreign Host headers are refused", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) assert.equal((await raw("/api/studies", { method })).status, 405);
  assert.equal((await raw("/api/studies", { host: "evil.example:80" })).status, 403);
  assert.equal((await raw("/api/studies", { host: `localhost:${dash.port}` })).status, 200);
});

test("binding another address needs allowRemote", async () => {
  await assert.rejects(startDashboard({ source: new LogDirSource(logdir), host: "0.0.0.0", port: 0 }), /--allow-remote/);
});

test("server-sent events announce a study that changes", async () => {
  const events: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: dash.port, path: "/api/events", headers: { Host: `127.0.0.1:${dash.port}` } }, (res) => {
      assert.match(String(res.headers["content-type"]), /text\/event-stream/);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        events.push(chunk);
        if (events.join("").includes("event: hello")) {
          const lg = new RunLogger({ logdir, study: "ab", variant: "baseline", seed: 9, flushSecs: 0 });
          lg.log(1, { "eval/f1": 0.5 });
          lg.close();
        }
        if (/event: study\ndata: \{"name":"ab"/.test(events.join(""))) {
          req.destroy();
          resolve();
        }
      });
    });
    req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve() : reject(e)));
    req.end();
  });
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`no study event; got ${events.join("")}`)), 10000))]);
  // While the view is rebuilt the last one is served, marked stale; the fresh one follows.
  let view = JSON.parse((await raw("/api/studies/ab")).body);
  for (let i = 0; i < 300 && view.stale; i++) {
    await new Promise((r) => setTimeout(r, 100));
    view = JSON.parse((await raw("/api/studies/ab")).body);
  }
  assert.equal(view.stale, undefined);
  assert.ok(view.charts.some((c: { id: string }) => c.id === "curve-eval-f1"));
});

test("a dashboard that cannot listen (port in use) rejects with the cause and leaves nothing running that keeps the process alive", async () => {
  const script = join(root, "listen-twice.mts");
  const serverModule = new URL("../../src/report/index.ts", import.meta.url).href;
  writeFileSync(
    script,
    `import { LogDirSource, startDashboard } from ${JSON.stringify(serverModule)};\n` +
      `await startDashboard({ source: new LogDirSource(${JSON.stringify(logdir)}), port: ${dash.port}, pollMs: 100 }).catch((e) => console.log("rejected " + e.code));\n`,
  );
  // Without the clean-up the view worker and the watcher keep the child alive until the timeout kills it.
  const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.signal, null, `the process did not end by itself: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rejected EADDRINUSE/);
});

test("close() ends at once while a browser holds a connection open that has not sent a request yet", { timeout: 30_000 }, async () => {
  const other = await startDashboard({ source: new LogDirSource(logdir), port: 0, pollMs: 100 });
  // Chromium opens such connections ahead of its requests; node's server.close() alone waits for the headers timeout (60 s and more).
  const socket = connect(other.port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const socketClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await other.close();
  await socketClosed;
});
