/**
 * TensorBoard HParams plugin data, encoded by hand
 * (tensorboard/plugins/hparams/{plugin_data,api}.proto, google/protobuf/struct.proto).
 *
 * ```
 * HParamsPluginData  version=1 (int32), oneof { experiment=2, session_start_info=3, session_end_info=4 }
 * Experiment         description=1, user=2, time_created_secs=3 (double),
 *                    hparam_infos=4, metric_infos=5, name=6
 * HParamInfo         name=1, display_name=2, description=3, type=4 (DataType),
 *                    oneof domain { domain_discrete=5 (ListValue), domain_interval=6 (Interval) }
 * Interval           min_value=1, max_value=2 (double)
 * MetricInfo         name=1 (MetricName {group=1, tag=2}), display_name=3,
 *                    description=4, dataset_type=5
 * SessionStartInfo   hparams=1 (map<string, Value>), model_uri=2, monitor_url=3,
 *                    group_name=4, start_time_secs=5 (double)
 * SessionEndInfo     status=1 (Status), end_time_secs=2 (double)
 * Value              oneof { null_value=1, number_value=2 (double), string_value=3,
 *                            bool_value=4, struct_value=5, list_value=6 }
 * ListValue          values=1
 * ```
 *
 * How TensorBoard uses it: one run (twin uses the study directory) holds the
 * `_hparams_/experiment` summary that lists the hyper-parameters and metrics;
 * each session (a run directory, here `<study>/<variant>/seed-<n>`) holds
 * `_hparams_/session_start_info` with its hparam values and
 * `_hparams_/session_end_info` with its status. Metrics are ordinary scalar
 * tags of the session's run (MetricName group "" = the run itself).
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { DataType, type SummaryValue } from "./event.ts";

/** Plugin name of TensorBoard's HParams plugin. */
export const HPARAMS_PLUGIN = "hparams";
/** Version of HParamsPluginData that TensorBoard accepts. */
export const HPARAMS_PLUGIN_DATA_VERSION = 0;
/** Tag of the experiment summary. */
export const HPARAMS_EXPERIMENT_TAG = "_hparams_/experiment";
/** Tag of the per-session start summary. */
export const HPARAMS_SESSION_START_TAG = "_hparams_/session_start_info";
/** Tag of the per-session end summary. */
export const HPARAMS_SESSION_END_TAG = "_hparams_/session_end_info";

/** A hyper-parameter value, as the HParams plugin supports them. */
export type HParamValue = string | number | boolean;
/** Hyper-parameter values of one session, by name. */
export type HParams = Record<string, HParamValue>;

/** api.proto `DataType` of a hyper-parameter. */
export const HParamDataType = {
  UNSET: 0,
  STRING: 1,
  BOOL: 2,
  FLOAT64: 3,
} as const;
/** One of the {@link HParamDataType} values. */
export type HParamDataTypeValue = (typeof HParamDataType)[keyof typeof HParamDataType];

/** api.proto `DatasetType` of a metric. */
export const DatasetType = {
  UNKNOWN: 0,
  TRAINING: 1,
  VALIDATION: 2,
} as const;

/** api.proto `Status` of a session. */
export type SessionStatus = "unknown" | "success" | "failure" | "running";
const STATUS_CODES: Record<SessionStatus, number> = { unknown: 0, success: 1, failure: 2, running: 3 };
const STATUS_NAMES: SessionStatus[] = ["unknown", "success", "failure", "running"];

/** `HParamInfo`: declares one hyper-parameter of the experiment. */
export interface HParamInfo {
  name: string;
  displayName?: string;
  description?: string;
  type?: HParamDataTypeValue;
  /** Discrete domain (the set of values seen or allowed). */
  domainDiscrete?: HParamValue[];
  /** Numeric interval domain; used when `domainDiscrete` is absent. */
  domainInterval?: { min: number; max: number };
}

/** `MetricInfo`: declares one metric (a scalar tag) of the experiment. */
export interface MetricInfo {
  /** The scalar tag, e.g. `val/accuracy`. */
  tag: string;
  /** Sub-directory of the session run that holds the tag; "" = the run itself. */
  group?: string;
  displayName?: string;
  description?: string;
  /** See {@link DatasetType}. */
  datasetType?: number;
}

