/**
 * TensorBoard HParams plugin data as plain objects, encoded and decoded
 * through the code protobuf-es generates from proto/hparams.proto
 * (src/log/generated/hparams_pb.ts).
 *
 * How TensorBoard uses it: one run (twin uses the study directory) holds the
 * `_hparams_/experiment` summary that lists the hyper-parameters and metrics;
 * each session (a run directory, here `<study>/<variant>/seed-<n>`) holds
 * `_hparams_/session_start_info` with its hparam values and
 * `_hparams_/session_end_info` with its status. Metrics are ordinary scalar
 * tags of the session's run (MetricName group "" = the run itself).
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import type { Value, ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  HParamsPluginDataSchema,
  type Experiment as ExperimentMessage,
  type ExperimentSchema,
  type SessionStartInfo as SessionStartMessage,
} from "./generated/hparams_pb.ts";
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

function valueMessage(v: HParamValue): MessageInitShape<typeof ValueSchema> {
  if (typeof v === "number") return { kind: { case: "numberValue", value: v } };
  if (typeof v === "string") return { kind: { case: "stringValue", value: v } };
  if (typeof v === "boolean") return { kind: { case: "boolValue", value: v } };
  throw new TypeError(`hparam values must be string, number or boolean, got ${typeof v}`);
}

function experimentMessage(e: Experiment): MessageInitShape<typeof ExperimentSchema> {
  return {
    description: e.description,
    user: e.user,
    timeCreatedSecs: e.timeCreatedSecs,
    hparamInfos: e.hparamInfos.map((h) => ({
      name: h.name,
      displayName: h.displayName,
      description: h.description,
      type: h.type,
      domain: h.domainDiscrete
        ? { case: "domainDiscrete" as const, value: { values: h.domainDiscrete.map(valueMessage) } }
        : h.domainInterval
          ? { case: "domainInterval" as const, value: { minValue: h.domainInterval.min, maxValue: h.domainInterval.max } }
          : undefined,
    })),
    metricInfos: e.metricInfos.map((m) => ({
      name: { group: m.group, tag: m.tag },
      displayName: m.displayName,
      description: m.description,
      datasetType: m.datasetType,
    })),
    name: e.name,
  };
}

/** Serializes an `HParamsPluginData` message (the `content` of the plugin metadata). */
export function encodeHParamsPluginData(d: HParamsPluginData): Uint8Array {
  const data =
    d.kind === "experiment"
      ? { case: "experiment" as const, value: experimentMessage(d.experiment) }
      : d.kind === "sessionStart"
        ? {
            case: "sessionStartInfo" as const,
            value: { ...d.sessionStartInfo, hparams: Object.fromEntries(Object.entries(d.sessionStartInfo.hparams).map(([k, v]) => [k, valueMessage(v)])) },
          }
        : { case: "sessionEndInfo" as const, value: { status: STATUS_CODES[d.sessionEndInfo.status], endTimeSecs: d.sessionEndInfo.endTimeSecs } };
  return toBinary(HParamsPluginDataSchema, create(HParamsPluginDataSchema, { version: d.version, data }));
}

// ---------------------------------------------------------------- decode

/** A google.protobuf.Value; null, struct and list values (which twin never writes) give `undefined`. */
function valueFromMessage(v: Value): HParamValue | undefined {
  const k = v.kind;
  return k.case === "numberValue" || k.case === "stringValue" || k.case === "boolValue" ? k.value : undefined;
}

function experimentFromMessage(m: ExperimentMessage): Experiment {
  const e: Experiment = {
    hparamInfos: m.hparamInfos.map((x) => {
      const h: HParamInfo = { name: x.name };
      if (x.displayName) h.displayName = x.displayName;
      if (x.description) h.description = x.description;
      if (x.type) h.type = x.type as number as HParamDataTypeValue;
      if (x.domain.case === "domainDiscrete") h.domainDiscrete = x.domain.value.values.map(valueFromMessage).filter((v) => v !== undefined);
      else if (x.domain.case === "domainInterval") h.domainInterval = { min: x.domain.value.minValue, max: x.domain.value.maxValue };
      return h;
    }),
    metricInfos: m.metricInfos.map((x) => {
      const info: MetricInfo = { tag: x.name?.tag ?? "" };
      if (x.name?.group) info.group = x.name.group;
      if (x.displayName) info.displayName = x.displayName;
      if (x.description) info.description = x.description;
      if (x.datasetType) info.datasetType = x.datasetType;
      return info;
    }),
  };
  if (m.description) e.description = m.description;
  if (m.user) e.user = m.user;
  if (m.timeCreatedSecs) e.timeCreatedSecs = m.timeCreatedSecs;
  if (m.name) e.name = m.name;
  return e;
}

function sessionStartFromMessage(m: SessionStartMessage): SessionStartInfo {
  const s: SessionStartInfo = { hparams: {} };
  for (const [key, value] of Object.entries(m.hparams)) {
    const v = valueFromMessage(value);
    if (v !== undefined) s.hparams[key] = v;
  }
  if (m.modelUri) s.modelUri = m.modelUri;
  if (m.monitorUrl) s.monitorUrl = m.monitorUrl;
  if (m.groupName) s.groupName = m.groupName;
  if (m.startTimeSecs) s.startTimeSecs = m.startTimeSecs;
  return s;
}

/**
 * Parses an `HParamsPluginData` message.
 * @throws Error when none of experiment / session_start_info / session_end_info is set
 */
export function decodeHParamsPluginData(bytes: Uint8Array): HParamsPluginData {
  const m = fromBinary(HParamsPluginDataSchema, bytes, { readUnknownFields: false });
  const version = m.version;
  switch (m.data.case) {
    case "experiment":
      return { version, kind: "experiment", experiment: experimentFromMessage(m.data.value) };
    case "sessionStartInfo":
      return { version, kind: "sessionStart", sessionStartInfo: sessionStartFromMessage(m.data.value) };
    case "sessionEndInfo": {
      const end: SessionEndInfo = { status: STATUS_NAMES[m.data.value.status] ?? "unknown" };
      if (m.data.value.endTimeSecs) end.endTimeSecs = m.data.value.endTimeSecs;
      return { version, kind: "sessionEnd", sessionEndInfo: end };
    }
    default:
      throw new Error("HParamsPluginData has no experiment, session_start_info or session_end_info");
  }
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
