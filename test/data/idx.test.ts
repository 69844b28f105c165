import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeIdx, parseIdx, readIdx, writeIdx } from "../../src/data/host/idx.ts";
import { hostArray, type HostArray } from "../../src/data/host/array.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-idx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Builds IDX bytes by hand (independently of encodeIdx): header + big-endian payload. */
function handIdx(type: number, shape: number[], payload: number[], bytesPer: number, write: (v: DataView, o: number, x: number) => void): Uint8Array {
  const head = 4 + 4 * shape.length;
  const out = new Uint8Array(head + payload.length * bytesPer);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  payload.forEach((x, i) => write(v, head + i * bytesPer, x));
  return out;
}

test("reads hand-written raw and gzipped IDX files of every type", () => {
  const cases: [number, string, number, (v: DataView, o: number, x: number) => void, number[]][] = [
    [0x08, "uint8", 1, (v, o, x) => v.setUint8(o, x), [0, 1, 255, 7, 8, 9]],
    [0x09, "int8", 1, (v, o, x) => v.setInt8(o, x), [-128, -1, 0, 1, 127, 5]],
    [0x0b, "int16", 2, (v, o, x) => v.setInt16(o, x, false), [-32768, -2, 0, 300, 32767, 1]],
    [0x0c, "int32", 4, (v, o, x) => v.setInt32(o, x, false), [-(2 ** 31), -5, 0, 70000, 2 ** 31 - 1, 3]],
    [0x0d, "float32", 4, (v, o, x) => v.setFloat32(o, x, false), [1.5, -2.25, 0, 1e-3, 3.4e38, -0]],
    [0x0e, "float64", 8, (v, o, x) => v.setFloat64(o, x, false), [Math.PI, -1e300, 0, 1e-310, 2, 3]],
  ];
  for (const [type, dtype, size, write, values] of cases) {
    const bytes = handIdx(type, [2, 3], values, size, write);
    for (const gz of [false, true]) {
      const path = join(dir, `h-${dtype}-${gz}.idx${gz ? ".gz" : ""}`);
      writeFileSync(path, gz ? gzipSync(bytes) : bytes);
      const a = readIdx(path);
      assert.equal(a.dtype, dtype, path);
      assert.deepEqual(a.shape, [2, 3]);
      const expect = dtype === "float32" ? values.map(Math.fround) : values;
      assert.deepEqual([...(a.data as Float64Array)], expect, path);
    }
  }
});

test("gzip is detected by magic bytes, not the file name", () => {
  const a = hostArray(new Uint8Array([1, 2, 3]), [3]);
  const path = join(dir, "no-extension");
  writeIdx(path, a, { gzip: true });
  assert.equal(readFileSync(path)[0], 0x1f);
  assert.deepEqual([...readIdx(path).data], [1, 2, 3]);
});

test("writeIdx/readIdx round trip (3-d uint8, 0-d float64)", () => {
  const img: HostArray = hostArray(Uint8Array.from({ length: 2 * 4 * 5 }, (_, i) => i * 3), [2, 4, 5]);
  writeIdx(join(dir, "img.idx"), img);
  assert.deepEqual(readIdx(join(dir, "img.idx")), img);
  const scalar = hostArray(new Float64Array([42.5]), []);
  assert.deepEqual(parseIdx(encodeIdx(scalar)), scalar);
  assert.throws(() => encodeIdx(hostArray(new BigInt64Array(1), [1])), /IDX cannot store dtype int64/);
});

test("truncated and inconsistent files give clear errors", () => {
  const full = encodeIdx(hostArray(new Int32Array([1, 2, 3, 4]), [2, 2]));
  const p = join(dir, "trunc.idx");
  writeFileSync(p, full.subarray(0, full.length - 3));
  assert.throws(() => readIdx(p), (e: Error) => e.message.includes(p) && /truncated IDX file: shape \[2, 2\] of int32 needs 28 bytes, file has 25/.test(e.message));
  assert.throws(() => parseIdx(full.subarray(0, 9), "x.idx"), /x.idx: truncated IDX header/);
  assert.throws(() => parseIdx(full.subarray(0, 2), "x.idx"), /not an IDX file/);
  const extra = new Uint8Array(full.length + 1);
  extra.set(full);
  assert.throws(() => parseIdx(extra, "x.idx"), /inconsistent IDX file.*1 extra bytes/);
  const gz = gzipSync(full);
  writeFileSync(p, gz.subarray(0, gz.length - 10));
  assert.throws(() => readIdx(p), /gzip data is corrupt or truncated/);
  const badType = full.slice();
  badType[2] = 0x0a;
  assert.throws(() => parseIdx(badType, "x.idx"), /unknown IDX type byte 0x0a/);
  badType[0] = 7;
  assert.throws(() => parseIdx(badType, "x.idx"), /not an IDX file: magic starts with 0x07/);
  assert.throws(() => readIdx(join(dir, "nope.idx")), /cannot read IDX file .*nope.idx/);
});