/** `Experiment`: the hyper-parameters and metrics the HParams tab shows. */
export interface Experiment {
  name?: string;
  description?: string;
  user?: string;
  timeCreatedSecs?: number;
  hparamInfos: HParamInfo[];
  metricInfos: MetricInfo[];
}

/** `SessionStartInfo`: one run's hyper-parameter values. */
export interface SessionStartInfo {
  hparams: HParams;
  modelUri?: string;
  monitorUrl?: string;
  /** Sessions with the same group name are seeds of one configuration. */
  groupName?: string;
  startTimeSecs?: number;
}

/** `SessionEndInfo`: how a run ended. */
export interface SessionEndInfo {
  status: SessionStatus;
  endTimeSecs?: number;
}

/** `HParamsPluginData`, with its `data` oneof as a tagged union. */
export type HParamsPluginData =
  | { version: number; kind: "experiment"; experiment: Experiment }
  | { version: number; kind: "sessionStart"; sessionStartInfo: SessionStartInfo }
  | { version: number; kind: "sessionEnd"; sessionEndInfo: SessionEndInfo };

// ---------------------------------------------------------------- encode

function writeProtoValue(w: BinaryWriter, v: HParamValue): void {
  // Oneof members: always written, even when 0 / "" / false.
  if (typeof v === "number") w.tag(2, WireType.Bit64).double(v);
  else if (typeof v === "string") w.tag(3, WireType.LengthDelimited).string(v);
  else if (typeof v === "boolean") w.tag(4, WireType.Varint).bool(v);
  else throw new TypeError(`hparam values must be string, number or boolean, got ${typeof v}`);
}

function writeExperiment(w: BinaryWriter, e: Experiment): void {
  if (e.description) w.tag(1, WireType.LengthDelimited).string(e.description);
  if (e.user) w.tag(2, WireType.LengthDelimited).string(e.user);
  if (e.timeCreatedSecs) w.tag(3, WireType.Bit64).double(e.timeCreatedSecs);
  for (const h of e.hparamInfos) {
    w.tag(4, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(h.name);
    if (h.displayName) w.tag(2, WireType.LengthDelimited).string(h.displayName);
    if (h.description) w.tag(3, WireType.LengthDelimited).string(h.description);
    if (h.type) w.tag(4, WireType.Varint).int32(h.type);
    if (h.domainDiscrete) {
      w.tag(5, WireType.LengthDelimited).fork();
      for (const v of h.domainDiscrete) {
        w.tag(1, WireType.LengthDelimited).fork();
        writeProtoValue(w, v);
        w.join();
      }
      w.join();
    } else if (h.domainInterval) {
      w.tag(6, WireType.LengthDelimited).fork();
      w.tag(1, WireType.Bit64).double(h.domainInterval.min);
      w.tag(2, WireType.Bit64).double(h.domainInterval.max);
      w.join();
    }
    w.join();
  }
  for (const m of e.metricInfos) {
    w.tag(5, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).fork();
    if (m.group) w.tag(1, WireType.LengthDelimited).string(m.group);
    w.tag(2, WireType.LengthDelimited).string(m.tag);
    w.join();
    if (m.displayName) w.tag(3, WireType.LengthDelimited).string(m.displayName);
    if (m.description) w.tag(4, WireType.LengthDelimited).string(m.description);
    if (m.datasetType) w.tag(5, WireType.Varint).int32(m.datasetType);
    w.join();
  }
  if (e.name) w.tag(6, WireType.LengthDelimited).string(e.name);
}

function writeSessionStart(w: BinaryWriter, s: SessionStartInfo): void {
  for (const [key, value] of Object.entries(s.hparams)) {
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(key);
    w.tag(2, WireType.LengthDelimited).fork();
    writeProtoValue(w, value);
    w.join();
    w.join();
  }
  if (s.modelUri) w.tag(2, WireType.LengthDelimited).string(s.modelUri);
  if (s.monitorUrl) w.tag(3, WireType.LengthDelimited).string(s.monitorUrl);
  if (s.groupName) w.tag(4, WireType.LengthDelimited).string(s.groupName);
  if (s.startTimeSecs) w.tag(5, WireType.Bit64).double(s.startTimeSecs);
}

/** Serializes an `HParamsPluginData` message (the `content` of the plugin metadata). */
export function encodeHParamsPluginData(d: HParamsPluginData): Uint8Array {
  const w = new BinaryWriter();
  if (d.version !== 0) w.tag(1, WireType.Varint).int32(d.version);
  switch (d.kind) {
    case "experiment":
      w.tag(2, WireType.LengthDelimited).fork();
      writeExperiment(w, d.experiment);
      w.join();
      break;
    case "sessionStart":
      w.tag(3, WireType.LengthDelimited).fork();
      writeSessionStart(w, d.sessionStartInfo);
      w.join();
      break;
    case "sessionEnd":
      w.tag(4, WireType.LengthDelimited).fork();
      if (d.sessionEndInfo.status !== "unknown") w.tag(1, WireType.Varint).int32(STATUS_CODES[d.sessionEndInfo.status]);
      if (d.sessionEndInfo.endTimeSecs) w.tag(2, WireType.Bit64).double(d.sessionEndInfo.endTimeSecs);
      w.join();
      break;
  }
  return w.finish();
}

// ---------------------------------------------------------------- decode

/**
 * Reads a google.protobuf.Value. Null, struct and list values (which twin
 * never writes) give `undefined`.
 */
function readProtoValue(bytes: Uint8Array): HParamValue | undefined {
  const r = new BinaryReader(bytes);
  let v: HParamValue | undefined;
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 2 && wt === WireType.Bit64) v = r.double();
    else if (f === 3 && wt === WireType.LengthDelimited) v = r.string();
    else if (f === 4 && wt === WireType.Varint) v = r.bool();
    else {
      r.skip(wt, f);
      v = undefined;
    }
  }
  return v;
}

