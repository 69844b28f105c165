// Runs test files with node's test runner, `jobs` files at a time, each in its own
// process, the longest first: with the long files started first, the last file
// to start is a short one and the workers finish close together (the
// longest-processing-time rule). Durations come from the table bench/test-times.ts
// writes; files not in it start first, as if long. (`node --test` itself sorts
// its files by name, so it cannot be given an order.)
//
// Each file has a time limit (TWIN_TEST_FILE_TIMEOUT_S, default 600 s): past it
// its process and every process it started (a browser, a database) are killed
// with SIGKILL and the file fails, so one hung file cannot hold CI for hours. A file's stderr lines are printed with its name in front, and after the
// usual summary every failed file is listed again with why it failed (the limit
// and the last test that started, or its exit status), its failing tests and the
// end of its stderr: the end of a CI log is often all that is shown of it.
//
//   node --import tsx scripts/run-tests.mjs <jobs> <file>...
// The child processes inherit --import tsx. Exit status 1 when a test fails.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { Transform } from "node:stream";
import { run } from "node:test";
import { spec } from "node:test/reporters";

const [jobs, ...files] = process.argv.slice(2);
const concurrency = Number(jobs);
if (!Number.isInteger(concurrency) || concurrency < 1 || files.length === 0) {
  console.error("usage: node --import tsx scripts/run-tests.mjs <jobs ≥ 1> <file>...");
  process.exit(2);
}
const limitText = process.env.TWIN_TEST_FILE_TIMEOUT_S ?? "600";
const limitSeconds = Number(limitText);
if (!(limitSeconds > 0)) {
  console.error(`TWIN_TEST_FILE_TIMEOUT_S must be a positive number of seconds (got '${limitText}')`);
  process.exit(2);
}
const table = new URL("../bench/results/test-times.json", import.meta.url);
const seconds = new Map();
if (existsSync(table)) {
  for (const { file, wall_s } of JSON.parse(readFileSync(table, "utf8")).files) seconds.set(file, wall_s);
}
const cost = (file) => seconds.get(file) ?? Infinity;
files.sort((a, b) => cost(b) - cost(a) || a.localeCompare(b));

/** Lines of a file's stderr kept for the closing list (the end matters: a crash writes last). */
const STDERR_LINES_KEPT = 60;
/** Lines of a failing test's error shown in the closing list. */
const ERROR_LINES_SHOWN = 12;

const shortName = (file) => relative(process.cwd(), resolve(file));

/** What is known of one file while it runs: the tests now started (by nesting), failures, the end of stderr. */
class FileState {
  timer = undefined;
  killed = false;
  started = [];
  failures = [];
  stderr = [];
  stderrLines = 0;
  failed = undefined;
}
const states = new Map();
const stateOf = (file) => {
  const name = shortName(file);
  if (!states.has(name)) states.set(name, new FileState());
  return states.get(name);
};
/** The file-level test node:test makes for each file is named by the file's path. */
const isFileLevel = (data) => data.file !== undefined && data.nesting === 0 && shortName(data.name) === shortName(data.file);

/** A test's place, "suite > test", from the names started at each nesting level. */
const testPath = (started, data) => [...started.slice(0, data.nesting), data.name].join(" > ");

function errorText(error) {
  const cause = error?.cause ?? error;
  const text = cause instanceof Error ? (cause.stack ?? String(cause)) : typeof cause === "string" ? cause : (error?.message ?? String(cause));
  return text.split("\n").slice(0, ERROR_LINES_SHOWN).join("\n");
}

