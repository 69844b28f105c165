import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  frameRecord,
  frameRecords,
  maskedCrc32c,
  parseRecords,
  readRecordFile,
  TFRecordCorruptionError,
} from "../../src/log/index.ts";

const payloads = [new Uint8Array(0), new TextEncoder().encode("hello"), Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)];

test("tfrecord: framing layout", () => {
  const data = new TextEncoder().encode("abc");
  const rec = frameRecord(data);
  assert.equal(rec.length, 3 + 16);
  const view = new DataView(rec.buffer);
  assert.equal(view.getBigUint64(0, true), 3n);
  assert.equal(view.getUint32(8, true), maskedCrc32c(rec.subarray(0, 8)));
  assert.deepEqual([...rec.subarray(12, 15)], [...data]);
  assert.equal(view.getUint32(15, true), maskedCrc32c(data));
});

test("tfrecord: records round-trip", () => {
  const buf = frameRecords(payloads);
  const res = parseRecords(buf);
  assert.equal(res.truncatedAt, undefined);
  assert.equal(res.validLength, buf.length);
  assert.deepEqual(res.records.map((r) => [...r]), payloads.map((p) => [...p]));
});

test("tfrecord: a truncated last record is dropped, at every cut point", () => {
  const buf = frameRecords(payloads);
  const lastStart = buf.length - (payloads[2]!.length + 16);
  for (let cut = lastStart; cut < buf.length; cut++) {
    const res = parseRecords(buf.subarray(0, cut));
    if (cut === lastStart) {
      assert.equal(res.truncatedAt, undefined);
    } else {
      assert.equal(res.truncatedAt, lastStart, `cut at ${cut}`);
    }
    assert.equal(res.records.length, 2);
    assert.equal(res.validLength, lastStart);
  }
});

test("tfrecord: a corrupted byte in the middle gives a CRC error naming file and offset", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-log-"));
  const buf = frameRecords(payloads);
  const secondStart = payloads[0]!.length + 16;
  // Flip a data byte of the second record.
  const bad = buf.slice();
  bad[secondStart + 12 + 2]! ^= 0x40;
  const path = join(dir, "bad.tfrecord");
  writeFileSync(path, bad);
  assert.throws(
    () => readRecordFile(path),
    (err: unknown) => {
      assert.ok(err instanceof TFRecordCorruptionError);
      assert.equal(err.file, path);
      assert.equal(err.offset, secondStart);
      assert.match(err.message, /data CRC mismatch/);
      assert.ok(err.message.includes(path) && err.message.includes(`offset ${secondStart}`));
      return true;
    },
  );
  // Flip a length byte: the header CRC catches it.
  const bad2 = buf.slice();
  bad2[secondStart]! ^= 0x01;
  assert.throws(() => parseRecords(bad2, "x"), /x at byte offset 16: length CRC mismatch/);
  // Flip a footer byte.
  const bad3 = buf.slice();
  bad3[secondStart + 12 + 5]! ^= 0x80;
  assert.throws(() => parseRecords(bad3), TFRecordCorruptionError);
});