function readExperiment(bytes: Uint8Array): Experiment {
  const r = new BinaryReader(bytes);
  const e: Experiment = { hparamInfos: [], metricInfos: [] };
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LengthDelimited) e.description = r.string();
    else if (f === 2 && wt === WireType.LengthDelimited) e.user = r.string();
    else if (f === 3 && wt === WireType.Bit64) e.timeCreatedSecs = r.double();
    else if (f === 6 && wt === WireType.LengthDelimited) e.name = r.string();
    else if (f === 4 && wt === WireType.LengthDelimited) {
      const hr = new BinaryReader(r.bytes());
      const h: HParamInfo = { name: "" };
      while (hr.pos < hr.len) {
        const [hf, hwt] = hr.tag();
        if (hf === 1 && hwt === WireType.LengthDelimited) h.name = hr.string();
        else if (hf === 2 && hwt === WireType.LengthDelimited) h.displayName = hr.string();
        else if (hf === 3 && hwt === WireType.LengthDelimited) h.description = hr.string();
        else if (hf === 4 && hwt === WireType.Varint) h.type = hr.int32() as HParamDataTypeValue;
        else if (hf === 5 && hwt === WireType.LengthDelimited) {
          const lr = new BinaryReader(hr.bytes());
          const values: HParamValue[] = [];
          while (lr.pos < lr.len) {
            const [lf, lwt] = lr.tag();
            if (lf === 1 && lwt === WireType.LengthDelimited) {
              const v = readProtoValue(lr.bytes());
              if (v !== undefined) values.push(v);
            } else lr.skip(lwt, lf);
          }
          h.domainDiscrete = values;
        } else if (hf === 6 && hwt === WireType.LengthDelimited) {
          const ir = new BinaryReader(hr.bytes());
          const interval = { min: 0, max: 0 };
          while (ir.pos < ir.len) {
            const [inf, iwt] = ir.tag();
            if (inf === 1 && iwt === WireType.Bit64) interval.min = ir.double();
            else if (inf === 2 && iwt === WireType.Bit64) interval.max = ir.double();
            else ir.skip(iwt, inf);
          }
          h.domainInterval = interval;
        } else hr.skip(hwt, hf);
      }
      e.hparamInfos.push(h);
    } else if (f === 5 && wt === WireType.LengthDelimited) {
      const mr = new BinaryReader(r.bytes());
      const m: MetricInfo = { tag: "" };
      while (mr.pos < mr.len) {
        const [mf, mwt] = mr.tag();
        if (mf === 1 && mwt === WireType.LengthDelimited) {
          const nr = new BinaryReader(mr.bytes());
          while (nr.pos < nr.len) {
            const [nf, nwt] = nr.tag();
            if (nf === 1 && nwt === WireType.LengthDelimited) m.group = nr.string();
            else if (nf === 2 && nwt === WireType.LengthDelimited) m.tag = nr.string();
            else nr.skip(nwt, nf);
          }
        } else if (mf === 3 && mwt === WireType.LengthDelimited) m.displayName = mr.string();
        else if (mf === 4 && mwt === WireType.LengthDelimited) m.description = mr.string();
        else if (mf === 5 && mwt === WireType.Varint) m.datasetType = mr.int32();
        else mr.skip(mwt, mf);
      }
      e.metricInfos.push(m);
    } else r.skip(wt, f);
  }
  return e;
}