function record(event) {
  const { type, data } = event;
  if (data?.file === undefined) return event;
  const state = stateOf(data.file);
  if (type === "test:stderr" || type === "test:stdout") {
    const lines = data.message.replace(/\n$/, "").split("\n");
    if (type === "test:stderr") {
      state.stderrLines += lines.length;
      state.stderr.push(...lines);
      state.stderr.splice(0, Math.max(0, state.stderr.length - STDERR_LINES_KEPT));
    }
    // Files run side by side: say whose output a line is.
    const who = `[${shortName(data.file)}] `;
    return { type, data: { ...data, message: lines.map((l) => who + l).join("\n") + "\n" } };
  }
  if (isFileLevel(data)) {
    if (type === "test:dequeue") state.timer = setTimeout(() => killFile(data.name, state), limitSeconds * 1000);
    // test:complete, not test:fail: node:test reports no test:fail for a file whose tests failed.
    if (type === "test:complete") {
      clearTimeout(state.timer);
      if (!data.details.passed) state.failed = data.details.error;
    }
    return event;
  }
  if (type === "test:dequeue") {
    state.started.length = data.nesting;
    state.started.push(data.name);
  } else if (type === "test:fail") {
    state.failures.push({ name: testPath(state.started, data), error: errorText(data.details?.error) });
  }
  return event;
}

/** Process id -> parent id of every process, from /proc (Linux); empty elsewhere. */
function parents() {
  const out = new Map();
  let pids = [];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      out.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** The process node:test started for `file` (its last argument is the path as given), and every process below it. */
function processTreeOf(file) {
  const parentOf = parents();
  const root = [...parentOf].find(([pid, parent]) => {
    if (parent !== process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).at(-1) === file;
    } catch {
      return false;
    }
  })?.[0];
  if (root === undefined) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parentOf) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/**
 * Past the limit: SIGKILL for the file's process and everything it started
 * (SIGTERM to the file's process alone would leave a browser or a database
 * running, and a process may ignore it). Where /proc is missing, node:test's
 * own timeout, a minute later, ends the file's process with SIGTERM.
 */
function killFile(file, state) {
  state.killed = true;
  for (const pid of processTreeOf(file)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
  }
}

function whyFailed(state) {
  const error = state.failed;
  if (state.killed || error?.failureType === "testTimeoutFailure") {
    const last = state.started.length > 0 ? `the last test that started: "${state.started.join(" > ")}"` : "no test had started (it hung while loading)";
    return `killed after the per-file limit of ${limitSeconds} s (TWIN_TEST_FILE_TIMEOUT_S); ${last}`;
  }
  if (error?.exitCode != null && error.exitCode !== 0) return `its process exited with status ${error.exitCode}`;
  if (error?.signal) return `its process was ended by ${error.signal}`;
  return errorText(error);
}

/** The closing list: each failed file, why, its failing tests and the end of its stderr. */
function failedFilesText() {
  const out = [];
  for (const [file, state] of states) {
    if (state.failed === undefined && state.failures.length === 0) continue;
    out.push(`✖ ${file}: ${state.failed === undefined ? "some tests failed" : whyFailed(state)}`);
    for (const f of state.failures) {
      out.push(`  failed: ${f.name}`);
      out.push(...f.error.split("\n").map((l) => `    ${l}`));
    }
    if (state.stderr.length > 0) {
      const skipped = state.stderrLines - state.stderr.length;
      out.push(`  its stderr${skipped > 0 ? ` (last ${state.stderr.length} of ${state.stderrLines} lines)` : ""}:`);
      out.push(...state.stderr.map((l) => `  | ${l}`));
    } else {
      out.push("  its stderr: empty");
    }
  }
  return out.length === 0 ? "" : `\n✖ failed files (${out.filter((l) => l.startsWith("✖")).length}):\n${out.join("\n")}\n`;
}

const events = run({ files, concurrency, timeout: (limitSeconds + 60) * 1000 }).pipe(
  new Transform({
    objectMode: true,
    transform(event, _encoding, done) {
      if (event.type === "test:fail") process.exitCode = 1;
      done(null, record(event));
    },
  }),
);
const report = events.compose(spec);
report.pipe(process.stdout, { end: false });
report.on("end", () => {
  // A killed file's own children may still hold pipes open: end here, after the output is written.
  process.stdout.write(failedFilesText(), () => process.exit());
});
