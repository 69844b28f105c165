/**
 * The TensorBoard messages twin needs (`Event`, `Summary`, `Summary.Value`,
 * `SummaryMetadata`, `TensorProto`) as plain objects, and their encoding and
 * decoding through the code protobuf-es generates from proto/event.proto
 * (src/log/generated/event_pb.ts). Unknown fields are skipped on decode, so
 * events written by TensorFlow, PyTorch or tensorboardX (graphs, histograms,
 * images...) decode without error; only the parts below are kept.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  DataClass,
  DataType,
  EventSchema,
  SummarySchema,
  TensorProtoSchema,
  type Summary_Value,
  type SummaryMetadata as SummaryMetadataMessage,
  type TensorProto as TensorProtoMessage,
} from "./generated/event_pb.ts";

/** TensorFlow's `DataType` (the element types twin uses) and TensorBoard's `DataClass`, as proto/event.proto declares them. */
export { DataClass, DataType } from "./generated/event_pb.ts";

/** The event file version string TensorBoard expects in the first event. */
export const FILE_VERSION = "brain.Event:2";

/** A `TensorProto`, restricted to the representations twin reads or writes. */
export interface TensorProto {
  /** TensorFlow dtype (see {@link DataType}). */
  dtype: number;
  /** Dimension sizes; `[]` is a scalar. Absent when the proto had no shape. */
  shape?: number[];
  /** Raw little-endian contents (TensorFlow's C++ writers use this). */
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  /** int64 values, converted to numbers (exact up to 2^53). */
  int64Val?: number[];
  stringVal?: Uint8Array[];
  boolVal?: boolean[];
}

/** `SummaryMetadata.PluginData`. */
export interface PluginData {
  pluginName: string;
  /** Plugin-specific bytes (usually a serialized proto). */
  content: Uint8Array;
}

/** `SummaryMetadata`. */
export interface SummaryMetadata {
  pluginData?: PluginData;
  displayName?: string;
  summaryDescription?: string;
  /** See {@link DataClass}. */
  dataClass?: number;
}

/** `Summary.Value`: one tagged value. Exactly one of `simpleValue`, `tensor` is normally set. */
export interface SummaryValue {
  tag: string;
  /** float32 scalar (rounded to float32 on encode: beyond ±3.4e38 it becomes ±Infinity). */
  simpleValue?: number;
  tensor?: TensorProto;
  metadata?: SummaryMetadata;
}

/** `Event`: either a file-version marker or a summary, at a wall time and step. */
export interface TBEvent {
  /** Seconds since the Unix epoch (fractional). */
  wallTime: number;
  /** Global step (an int64 on disk; exact up to 2^53). */
  step: number;
  fileVersion?: string;
  /** The values of a `Summary`. */
  summary?: SummaryValue[];
}

// ---------------------------------------------------------------- encode

const READ = { readUnknownFields: false };

type TensorInit = MessageInitShape<typeof TensorProtoSchema>;

/**
 * A float64 as the float32 a `float` proto field stores: rounded to nearest,
 * so a value beyond float32's range becomes ±Infinity and NaN stays NaN. This
 * is what protobuf's own SafeDoubleToFloat does (PyTorch's SummaryWriter, via
 * Python protobuf, writes 1e300 as +inf); protobuf-es instead throws on such
 * a value, which would stop the user's training over one logged number.
 */
function toFloat32(value: number): number {
  return Math.fround(value);
}
type ValueInit = MessageInitShape<typeof SummarySchema>["value"];

function tensorMessage(t: TensorProto): TensorInit {
  return {
    dtype: t.dtype,
    tensorShape: t.shape && { dim: t.shape.map((size) => ({ size: BigInt(size) })) },
    tensorContent: t.tensorContent,
    floatVal: t.floatVal?.map(toFloat32),
    doubleVal: t.doubleVal,
    intVal: t.intVal,
    stringVal: t.stringVal,
    int64Val: t.int64Val?.map((v) => BigInt(v)),
    boolVal: t.boolVal,
  };
}

function valueMessages(values: readonly SummaryValue[]): ValueInit {
  return values.map((v) => ({
    tag: v.tag,
    // simple_value and tensor are members of a oneof (written even when zero).
    value:
      v.simpleValue !== undefined
        ? { case: "simpleValue" as const, value: toFloat32(v.simpleValue) }
        : v.tensor
          ? { case: "tensor" as const, value: tensorMessage(v.tensor) }
          : undefined,
    metadata: v.metadata && {
      pluginData: v.metadata.pluginData,
      displayName: v.metadata.displayName,
      summaryDescription: v.metadata.summaryDescription,
      dataClass: v.metadata.dataClass,
    },
  }));
}

/** Serializes a `TensorProto`. */
export function encodeTensor(t: TensorProto): Uint8Array {
  return toBinary(TensorProtoSchema, create(TensorProtoSchema, tensorMessage(t)));
}

/** Serializes a `Summary` made of `values`. */
export function encodeSummary(values: readonly SummaryValue[]): Uint8Array {
  return toBinary(SummarySchema, create(SummarySchema, { value: valueMessages(values) }));
}

/** Serializes an `Event`. */
export function encodeEvent(e: TBEvent): Uint8Array {
  if (!Number.isSafeInteger(e.step)) throw new RangeError(`event step must be a safe integer, got ${e.step}`);
  const what =
    e.fileVersion !== undefined
      ? { case: "fileVersion" as const, value: e.fileVersion }
      : e.summary !== undefined
        ? { case: "summary" as const, value: { value: valueMessages(e.summary) } }
        : undefined;
  return toBinary(EventSchema, create(EventSchema, { wallTime: e.wallTime, step: BigInt(e.step), what }));
}

