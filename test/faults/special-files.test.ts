/** Fault matrix: readers of logs and results take regular files only, capped, and never echo a foreign file's bytes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs, { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
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

test("a results path is opened once: its kind, size and bytes (a store's header too) come from that open; a store over the size cap is still named a store", () => {
  withDir((dir) => {
    const csv = join(dir, "results.csv");
    writeFileSync(csv, "variant,seed,acc\na,0,0.5\nb,0,0.6\n");
    const store = join(dir, "twin.db");
    writeFileSync(store, Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(84)]));
    // Larger than the 256 MiB read (sparse: no disk used): named a store from its first bytes, not "split it".
    const big = join(dir, "big.db");
    writeFileSync(big, Buffer.from("SQLite format 3\0", "latin1"));
    truncateSync(big, 300 << 20);
    const plain = join(dir, "big.csv");
    writeFileSync(plain, "variant,seed,acc\n");
    truncateSync(plain, 300 << 20);
    const opened: string[] = [];
    const statted: string[] = [];
    const patched = fs as { openSync: unknown; statSync: unknown };
    const { openSync, statSync } = fs;
    patched.openSync = (path: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
      opened.push(String(path));
      return openSync(path, flags, mode);
    };
    patched.statSync = (path: fs.PathLike, options?: fs.StatSyncOptions) => {
      statted.push(String(path));
      return statSync(path, options);
    };
    syncBuiltinESMExports();
    try {
      assert.equal(readResults(csv).rows.length, 2);
      assert.throws(() => readResults(store), /twin\.db is a SQLite database \(a twin store\?\), not results: `twin runs --store/);
      assert.throws(() => readResults(big), /big\.db is a SQLite database \(a twin store\?\), not results/);
      assert.throws(() => readResults(plain), /big\.csv is 314572800 bytes, more than the 268435456 bytes twin reads from one file/);
    } finally {
      patched.openSync = openSync;
      patched.statSync = statSync;
      syncBuiltinESMExports();
    }
    assert.deepEqual(opened, [csv, store, big, plain], "one open per path");
    assert.deepEqual(statted, [], "no stat beside the open");
  });
});
