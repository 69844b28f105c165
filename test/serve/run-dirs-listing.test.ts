// A dashboard update lists the study's run folders again only when a folder
// changed: the listing is kept while the study's and every variant's folder
// keep their modification time (older than a few seconds), and a run folder
// made, removed or renamed since is seen.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs, { cpSync, mkdtempSync, renameSync, rmSync, utimesSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource } from "../../src/report/index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-run-dirs-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The folders a call of `f` lists (readdirSync), by path. */
async function listed(f: () => Promise<unknown>): Promise<string[]> {
  const real = fs.readdirSync;
  const seen: string[] = [];
  fs.readdirSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    seen.push(String(path));
    return (real as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readdirSync;
  syncBuiltinESMExports();
  try {
    await f();
  } finally {
    fs.readdirSync = real;
    syncBuiltinESMExports();
  }
  return seen;
}

/** The seeds and variants of the groups the source streams for `seeds`. */
async function read(source: LogDirSource, seeds: string[]): Promise<string[]> {
  const stream = await source.openStudy("ab", new Set(seeds));
  const out: string[] = [];
  for await (const g of stream!.groups) for (const r of g.runs) out.push(`${r.variant}/${g.seed}`);
  return out;
}

/** Sets the modification time of the study's folder and its variants' folders an hour back. */
function settle(study: string): void {
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const d of [study, ...["baseline", "wider"].map((v) => join(study, v))]) utimesSync(d, hourAgo, hourAgo);
}

test("an update reads its seeds from the last listing of the run folders while no folder changed, and sees a run folder made or renamed since", async () => {
  const logdir = join(root, "logs");
  writeFixture(logdir, { seeds: 4, steps: 12, variants: ["baseline", "wider"], checks: false });
  const study = join(logdir, "ab");
  settle(study);
  const source = new LogDirSource(logdir, { index: join(root, "index.sqlite") });
  try {
    assert.deepEqual(await read(source, ["1"]), ["baseline/1", "wider/1"]);
    const variantDirs = [join(study, "baseline"), join(study, "wider")];
    // Nothing changed: the run folders are not listed again.
    const again = await listed(() => read(source, ["2"]).then((r) => assert.deepEqual(r, ["baseline/2", "wider/2"])));
    assert.deepEqual(again.filter((p) => variantDirs.includes(p)), [], `listed again: ${again.join(", ")}`);

    // A new seed's run folders (copied from seed 3): the variants' folders changed, so they are listed and the seed is read.
    for (const v of ["baseline", "wider"]) cpSync(join(study, v, "seed-3"), join(study, v, "seed-7"), { recursive: true });
    const made = await listed(() => read(source, ["7"]).then((r) => assert.deepEqual(r, ["baseline/7", "wider/7"])));
    assert.ok(variantDirs.every((d) => made.includes(d)), `not listed: ${made.join(", ")}`);

    // Settled again, then a run folder renamed away: its seed has no run of that variant any more.
    settle(study);
    await read(source, ["1"]);
    renameSync(join(study, "wider", "seed-2"), join(study, "wider", "seed-9"));
    assert.deepEqual(await read(source, ["2", "9"]), ["baseline/2", "wider/9"]);
  } finally {
    await source.close?.();
  }
});

test("the run-folder listing the server's stamps were taken with is handed to the view worker's source with them: it lists no run folder for an update, and still sees a run folder made since", async () => {
  const logdir = join(root, "handed");
  writeFixture(logdir, { seeds: 4, steps: 12, variants: ["baseline", "wider"], checks: false });
  const study = join(logdir, "ab");
  settle(study);
  const index = join(root, "handed.sqlite");
  const server = new LogDirSource(logdir, { index });
  const worker = new LogDirSource(logdir, { index });
  const variantDirs = [join(study, "baseline"), join(study, "wider")];
  try {
    await server.seedStamps("ab");
    const taken = server.takenStamps();
    assert.deepEqual([...taken.get("ab")!.runDirs!.all.keys()].sort(), ["0", "1", "2", "3"]);
    const handed = await listed(async () => {
      worker.adoptStamps(structuredClone(taken));
      assert.deepEqual(await read(worker, ["1"]), ["baseline/1", "wider/1"]);
    });
    assert.deepEqual(handed.filter((p) => variantDirs.includes(p)), [], `listed: ${handed.join(", ")}`);

    // Taken before a seed was made: the variants' folders changed since, so the worker lists them and reads the new seed.
    const before = server.takenStamps();
    for (const v of ["baseline", "wider"]) cpSync(join(study, v, "seed-3"), join(study, v, "seed-7"), { recursive: true });
    const late = new LogDirSource(logdir, { index });
    try {
      late.adoptStamps(structuredClone(before));
      const made = await listed(() => read(late, ["7"]).then((r) => assert.deepEqual(r, ["baseline/7", "wider/7"])));
      assert.ok(variantDirs.every((d) => made.includes(d)), `not listed: ${made.join(", ")}`);
    } finally {
      await late.close?.();
    }
  } finally {
    await server.close?.();
    await worker.close?.();
  }
});
