import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import {
  decodeEvent,
  decodeHParamsPluginData,
  encodeEvent,
  encodeHParamsPluginData,
  HParamDataType,
  hparamsExperimentValue,
  hparamsSessionStartValue,
  inferHParamInfos,
  mergeExperiments,
  type Experiment,
  type HParamsPluginData,
} from "../../src/log/index.ts";

test("hparams: session start info with mixed-type values round-trips", () => {
  const data: HParamsPluginData = {
    version: 0,
    kind: "sessionStart",
    sessionStartInfo: {
      hparams: { lr: 0.001, layers: 3, zero: 0, opt: "adam", empty: "", dropout: true, bn: false, neg: -1.5e-300 },
      groupName: "fmnist/dropout",
      startTimeSecs: 1712345678.5,
      modelUri: "file:///tmp/ckpt",
    },
  };
  assert.deepEqual(decodeHParamsPluginData(encodeHParamsPluginData(data)), data);
});

test("hparams: field numbers on the wire (HParamsPluginData.session_start_info=3, map entry, Value oneof)", () => {
  const bytes = encodeHParamsPluginData({
    version: 0,
    kind: "sessionStart",
    sessionStartInfo: { hparams: { a: 2, b: "x", c: true }, groupName: "g" },
  });
  const r = new BinaryReader(bytes);
  const [f, wt] = r.tag();
  assert.deepEqual([f, wt], [3, WireType.LengthDelimited]);
  const s = new BinaryReader(r.bytes());
  const kinds: string[] = [];
  while (s.pos < s.len) {
    const [sf] = s.tag();
    if (sf === 1) {
      const entry = new BinaryReader(s.bytes());
      const [kf] = entry.tag();
      assert.equal(kf, 1);
      const key = entry.string();
      const [vf] = entry.tag();
      assert.equal(vf, 2);
      const val = new BinaryReader(entry.bytes());
      const [valueField, valueWire] = val.tag();
      kinds.push(`${key}:${valueField}:${valueWire}`);
    } else if (sf === 4) {
      assert.equal(s.string(), "g");
    } else assert.fail(`unexpected field ${sf}`);
  }
  // number_value=2 (fixed64), string_value=3 (bytes), bool_value=4 (varint)
  assert.deepEqual(kinds, ["a:2:1", "b:3:2", "c:4:0"]);
});

test("hparams: experiment and session end round-trip", () => {
  const experiment: Experiment = {
    description: "seed study",
    timeCreatedSecs: 123.5,
    hparamInfos: [
      { name: "lr", type: HParamDataType.FLOAT64, domainInterval: { min: 1e-4, max: 1e-2 } },
      { name: "opt", type: HParamDataType.STRING, domainDiscrete: ["adam", "sgd"] },
      { name: "bn", type: HParamDataType.BOOL, domainDiscrete: [false, true] },
    ],
    metricInfos: [{ tag: "val/acc" }, { tag: "loss", group: "train", datasetType: 1 }],
  };
  const got = decodeHParamsPluginData(encodeHParamsPluginData({ version: 0, kind: "experiment", experiment }));
  assert.deepEqual(got, { version: 0, kind: "experiment", experiment });
  for (const status of ["success", "failure", "running", "unknown"] as const) {
    const d: HParamsPluginData = { version: 0, kind: "sessionEnd", sessionEndInfo: { status, endTimeSecs: 9 } };
    assert.deepEqual(decodeHParamsPluginData(encodeHParamsPluginData(d)), d);
  }
});

test("hparams: summary values carry plugin metadata and TensorBoard's null tensor", () => {
  const e = decodeEvent(encodeEvent({ wallTime: 1, step: 0, summary: [hparamsSessionStartValue({ hparams: { x: 1 } })] }));
  const v = e.summary![0]!;
  assert.equal(v.tag, "_hparams_/session_start_info");
  assert.equal(v.metadata?.pluginData?.pluginName, "hparams");
  assert.deepEqual(v.tensor, { dtype: 1, shape: [0] });
  const ex = hparamsExperimentValue({ hparamInfos: [], metricInfos: [] });
  assert.equal(ex.tag, "_hparams_/experiment");
});

test("hparams: inferHParamInfos and mergeExperiments", () => {
  const infos = inferHParamInfos([
    { lr: 0.1, opt: "sgd", bn: true, mixed: 1 },
    { lr: 0.01, opt: "adam", bn: true, mixed: "one" },
  ]);
  assert.deepEqual(infos, [
    { name: "bn", type: HParamDataType.BOOL, domainDiscrete: [true] },
    { name: "lr", type: HParamDataType.FLOAT64, domainInterval: { min: 0.01, max: 0.1 } },
    { name: "mixed", type: HParamDataType.STRING, domainDiscrete: ["1", "one"] },
    { name: "opt", type: HParamDataType.STRING, domainDiscrete: ["adam", "sgd"] },
  ]);
  const merged = mergeExperiments(
    { hparamInfos: inferHParamInfos([{ lr: 0.1, opt: "sgd" }]), metricInfos: [{ tag: "acc" }] },
    { hparamInfos: inferHParamInfos([{ lr: 0.5, opt: "adam", wd: 0 }]), metricInfos: [{ tag: "acc" }, { tag: "loss" }] },
  );
  assert.deepEqual(merged, {
    hparamInfos: [
      { name: "lr", type: HParamDataType.FLOAT64, domainInterval: { min: 0.1, max: 0.5 } },
      { name: "opt", type: HParamDataType.STRING, domainDiscrete: ["adam", "sgd"] },
      { name: "wd", type: HParamDataType.FLOAT64, domainInterval: { min: 0, max: 0 } },
    ],
    metricInfos: [{ tag: "acc" }, { tag: "loss" }],
  });
});
