import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixture } from "../report/fixture.ts";
import { openStore } from "../../src/store/index.ts";
import { studySource } from "../study/fixtures/synthetic-study.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const TRACE = join(ROOT, "test/cli/fixtures/trace-imports.mjs");

// The compiled CLI is what `twin` runs after the set-up; build it if a source is newer.
const built = spawnSync("bash", [join(ROOT, "scripts/build.sh"), "--if-stale"], { cwd: ROOT, encoding: "utf8" });
assert.equal(built.status, 0, `scripts/build.sh failed:\n${built.stdout}${built.stderr}`);

/** Runs `twin ARGS` as a user would, recording the modules it loads. */
function twin(...args: string[]): { status: number | null; stdout: string; stderr: string; imports: string[] } {
  const r = spawnSync(process.execPath, ["--import", TRACE, join(ROOT, "bin/twin.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  const lines = r.stderr.split("\n");
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: lines.filter((l) => !l.startsWith("IMPORT ")).join("\n"),
    imports: lines.filter((l) => l.startsWith("IMPORT ")).map((l) => l.slice(7).replace(`file://${ROOT}/`, "")),
  };
}

const loadsEngine = (imports: string[]) => imports.filter((u) => /(^|\/)torch\/|vega|resvg/.test(u));

test("twin --version prints the package's version", () => {
  const r = twin("--version");
  assert.equal(r.status, 0, r.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(r.stdout.trim(), pkg.version);
});

test("twin --help lists every command from the compiled CLI and loads none of them", () => {
  const r = twin("--help");
  assert.equal(r.status, 0, r.stderr);
  for (const name of ["demo", "doctor", "stats", "compare", "seeds", "report", "serve", "sweep", "runs", "verify", "diff", "worker"]) {
    assert.match(r.stdout, new RegExp(`^  ${name} `, "m"), `--help lacks ${name}`);
  }
  assert.ok(r.imports.includes("dist/cli/main.js"), "bin/twin.js did not run dist/");
  assert.deepEqual(r.imports.filter((u) => /(cli|chunks)\/(demo|doctor|stats|compare|seeds|report|serve|sweep|runs|verify|diff|worker)[.-]/.test(u)), []);
});

test("twin help NAME is NAME --help; a misspelt command gets a suggestion", () => {
  const help = twin("help", "stats");
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: twin stats \[options\] <file\|logdir>/);
  const typo = twin("stast");
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /unknown command 'stast'[\s\S]*Did you mean stats\?/);
});

test("twin stats on a small file loads neither libtorch nor Vega", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-cli-"));
  try {
    const csv = join(dir, "r.csv");
    writeFileSync(csv, "variant,seed,acc\na,0,0.5\na,1,0.6\na,2,0.55\nb,0,0.6\nb,1,0.65\nb,2,0.62\n");
    const r = twin("stats", csv, "--metric", "acc");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /b − a /);
    assert.ok(r.imports.some((u) => /^dist\/chunks\/stats-\w+\.js$/.test(u)), "stats did not run from dist/");
    assert.deepEqual(loadsEngine(r.imports), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("twin report of a log folder loads neither better-sqlite3 (no store read) nor libtorch", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-cli-"));
  try {
    writeFixture(join(dir, "runs"), { study: "ab", seeds: 3, steps: 20 });
    const r = twin("report", join(dir, "runs", "ab"), "-o", join(dir, "report.html"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*report\.html/);
    assert.ok(r.imports.some((u) => /^dist\/chunks\/report-\w+\.js$/.test(u)), "report did not run from dist/");
    assert.deepEqual(r.imports.filter((u) => /better-sqlite3/.test(u)), []);
    assert.deepEqual(loadsEngine(r.imports), []);
    // The same trace sees better-sqlite3 where a store is read.
    await (await openStore(join(dir, "store.db"))).close();
    const runs = twin("runs", "--store", join(dir, "store.db"));
    assert.ok(runs.imports.includes("require:better-sqlite3"), runs.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a training command's --help runs compiled and loads neither libtorch, a TypeScript loader, the queue client nor any TypeScript source", () => {
  for (const name of ["demo", "compare", "seeds", "verify", "worker", "sweep"]) {
    const r = twin(name, "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Usage: twin ${name}`));
    assert.ok(r.imports.some((u) => new RegExp(`^dist/chunks/${name}-\\w+\\.js$`).test(u)), `${name} did not run from dist/`);
    assert.deepEqual(r.imports.filter((u) => /^src\/.*\.ts$/.test(u)), [], `${name} --help loaded TypeScript sources`);
    assert.deepEqual(r.imports.filter((u) => /twin\.node|torch\/native/.test(u)), [], `${name} --help loaded libtorch`);
    // tsx and esbuild (study files, the sweep's launcher bundle) and bullmq (the queue) only when the command runs.
    assert.deepEqual(r.imports.filter((u) => /node_modules\/(tsx|esbuild|bullmq)\/|^require:(tsx|esbuild|bullmq)/.test(u)), [], `${name} --help loaded ${name === "worker" ? "the queue client" : "a TypeScript loader"}`);
  }
});

test("twin compare of a study that imports \"twin\" trains compiled (one copy of each module: the bundle's); one that imports twin's sources by path hands over to them", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-cli-"));
  try {
    const bySource = join(dir, "by-source.study.ts");
    writeFileSync(bySource, studySource({ name: "by-source", steps: 4, evalEvery: 2, examples: 192 }));
    const byName = join(dir, "by-name.study.ts");
    writeFileSync(
      byName,
      studySource({ name: "by-name", steps: 4, evalEvery: 2, examples: 192 })
        .replace(/^import .*$/gm, "")
        .replace(/^/, 'import { defineStudy, data, nn, optim, torch } from "twin";\nconst { hostArray } = data;\nconst { mlp } = nn;\n'),
    );
    const compiled = twin("compare", byName, "--seeds", "2", "--jobs", "1", "--logdir", join(dir, "runs"), "--store", join(dir, "twin.db"));
    assert.equal(compiled.status, 0, compiled.stderr);
    assert.match(compiled.stdout, /adam − sgd /);
    assert.ok(compiled.imports.includes("dist/api/index.js"), "\"twin\" did not resolve to the bundle's API");
    assert.deepEqual(compiled.imports.filter((u) => /^src\/.*\.ts$/.test(u)), [], "a compiled run loaded TypeScript sources of twin");
    const sources = twin("compare", bySource, "--seeds", "2", "--jobs", "1", "--logdir", join(dir, "runs"), "--store", join(dir, "twin.db"));
    assert.equal(sources.status, 0, sources.stderr);
    assert.match(sources.stdout, /adam − sgd /);
    assert.ok(sources.imports.includes("src/cli/main.ts"), "a study importing twin's sources did not hand over to them");
    assert.ok(!sources.imports.includes("dist/api/index.js"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a reader that closes the pipe early (twin --help | head -1) ends twin quietly", () => {
  for (const args of ["--help", "demo --help"]) {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${join(ROOT, "bin/twin.js")}" ${args} | head -1`], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: twin/);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, r.stderr);
  }
});