function readSessionStart(bytes: Uint8Array): SessionStartInfo {
  const r = new BinaryReader(bytes);
  const s: SessionStartInfo = { hparams: {} };
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LengthDelimited) {
      const er = new BinaryReader(r.bytes());
      let key = "";
      let value: HParamValue | undefined;
      while (er.pos < er.len) {
        const [ef, ewt] = er.tag();
        if (ef === 1 && ewt === WireType.LengthDelimited) key = er.string();
        else if (ef === 2 && ewt === WireType.LengthDelimited) value = readProtoValue(er.bytes());
        else er.skip(ewt, ef);
      }
      if (value !== undefined) s.hparams[key] = value;
    } else if (f === 2 && wt === WireType.LengthDelimited) s.modelUri = r.string();
    else if (f === 3 && wt === WireType.LengthDelimited) s.monitorUrl = r.string();
    else if (f === 4 && wt === WireType.LengthDelimited) s.groupName = r.string();
    else if (f === 5 && wt === WireType.Bit64) s.startTimeSecs = r.double();
    else r.skip(wt, f);
  }
  return s;
}

function readSessionEnd(bytes: Uint8Array): SessionEndInfo {
  const r = new BinaryReader(bytes);
  const s: SessionEndInfo = { status: "unknown" };
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.Varint) s.status = STATUS_NAMES[r.int32()] ?? "unknown";
    else if (f === 2 && wt === WireType.Bit64) s.endTimeSecs = r.double();
    else r.skip(wt, f);
  }
  return s;
}

/**
 * Parses an `HParamsPluginData` message.
 * @throws Error when none of experiment / session_start_info / session_end_info is set
 */
export function decodeHParamsPluginData(bytes: Uint8Array): HParamsPluginData {
  const r = new BinaryReader(bytes);
  let version = 0;
  let data: HParamsPluginData | undefined;
  while (r.pos < r.len) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.Varint) version = r.int32();
    else if (f === 2 && wt === WireType.LengthDelimited) data = { version: 0, kind: "experiment", experiment: readExperiment(r.bytes()) };
    else if (f === 3 && wt === WireType.LengthDelimited)
      data = { version: 0, kind: "sessionStart", sessionStartInfo: readSessionStart(r.bytes()) };
    else if (f === 4 && wt === WireType.LengthDelimited)
      data = { version: 0, kind: "sessionEnd", sessionEndInfo: readSessionEnd(r.bytes()) };
    else r.skip(wt, f);
  }
  if (!data) throw new Error("HParamsPluginData has no experiment, session_start_info or session_end_info");
  data.version = version;
  return data;
}

// ---------------------------------------------------------------- summary values

/**
 * The tensor every hparams summary carries (its contents are ignored): a
 * length-0 float vector, as TensorBoard's own `NULL_TENSOR`.
 */
function nullTensor() {
  return { dtype: DataType.DT_FLOAT, shape: [0] };
}

function hparamsValue(tag: string, data: HParamsPluginData): SummaryValue {
  return {
    tag,
    tensor: nullTensor(),
    metadata: { pluginData: { pluginName: HPARAMS_PLUGIN, content: encodeHParamsPluginData(data) } },
  };
}

/** The `_hparams_/experiment` summary value. */
export function hparamsExperimentValue(experiment: Experiment): SummaryValue {
  return hparamsValue(HPARAMS_EXPERIMENT_TAG, { version: HPARAMS_PLUGIN_DATA_VERSION, kind: "experiment", experiment });
}

/** The `_hparams_/session_start_info` summary value. */
export function hparamsSessionStartValue(info: SessionStartInfo): SummaryValue {
  return hparamsValue(HPARAMS_SESSION_START_TAG, {
    version: HPARAMS_PLUGIN_DATA_VERSION,
    kind: "sessionStart",
    sessionStartInfo: info,
  });
}

