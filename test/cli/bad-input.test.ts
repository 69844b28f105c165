/**
 * Bad input to every command, from a fresh folder, as a new user meets it:
 * a clear message on stderr naming what was wrong and what to do, exit
 * status 2 for a wrong command line (an option, or a path or study named on
 * it that does not exist or is not what the command reads) and 1 for anything
 * else (a path named inside a file), never a stack.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixture } from "../report/fixture.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "twin-bad-input-"));
const csv = join(dir, "results.csv");

before(() => {
  const built = spawnSync("bash", [join(ROOT, "scripts/build.sh"), "--if-stale"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `scripts/build.sh failed:\n${built.stdout}${built.stderr}`);
  writeFixture(join(dir, "logs"), { study: "ab", seeds: 3, steps: 10 });
  writeFileSync(join(dir, "my.study.ts"), 'import { defineStudy } from "twin";\nexport default defineStudy({ name: "x", data: { name: "d", validation: 1, load: () => { throw new Error("unused"); } }, batchSize: 1, variants: {} });\n');
  writeFileSync(csv, "variant,seed,acc\na,0,0.5\na,1,0.6\na,2,0.55\nb,0,0.6\nb,1,0.65\nb,2,0.62\n");
  writeFileSync(join(dir, "preds.csv"), "variant,seed,acc,predictions\na,0,0.5,missing-a0.npy\na,1,0.6,missing-a1.npy\nb,0,0.6,missing-b0.npy\nb,1,0.7,missing-b1.npy\n");
  writeFileSync(join(dir, "labels.csv"), "0\n1\n");
  writeFileSync(join(dir, "page.txt"), "<!DOCTYPE html>\n<html><body><script>const x = {\"a\": 1};</script></body></html>\n");
  writeFileSync(join(dir, "grid.csv"), "opt,drop,seed,accuracy\nsgd,0,0,0.8\nsgd,1,0,0.81\nadam,0,0,0.82\nadam,1,0,0.83\n");
  execFileSync("mkfifo", [join(dir, "fifo")]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** [arguments, exit status, what stderr must say]. */
const CASES: [string[], number, RegExp][] = [
  [["frobnicate"], 2, /unknown command 'frobnicate'/],
  [["stats"], 2, /missing required argument 'file\|logdir'/],
  [["report", "grid.csv"], 1, /^twin: grid\.csv: missing column "variant"; .*; factorial results, one column per factor and no variant column, are read by `twin stats grid\.csv --factors <factor columns>`$/m],
  [["stats", "nope.csv"], 2, /^twin: nope\.csv: no such file or directory; check the path \(relative paths start from the folder twin runs in\)$/m],
  [["stats", csv, "--labels", "nope.npy"], 2, /^twin: nope\.npy: no such file or directory; check the path/m],
  [["stats", "preds.csv", "--labels", "labels.csv"], 1, /^twin: preds\.csv row 2, column "predictions": .*missing-a0\.npy: no such file or directory/m],
  [["stats", csv, "--metric", "zz"], 2, /^twin: --metric zz: .*results\.csv has no such metric; available: acc$/m],
  [["stats", join(dir, "page.txt")], 2, /page\.txt is an HTML page \(a report written by twin report\?\), not results/],
  [["report", join(dir, "page.txt")], 2, /page\.txt is an HTML page/],
  [["stats", join(dir, "my.study.ts")], 2, /my\.study\.ts is a study file \(a module that defines a study\), not results: train and compare it with `twin compare .*my\.study\.ts` \(or `twin seeds`\)/],
  [["compare", "nope.study.ts"], 2, /study file nope\.study\.ts does not exist/],
  [["seeds", csv], 2, /results\.csv is not a study file: a study file is a TypeScript \(or JavaScript\) module .* use `twin stats`/],
  [["ensemble", "a.npy", "--labels", "b.npy"], 2, /^twin: a\.npy: no such file$/m],
  [["report", "nope"], 2, /nope: not found: no folder nope; no study nope in .*; no store here .*run one first/],
  [["report", "logs/ab", "--metric", "zz"], 2, /^twin: --metric zz: no runs have the metric "zz"; available: epoch, eval\/accuracy/m],
  [["report", "logs/ab", "--reference", "zz"], 2, /^twin: --reference zz: reference "zz": no such variant \(variants: baseline, /m],
  [["report", "fifo"], 2, /fifo: not found: fifo is neither a folder nor a regular file; /],
  [["serve", "--port", "abc"], 2, /--port must be an integer in 0\.\.65535, got 'abc'/],
  [["serve", csv], 2, /^twin: .*results\.csv: a file, not a folder; twin serve shows a folder of studies /m],
  [["serve", "--logdir", csv], 2, /^twin: --logdir .*results\.csv: a file, not a folder; twin serve shows a folder of studies .*`twin report .*results\.csv`$/m],
  [["sweep"], 2, /no command to run: put the training command after --/],
  [["sweep", "--seeds", "x", "--", "true"], 2, /--seeds must be a positive integer \(got 'x'\)/],
  [["runs"], 1, /no store here .*run a study in this folder first/],
  [["runs", "--store", "nope.db"], 2, /^twin: no twin store at .*nope\.db \(the file does not exist\)/m],
  [["verify", "abc"], 1, /no store here/],
  // A wrong command line stays 2; 4 is "does not reproduce" (test/study/store-study.test.ts).
  [["verify", "abc", "--store", "nope.db"], 2, /^twin: no twin store at .*nope\.db \(the file does not exist\)/m],
  [["verify"], 2, /missing required argument 'run'/],
  [["diff", "a", "b"], 1, /no store here/],
  [["init", "bad name/"], 2, /study name 'bad name\/' must start with a letter or digit/],
  [["init", "x", "--dir", csv], 2, /^twin: --dir .*results\.csv: a file, not a folder; name the folder to write the study file in$/m],
  [["worker"], 2, /required option '--queue <url>' not specified/],
  [["demo", "--seeds", "0"], 2, /--seeds must be at least 2 \(got 0\)/],
  [["demo", "--split", "same"], 2, /^twin: --split: split must be 'per-seed' .* or 'shared' .*; got "same"$/m],
];

for (const [args, status, message] of CASES) {
  test(`twin ${args.join(" ").replace(dir, "<dir>")}`, () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/twin.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });
}

test("twin serve on a port in use: says so and what to do, and ends (it printed the error and kept running)", async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
  try {
    const port = (busy.address() as AddressInfo).port;
    const r = await new Promise<{ status: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(ROOT, "bin/twin.js"), "serve", "--port", String(port), "--logdir", "logs"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("exit", (status) => {
        clearTimeout(timer);
        done({ status, stderr });
      });
    });
    assert.equal(r.status, 1, `twin serve did not end: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^twin: port ${port} on 127\\.0\\.0\\.1 is in use \\(another twin serve\\?\\): pass another --port, or --port 0 for any free one$`, "m"));
  } finally {
    busy.close();
  }
});

test("twin init --dir naming a folder that is not there yet makes it (it failed with 'no such file or directory' on the study file)", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/twin.js"), "init", "fresh", "--dir", "new/deeper"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(join(dir, "new", "deeper", "fresh.study.ts"), "utf8"), /name: "fresh"/);
});
