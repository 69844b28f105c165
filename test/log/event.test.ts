import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  DataType,
  decodeEvent,
  decodeTensor,
  encodeEvent,
  encodeTensor,
  FILE_VERSION,
  scalarValue,
  tensorNumbers,
  tensorStrings,
  textValue,
} from "../../src/log/index.ts";

test("event: file_version event round-trips", () => {
  const e = decodeEvent(encodeEvent({ wallTime: 1712345678.125, step: 0, fileVersion: FILE_VERSION }));
  assert.deepEqual(e, { wallTime: 1712345678.125, step: 0, fileVersion: "brain.Event:2" });
});

test("event: file_version bytes match protobuf's canonical encoding", () => {
  // wall_time=1.5 (field 1, fixed64), file_version (field 3)
  const bytes = encodeEvent({ wallTime: 1.5, step: 0, fileVersion: "brain.Event:2" });
  const expected = [0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x1a, 13, ...new TextEncoder().encode("brain.Event:2")];
  assert.deepEqual([...bytes], expected);
});

test("event: scalars round-trip, values rounded to float32", () => {
  const values = [0, 1, -1, 0.1, 1 / 3, 1e-30, 3.4e38, -2.5e-7, NaN, Infinity, -Infinity];
  for (const [i, v] of values.entries()) {
    const step = i * 1000003;
    const e = decodeEvent(encodeEvent({ wallTime: 1e9 + i / 7, step, summary: [scalarValue(`loss/${i}`, v)] }));
    assert.equal(e.step, step);
    assert.equal(e.wallTime, 1e9 + i / 7);
    assert.equal(e.summary!.length, 1);
    assert.equal(e.summary![0]!.tag, `loss/${i}`);
    assert.ok(Object.is(e.summary![0]!.simpleValue, Math.fround(v)), `value ${v}`);
  }
});

test("event: a scalar beyond float32's range is stored as ±Infinity (as PyTorch's SummaryWriter writes it), never an encode error", () => {
  // protobuf's SafeDoubleToFloat (the rule PyTorch's writer goes through): round to nearest float32,
  // so just above float32's max still rounds to the max, and 1e300 becomes +inf.
  const FLOAT32_MAX = 3.4028234663852886e38;
  const cases: Array<[number, number]> = [
    [7.749e299, Infinity],
    [-1e300, -Infinity],
    [Number.MAX_VALUE, Infinity],
    [FLOAT32_MAX * (1 + 2 ** -26), FLOAT32_MAX],
    [1e-50, 0],
    [-1e-50, -0],
  ];
  for (const [v, stored] of cases) {
    const e = decodeEvent(encodeEvent({ wallTime: 1, step: 0, summary: [scalarValue("x", v)] }));
    assert.ok(Object.is(e.summary![0]!.simpleValue, stored), `${v} stored as ${e.summary![0]!.simpleValue}`);
  }
  const t = decodeTensor(encodeTensor({ dtype: DataType.DT_FLOAT, shape: [2], floatVal: [1e300, 0.5] }));
  assert.deepEqual(t.floatVal, [Infinity, 0.5]);
});

test("event: large and negative steps", () => {
  for (const step of [2 ** 40 + 3, Number.MAX_SAFE_INTEGER, -1, -(2 ** 40)]) {
    assert.equal(decodeEvent(encodeEvent({ wallTime: 1, step, summary: [] })).step, step);
  }
  assert.throws(() => encodeEvent({ wallTime: 1, step: 0.5 }), /safe integer/);
});

test("event: text summary is a DT_STRING tensor with text plugin metadata", () => {
  const v = textValue("fingerprint", "sha256:abc — ünïcode");
  const e = decodeEvent(encodeEvent({ wallTime: 2, step: 7, summary: [v] }));
  const got = e.summary![0]!;
  assert.equal(got.tag, "fingerprint");
  assert.equal(got.metadata?.pluginData?.pluginName, "text");
  assert.equal(got.tensor?.dtype, DataType.DT_STRING);
  assert.deepEqual(got.tensor?.shape, []);
  assert.deepEqual(tensorStrings(got.tensor!), ["sha256:abc — ünïcode"]);
});

test("tensor: numeric representations", () => {
  const t = decodeTensor(encodeTensor({ dtype: DataType.DT_FLOAT, shape: [2, 0, 3], floatVal: [1.5, -2] }));
  assert.deepEqual(t.shape, [2, 0, 3]);
  assert.deepEqual(tensorNumbers(t), [1.5, -2]);
  assert.deepEqual(tensorNumbers(decodeTensor(encodeTensor({ dtype: DataType.DT_DOUBLE, doubleVal: [0.1] }))), [0.1]);
  assert.deepEqual(tensorNumbers(decodeTensor(encodeTensor({ dtype: DataType.DT_INT64, int64Val: [-5, 2 ** 40] }))), [-5, 2 ** 40]);
  // tensor_content, as TensorFlow's C++ summary writers store it
  const content = new Uint8Array(4);
  new DataView(content.buffer).setFloat32(0, 0.75, true);
  assert.deepEqual(tensorNumbers(decodeTensor(encodeTensor({ dtype: DataType.DT_FLOAT, shape: [], tensorContent: content }))), [0.75]);
});

test("event: unknown fields (graph_def, histo, source_metadata) are skipped", () => {
  const w = new BinaryWriter();
  w.tag(1, WireType.Bit64).double(3);
  w.tag(2, WireType.Varint).int64(9);
  w.tag(10, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("writer").join();
  w.tag(5, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string("h");
  w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).double(0).join(); // histo
  w.join();
  w.tag(1, WireType.LengthDelimited).fork();
  w.tag(7, WireType.LengthDelimited).string("node"); // deprecated node_name
  w.tag(1, WireType.LengthDelimited).string("s");
  w.tag(2, WireType.Bit32).float(2.5);
  w.join();
  w.join();
  const e = decodeEvent(w.finish());
  assert.equal(e.step, 9);
  assert.deepEqual(e.summary, [{ tag: "h" }, { tag: "s", simpleValue: 2.5 }]);
});
