// Bundles the CLI's compiled form into dist/ with esbuild (called by
// scripts/build.sh after the type check): one entry per file that is started
// on its own, the code they share in dist/chunks/, so that a command loads a
// few files instead of ~200 modules (twin report started in 0.45 s of CPU from
// per-file tsc output, 0.35 s bundled). Packages with native code, CommonJS or
// large optional parts stay in node_modules, loaded only by the commands that
// use them.
//
// Every output file sits one folder below dist/ (dist/cli/, dist/serve/,
// dist/study/, dist/chunks/), and each source's `import.meta.url` is rewritten
// to the URL its own compiled file would have (dist/<layer>/<file>.js): paths
// taken relative to it (the report's assets, package.json, a worker's entry)
// resolve as they do from the sources.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
/** Where the bundle is written (argument; default dist/): paths inside it are taken relative to its own folders, so it can be built aside and renamed to dist/. */
const DIST = join(ROOT, process.argv[2] ?? "dist");

/**
 * Files started on their own: the CLI, the dashboard's log reader threads, the
 * sweep's command launcher (the view worker is bundled on its own, below). The reader thread's entry is
 * the one output two folders below dist/ (dist/report/sources/): the code in
 * it is log-reader-worker.ts alone (everything it imports is shared, in
 * dist/chunks/), which does not use `import.meta.url`.
 */
const ENTRIES = ["cli/main.ts", "report/sources/log-reader-worker.ts", "study/sweep-launcher.ts"];
/**
 * twin's API (src/index.ts) as dist/api/index.js: what `import ... from "twin"`
 * in a study file resolves to under the compiled CLI, so that the study and
 * the command that trains it share the bundle's modules (one folder below dist/, as every output).
 */
const API = { in: join(SRC, "index.ts"), out: "api/index" };
/** Pure ES-module packages worth bundling (the protocol buffers runtime alone is ~70 modules). */
const BUNDLED = new Set(["@bufbuild/protobuf", "fflate"]);

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.has(d)).flatMap((d) => [d, `${d}/*`]);

/** `import.meta.url` of src/<path>.ts → the URL of dist/<path>.js, written relative to whichever dist/<folder>/ file holds the code. */
const importMetaUrl = {
  name: "import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      let contents = await readFile(args.path, "utf8");
      if (contents.includes("import.meta.url")) {
        const compiled = join(DIST, relative(SRC, args.path)).replace(/\.ts$/, ".js");
        const fromAnyFolder = relative(join(DIST, "cli"), compiled);
        contents = contents.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromAnyFolder)}, import.meta.url).href`);
      }
      return { contents, loader: "ts" };
    });
  },
};

await build({
  entryPoints: [...ENTRIES.map((e) => ({ in: join(SRC, e), out: e.replace(/\.ts$/, "") })), API],
  outdir: DIST,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  plugins: [importMetaUrl],
  logLevel: "warning",
});

/**
 * In the view worker, the event-file reader (and its protocol-buffer runtime,
 * about 20 ms of CPU to set up) is required when a run without a metrics.jsonl
 * is met, from its own CommonJS file beside the worker (dist/serve/event-reader.cjs),
 * not set up at every worker start: src/report/sources/event-reader-use.ts's body
 * is replaced by one that requires it then (left to Node by esbuild: it resolves
 * from the worker's file).
 */
const eventReaderOnDemand = {
  name: "event-reader-on-demand",
  setup(b) {
    b.onResolve({ filter: /^\.\/event-reader\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /[\\/]report[\\/]sources[\\/]event-reader-use\.ts$/ }, () => ({
      contents: 'let reader;\nexport function eventReader() {\n  return (reader ??= require("./event-reader.cjs"));\n}\n',
      loader: "js",
    }));
  },
};

/**
 * The dashboard's view worker as one CommonJS file (dist/serve/view-worker-main.cjs),
 * its code not shared with the chunks: a thread started on an ES module first compiles
 * Node's ES module loader and links the bundle's ~44 files, and the worker starts
 * after a restart's first list, ahead of the first update. Started on one CommonJS
 * file it was ready in 115–130 ms against 185–200 ms (load 6). `import.meta.url`
 * (rewritten as above) is the file's own URL.
 */
await build({
  entryPoints: [
    { in: join(SRC, "serve/view-worker-main.ts"), out: "serve/view-worker-main" },
    { in: join(SRC, "log/event-reader.ts"), out: "serve/event-reader" },
  ],
  outdir: DIST,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external,
  plugins: [eventReaderOnDemand, importMetaUrl],
  define: { "import.meta.url": "__twinModuleUrl" },
  banner: { js: '"use strict";\nvar __twinModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
});
