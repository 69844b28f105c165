// Runs test files with node's test runner, `jobs` files at a time, each in its own
// process, the longest first: with the long files started first, the last file
// to start is a short one and the workers finish close together (the
// longest-processing-time rule). Durations come from the table bench/test-times.ts
// writes; files not in it start first, as if long. (`node --test` itself sorts
// its files by name, so it cannot be given an order.)
//
//   node --import tsx scripts/run-tests.mjs <jobs> <file>...
// The child processes inherit --import tsx. Exit status 1 when a test fails.
import { existsSync, readFileSync } from "node:fs";
import { run } from "node:test";
import { spec } from "node:test/reporters";

const [jobs, ...files] = process.argv.slice(2);
const concurrency = Number(jobs);
if (!Number.isInteger(concurrency) || concurrency < 1 || files.length === 0) {
  console.error("usage: node --import tsx scripts/run-tests.mjs <jobs ≥ 1> <file>...");
  process.exit(2);
}
const table = new URL("../bench/results/test-times.json", import.meta.url);
const seconds = new Map();
if (existsSync(table)) {
  for (const { file, wall_s } of JSON.parse(readFileSync(table, "utf8")).files) seconds.set(file, wall_s);
}
const cost = (file) => seconds.get(file) ?? Infinity;
files.sort((a, b) => cost(b) - cost(a) || a.localeCompare(b));

const stream = run({ files, concurrency });
stream.on("test:fail", () => {
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
