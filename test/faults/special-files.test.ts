/** Fault matrix: readers of logs and results take regular files only, capped, and never echo a foreign file's bytes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJsonl, readJsonl } from "../../src/log/jsonl.ts";
import { readEventFile, readRunTree } from "../../src/log/event-reader.ts";
import { readResults } from "../../src/study/results-file.ts";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-files-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function quickly(fn: () => unknown, expected: RegExp): void {
  const t0 = Date.now();
  assert.throws(fn, expected);
  assert.ok(Date.now() - t0 < 2000, "refused at once, not after reading");
}

test("a metrics.jsonl linked to /dev/zero is refused at once (the dashboard and stats read it)", () => {
  withDir((dir) => {
    const run = join(dir, "study", "base", "seed-0");
    mkdirSync(run, { recursive: true });
    symlinkSync("/dev/zero", join(run, "metrics.jsonl"));
    quickly(() => readRunTree(dir, { prefer: "jsonl" }), /metrics\.jsonl is a character device, not a regular file/);
    quickly(() => readResults("/dev/zero"), /\/dev\/zero is a character device, not a regular file/);
    symlinkSync("/dev/zero", join(run, "events.out.tfevents.1.host"));
    quickly(() => readEventFile(join(run, "events.out.tfevents.1.host")), /character device/);
  });
});

test("a FIFO is refused without blocking", () => {
  withDir((dir) => {
    const fifo = join(dir, "metrics.jsonl");
    execFileSync("mkfifo", [fifo]);
    quickly(() => readJsonl(fifo), /is a FIFO \(named pipe\), not a regular file/);
    quickly(() => readResults(fifo), /FIFO/);
  });
});

test("a foreign file's content never appears in the error", () => {
  withDir((dir) => {
    const file = join(dir, "results.jsonl");
    writeFileSync(file, "root:x:0:0:secret-token:/root:/bin/bash\ndaemon:x:1:1\n");
    assert.throws(
      () => readJsonl(file),
      (e: Error) => /results\.jsonl:1: malformed JSON line \(not valid JSON/.test(e.message) && !/root|secret/.test(e.message),
    );
    assert.throws(() => readResults(file), (e: Error) => !/root|secret/.test(e.message));
  });
});

test("files over the size cap are refused with their size; large files are read line by line with the same records", () => {
  withDir((dir) => {
    const file = join(dir, "metrics.jsonl");
    // Lines of varying length, so line ends fall across the reader's 1 MiB chunks.
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ step: i, pad: "x".repeat(i % 200) }));
    const text = lines.join("\n") + "\n" + '{"step": 30000, "cut';
    writeFileSync(file, text);
    const streamed = readJsonl(file);
    const whole = parseJsonl(text, file);
    assert.equal(streamed.records.length, 30_000);
    assert.deepEqual(streamed.records, whole.records);
    assert.equal(streamed.truncatedLine, 30_001);
    quickly(() => readJsonl(file, { maxBytes: 1000 }), /bytes, more than the 1000 bytes twin reads from one file/);
    const malformed = join(dir, "bad.jsonl");
    writeFileSync(malformed, `${lines.slice(0, 9000).join("\n")}\n{oops}\n${lines[0]}\n`);
    assert.throws(() => readJsonl(malformed), /bad\.jsonl:9001: malformed JSON line/);
  });
});