/** The `_hparams_/session_end_info` summary value. */
export function hparamsSessionEndValue(info: SessionEndInfo): SummaryValue {
  return hparamsValue(HPARAMS_SESSION_END_TAG, {
    version: HPARAMS_PLUGIN_DATA_VERSION,
    kind: "sessionEnd",
    sessionEndInfo: info,
  });
}

// ---------------------------------------------------------------- helpers

function typeOf(v: HParamValue): HParamDataTypeValue {
  return typeof v === "number" ? HParamDataType.FLOAT64 : typeof v === "boolean" ? HParamDataType.BOOL : HParamDataType.STRING;
}

/**
 * Infers `HParamInfo`s from the hparams of several sessions, as TensorBoard
 * does when no experiment is written: a name whose values share one type gets
 * that type, mixed types become STRING; numbers get an interval domain,
 * strings and booleans a discrete domain of the distinct values (sorted).
 * Names are sorted.
 */
export function inferHParamInfos(sessions: readonly HParams[]): HParamInfo[] {
  const byName = new Map<string, HParamValue[]>();
  for (const s of sessions) for (const [k, v] of Object.entries(s)) (byName.get(k) ?? byName.set(k, []).get(k)!).push(v);
  const infos: HParamInfo[] = [];
  for (const name of [...byName.keys()].sort()) {
    const values = byName.get(name)!;
    let type: HParamDataTypeValue = typeOf(values[0]!);
    if (values.some((v) => typeOf(v) !== type)) type = HParamDataType.STRING;
    const info: HParamInfo = { name, type };
    if (type === HParamDataType.FLOAT64) {
      const nums = values as number[];
      info.domainInterval = { min: Math.min(...nums), max: Math.max(...nums) };
    } else if (type === HParamDataType.BOOL) {
      info.domainDiscrete = [...new Set(values as boolean[])].sort();
    } else {
      info.domainDiscrete = [...new Set(values.map(String))].sort();
    }
    infos.push(info);
  }
  return infos;
}

/**
 * Merges two experiments: hparam domains are united (retyping to STRING when
 * the types disagree), metrics are united by (group, tag). Other fields come
 * from `a` unless empty there.
 */
export function mergeExperiments(a: Experiment, b: Experiment): Experiment {
  const samples = new Map<string, HParamValue[]>();
  const extra = new Map<string, HParamInfo>();
  for (const h of [...a.hparamInfos, ...b.hparamInfos]) {
    const list = samples.get(h.name) ?? [];
    if (h.domainDiscrete) list.push(...h.domainDiscrete);
    if (h.domainInterval) list.push(h.domainInterval.min, h.domainInterval.max);
    samples.set(h.name, list);
    if (!extra.has(h.name)) extra.set(h.name, h);
  }
  const hparamInfos: HParamInfo[] = [];
  for (const [name, values] of [...samples.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const base = extra.get(name)!;
    const inferred = values.length > 0 ? inferHParamInfos(values.map((v) => ({ [name]: v })))[0]! : { name, type: base.type };
    const merged: HParamInfo = { name, type: inferred.type };
    if (inferred.domainDiscrete) merged.domainDiscrete = inferred.domainDiscrete;
    if (inferred.domainInterval) merged.domainInterval = inferred.domainInterval;
    if (base.displayName) merged.displayName = base.displayName;
    if (base.description) merged.description = base.description;
    hparamInfos.push(merged);
  }
  const metricInfos: MetricInfo[] = [];
  const seen = new Set<string>();
  for (const m of [...a.metricInfos, ...b.metricInfos]) {
    const key = `${m.group ?? ""}\u0000${m.tag}`;
    if (seen.has(key)) continue;
    seen.add(key);
    metricInfos.push(m);
  }
  const out: Experiment = { hparamInfos, metricInfos };
  const name = a.name || b.name;
  const description = a.description || b.description;
  const user = a.user || b.user;
  const time = a.timeCreatedSecs || b.timeCreatedSecs;
  if (name) out.name = name;
  if (description) out.description = description;
  if (user) out.user = user;
  if (time) out.timeCreatedSecs = time;
  return out;
}

/** True when two experiments serialize to the same bytes (same hparams, domains, metrics, in order). */
export function sameExperiment(a: Experiment, b: Experiment): boolean {
  const x = encodeHParamsPluginData({ version: 0, kind: "experiment", experiment: a });
  const y = encodeHParamsPluginData({ version: 0, kind: "experiment", experiment: b });
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}
