/**
 * Hand-written protobuf encoding and decoding of the few TensorBoard messages
 * twin needs: `Event`, `Summary`, `Summary.Value`, `SummaryMetadata` and
 * `TensorProto` (tensorboard/compat/proto/{event,summary,tensor}.proto).
 *
 * Field numbers used:
 *
 * ```
 * Event            wall_time=1 (double), step=2 (int64), file_version=3, summary=5
 * Summary          value=1 (repeated)
 * Summary.Value    tag=1, simple_value=2 (float), tensor=8, metadata=9
 * SummaryMetadata  plugin_data=1 {plugin_name=1, content=2}, display_name=2,
 *                  summary_description=3, data_class=4
 * TensorProto      dtype=1, tensor_shape=2 {dim=2 {size=1, name=2}}, tensor_content=4,
 *                  float_val=5, double_val=6, int_val=7, string_val=8,
 *                  int64_val=10, bool_val=11
 * ```
 *
 * Unknown fields are skipped on decode, so events written by TensorFlow,
 * PyTorch or tensorboardX (graphs, histograms, images…) decode without error;
 * only the parts above are kept.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/** TensorFlow `DataType` enum values used here (tensorboard/compat/proto/types.proto). */
export const DataType = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_STRING: 7,
  DT_INT64: 9,
  DT_BOOL: 10,
} as const;

/** `DataClass` of a summary time series (summary.proto). */
export const DataClass = {
  DATA_CLASS_UNKNOWN: 0,
  DATA_CLASS_SCALAR: 1,
  DATA_CLASS_TENSOR: 2,
  DATA_CLASS_BLOB_SEQUENCE: 3,
} as const;

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
  /** float32 scalar (the value is rounded to float32 on encode). */
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

function writeTensor(w: BinaryWriter, t: TensorProto): void {
  if (t.dtype !== 0) w.tag(1, WireType.Varint).int32(t.dtype);
  if (t.shape) {
    w.tag(2, WireType.LengthDelimited).fork();
    for (const size of t.shape) {
      w.tag(2, WireType.LengthDelimited).fork();
      if (size !== 0) w.tag(1, WireType.Varint).int64(size);
      w.join();
    }
    w.join();
  }
  if (t.tensorContent && t.tensorContent.length > 0) w.tag(4, WireType.LengthDelimited).bytes(t.tensorContent);
  if (t.floatVal && t.floatVal.length > 0) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const v of t.floatVal) w.float(v);
    w.join();
  }
  if (t.doubleVal && t.doubleVal.length > 0) {
    w.tag(6, WireType.LengthDelimited).fork();
    for (const v of t.doubleVal) w.double(v);
    w.join();
  }
  if (t.intVal && t.intVal.length > 0) {
    w.tag(7, WireType.LengthDelimited).fork();
    for (const v of t.intVal) w.int32(v);
    w.join();
  }
  for (const s of t.stringVal ?? []) w.tag(8, WireType.LengthDelimited).bytes(s);
  if (t.int64Val && t.int64Val.length > 0) {
    w.tag(10, WireType.LengthDelimited).fork();
    for (const v of t.int64Val) w.int64(v);
    w.join();
  }
  if (t.boolVal && t.boolVal.length > 0) {
    w.tag(11, WireType.LengthDelimited).fork();
    for (const v of t.boolVal) w.bool(v);
    w.join();
  }
}

function writeMetadata(w: BinaryWriter, m: SummaryMetadata): void {
  if (m.pluginData) {
    w.tag(1, WireType.LengthDelimited).fork();
    if (m.pluginData.pluginName) w.tag(1, WireType.LengthDelimited).string(m.pluginData.pluginName);
    if (m.pluginData.content.length > 0) w.tag(2, WireType.LengthDelimited).bytes(m.pluginData.content);
    w.join();
  }
  if (m.displayName) w.tag(2, WireType.LengthDelimited).string(m.displayName);
  if (m.summaryDescription) w.tag(3, WireType.LengthDelimited).string(m.summaryDescription);
  if (m.dataClass) w.tag(4, WireType.Varint).int32(m.dataClass);
}

function writeValue(w: BinaryWriter, v: SummaryValue): void {
  if (v.tag) w.tag(1, WireType.LengthDelimited).string(v.tag);
  // simple_value and tensor are members of a oneof: written even when zero.
  if (v.simpleValue !== undefined) w.tag(2, WireType.Bit32).float(v.simpleValue);
  if (v.tensor) {
    w.tag(8, WireType.LengthDelimited).fork();
    writeTensor(w, v.tensor);
    w.join();
  }
  if (v.metadata) {
    w.tag(9, WireType.LengthDelimited).fork();
    writeMetadata(w, v.metadata);
    w.join();
  }
}

/** Serializes a `TensorProto`. */
export function encodeTensor(t: TensorProto): Uint8Array {
  const w = new BinaryWriter();
  writeTensor(w, t);
  return w.finish();
}

/** Serializes a `Summary` made of `values`. */
export function encodeSummary(values: readonly SummaryValue[]): Uint8Array {
  const w = new BinaryWriter();
  for (const v of values) {
    w.tag(1, WireType.LengthDelimited).fork();
    writeValue(w, v);
    w.join();
  }
  return w.finish();
}