// ---------------------------------------------------------------- decode

function tensorFromMessage(m: TensorProtoMessage): TensorProto {
  const t: TensorProto = { dtype: m.dtype };
  if (m.tensorShape) t.shape = m.tensorShape.dim.map((d) => Number(d.size));
  if (m.tensorContent.length > 0) t.tensorContent = m.tensorContent;
  if (m.floatVal.length > 0) t.floatVal = m.floatVal;
  if (m.doubleVal.length > 0) t.doubleVal = m.doubleVal;
  if (m.intVal.length > 0) t.intVal = m.intVal;
  if (m.stringVal.length > 0) t.stringVal = m.stringVal;
  if (m.int64Val.length > 0) t.int64Val = m.int64Val.map(Number);
  if (m.boolVal.length > 0) t.boolVal = m.boolVal;
  return t;
}

function metadataFromMessage(m: SummaryMetadataMessage): SummaryMetadata {
  const out: SummaryMetadata = {};
  if (m.pluginData) out.pluginData = { pluginName: m.pluginData.pluginName, content: m.pluginData.content };
  if (m.displayName) out.displayName = m.displayName;
  if (m.summaryDescription) out.summaryDescription = m.summaryDescription;
  if (m.dataClass) out.dataClass = m.dataClass;
  return out;
}

function valueFromMessage(m: Summary_Value): SummaryValue {
  const v: SummaryValue = { tag: m.tag };
  if (m.value.case === "simpleValue") v.simpleValue = m.value.value;
  else if (m.value.case === "tensor") v.tensor = tensorFromMessage(m.value.value);
  if (m.metadata) v.metadata = metadataFromMessage(m.metadata);
  return v;
}

/** Parses a `TensorProto`. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return tensorFromMessage(fromBinary(TensorProtoSchema, bytes, READ));
}

/** Parses a `Summary` into its values. */
export function decodeSummary(bytes: Uint8Array): SummaryValue[] {
  return fromBinary(SummarySchema, bytes, READ).value.map(valueFromMessage);
}

/** Parses an `Event`. Fields other than those of {@link TBEvent} are skipped. */
export function decodeEvent(bytes: Uint8Array): TBEvent {
  const m = fromBinary(EventSchema, bytes, READ);
  const e: TBEvent = { wallTime: m.wallTime, step: Number(m.step) };
  if (m.what.case === "fileVersion") e.fileVersion = m.what.value;
  else if (m.what.case === "summary") e.summary = m.what.value.value.map(valueFromMessage);
  return e;
}

// ---------------------------------------------------------------- values

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Plugin name of TensorBoard's scalars plugin. */
export const SCALARS_PLUGIN = "scalars";
/** Plugin name of TensorBoard's text plugin. */
export const TEXT_PLUGIN = "text";

/**
 * A scalar summary value the way tensorboardX / PyTorch's SummaryWriter write
 * it: `simple_value` (float32), which TensorBoard migrates to its scalars
 * plugin on load. The stored value is `Math.fround(value)` (±Infinity beyond
 * float32's range, as PyTorch writes it; the run's metrics.jsonl keeps the float64).
 */
export function scalarValue(tag: string, value: number): SummaryValue {
  return { tag, simpleValue: value };
}

/**
 * A text summary value (TensorBoard's text plugin): a rank-0 `DT_STRING`
 * tensor with plugin metadata `text` (content: empty `TextPluginData`,
 * version 0). TensorBoard renders the text as Markdown.
 */
export function textValue(tag: string, text: string): SummaryValue {
  return {
    tag,
    tensor: { dtype: DataType.DT_STRING, shape: [], stringVal: [utf8.encode(text)] },
    metadata: {
      pluginData: { pluginName: TEXT_PLUGIN, content: new Uint8Array(0) },
      dataClass: DataClass.TENSOR,
    },
  };
}

/**
 * The numeric elements of a tensor, from whichever representation it uses
 * (`float_val`, `double_val`, `int_val`, `int64_val`, `bool_val` or
 * `tensor_content` for float/double/int32/int64). Strings give `[]`.
 */
export function tensorNumbers(t: TensorProto): number[] {
  if (t.tensorContent && t.tensorContent.length > 0) {
    const c = t.tensorContent;
    const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
    const out: number[] = [];
    switch (t.dtype) {
      case DataType.DT_FLOAT:
        for (let i = 0; i + 4 <= c.length; i += 4) out.push(view.getFloat32(i, true));
        return out;
      case DataType.DT_DOUBLE:
        for (let i = 0; i + 8 <= c.length; i += 8) out.push(view.getFloat64(i, true));
        return out;
      case DataType.DT_INT32:
        for (let i = 0; i + 4 <= c.length; i += 4) out.push(view.getInt32(i, true));
        return out;
      case DataType.DT_INT64:
        for (let i = 0; i + 8 <= c.length; i += 8) out.push(Number(view.getBigInt64(i, true)));
        return out;
      default:
        return out;
    }
  }
  if (t.floatVal) return t.floatVal;
  if (t.doubleVal) return t.doubleVal;
  if (t.intVal) return t.intVal;
  if (t.int64Val) return t.int64Val;
  if (t.boolVal) return t.boolVal.map((b) => (b ? 1 : 0));
  return [];
}

/** The string elements of a `DT_STRING` tensor, decoded as UTF-8. */
export function tensorStrings(t: TensorProto): string[] {
  return (t.stringVal ?? []).map((b) => utf8d.decode(b));
}