/** Serializes an `Event`. */
export function encodeEvent(e: TBEvent): Uint8Array {
  if (!Number.isSafeInteger(e.step)) throw new RangeError(`event step must be a safe integer, got ${e.step}`);
  const w = new BinaryWriter();
  if (e.wallTime !== 0) w.tag(1, WireType.Bit64).double(e.wallTime);
  if (e.step !== 0) w.tag(2, WireType.Varint).int64(e.step);
  if (e.fileVersion !== undefined) w.tag(3, WireType.LengthDelimited).string(e.fileVersion);
  if (e.summary !== undefined) w.tag(5, WireType.LengthDelimited).bytes(encodeSummary(e.summary));
  return w.finish();
}

// ---------------------------------------------------------------- decode

function readPackedOrSingle<T>(r: BinaryReader, wt: WireType, one: (r: BinaryReader) => T, out: T[]): void {
  if (wt === WireType.LengthDelimited) {
    const sub = new BinaryReader(r.bytes());
    while (sub.pos < sub.len) out.push(one(sub));
  } else {
    out.push(one(r));
  }
}

/** Parses a `TensorProto`. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  const r = new BinaryReader(bytes);
  const t: TensorProto = { dtype: 0 };
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    switch (f) {
      case 1:
        t.dtype = r.int32();
        break;
      case 2: {
        const shape: number[] = [];
        const sr = new BinaryReader(r.bytes());
        while (sr.pos < sr.len) {
          const [sf, swt] = sr.tag();
          if (sf === 2 && swt === WireType.LengthDelimited) {
            const dr = new BinaryReader(sr.bytes());
            let size = 0;
            while (dr.pos < dr.len) {
              const [df, dwt] = dr.tag();
              if (df === 1 && dwt === WireType.Varint) size = Number(dr.int64());
              else dr.skip(dwt, df);
            }
            shape.push(size);
          } else sr.skip(swt, sf);
        }
        t.shape = shape;
        break;
      }
      case 4:
        t.tensorContent = r.bytes();
        break;
      case 5:
        readPackedOrSingle(r, wt, (x) => x.float(), (t.floatVal ??= []));
        break;
      case 6:
        readPackedOrSingle(r, wt, (x) => x.double(), (t.doubleVal ??= []));
        break;
      case 7:
        readPackedOrSingle(r, wt, (x) => x.int32(), (t.intVal ??= []));
        break;
      case 8:
        (t.stringVal ??= []).push(r.bytes());
        break;
      case 10:
        readPackedOrSingle(r, wt, (x) => Number(x.int64()), (t.int64Val ??= []));
        break;
      case 11:
        readPackedOrSingle(r, wt, (x) => x.bool(), (t.boolVal ??= []));
        break;
      default:
        r.skip(wt, f);
    }
  }
  return t;
}

function decodeMetadata(bytes: Uint8Array): SummaryMetadata {
  const r = new BinaryReader(bytes);
  const m: SummaryMetadata = {};
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LengthDelimited) {
      const pr = new BinaryReader(r.bytes());
      const pd: PluginData = { pluginName: "", content: new Uint8Array(0) };
      while (pr.pos < pr.len) {
        const [pf, pwt] = pr.tag();
        if (pf === 1 && pwt === WireType.LengthDelimited) pd.pluginName = pr.string();
        else if (pf === 2 && pwt === WireType.LengthDelimited) pd.content = pr.bytes();
        else pr.skip(pwt, pf);
      }
      m.pluginData = pd;
    } else if (f === 2 && wt === WireType.LengthDelimited) m.displayName = r.string();
    else if (f === 3 && wt === WireType.LengthDelimited) m.summaryDescription = r.string();
    else if (f === 4 && wt === WireType.Varint) m.dataClass = r.int32();
    else r.skip(wt, f);
  }
  return m;
}

function decodeValue(bytes: Uint8Array): SummaryValue {
  const r = new BinaryReader(bytes);
  const v: SummaryValue = { tag: "" };
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LengthDelimited) v.tag = r.string();
    else if (f === 2 && wt === WireType.Bit32) v.simpleValue = r.float();
    else if (f === 8 && wt === WireType.LengthDelimited) v.tensor = decodeTensor(r.bytes());
    else if (f === 9 && wt === WireType.LengthDelimited) v.metadata = decodeMetadata(r.bytes());
    else r.skip(wt, f);
  }
  return v;
}

/** Parses a `Summary` into its values. */
export function decodeSummary(bytes: Uint8Array): SummaryValue[] {
  const r = new BinaryReader(bytes);
  const values: SummaryValue[] = [];
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LengthDelimited) values.push(decodeValue(r.bytes()));
    else r.skip(wt, f);
  }
  return values;
}

/** Parses an `Event`. Fields other than those of {@link TBEvent} are skipped. */
export function decodeEvent(bytes: Uint8Array): TBEvent {
  const r = new BinaryReader(bytes);
  const e: TBEvent = { wallTime: 0, step: 0 };
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.Bit64) e.wallTime = r.double();
    else if (f === 2 && wt === WireType.Varint) e.step = Number(r.int64());
    else if (f === 3 && wt === WireType.LengthDelimited) e.fileVersion = r.string();
    else if (f === 5 && wt === WireType.LengthDelimited) e.summary = decodeSummary(r.bytes());
    else r.skip(wt, f);
  }
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
 * plugin on load. The stored value is `Math.fround(value)`.
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
      dataClass: DataClass.DATA_CLASS_TENSOR,
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
