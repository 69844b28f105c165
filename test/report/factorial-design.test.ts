// The factorial design a study records, read back by the report: a damaged record is named and the rest of the report stands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "./fixture.ts";
import { buildReportModel, loadStudyDir, LogDirSource, streamReportModel } from "../../src/report/index.ts";
import { DESIGN_FILE, parseDesign, writeDesignFile } from "../../src/study/factorial-design-record.ts";

const root = mkdtempSync(join(tmpdir(), "twin-factorial-design-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const design = {
  factors: [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "width", levels: ["narrow", "wide"] }],
  cells: { adam_wide: { optimizer: "adam", width: "wide" }, sgd_narrow: { optimizer: "sgd", width: "narrow" }, adam_narrow: { optimizer: "adam", width: "narrow" }, sgd_wide: { optimizer: "sgd", width: "wide" } },
};
const effects = { sgd_narrow: 0, sgd_wide: 0.01, adam_narrow: 0.006, adam_wide: 0.008 };

test("the design's factor order sets each effect's sign, whatever order its cells are stored in", () => {
  const dir = writeFixture(join(root, "ordered"), { study: "grid", variants: Object.keys(effects), effects, seeds: 4, steps: 20 });
  writeDesignFile(dir, design);
  const f = buildReportModel(loadStudyDir(dir)).factorial!;
  assert.deepEqual(f.factors, design.factors);
  // wide − narrow is positive under both optimizers (+0.01 and +0.002 built in)
  assert.ok(f.factorial[1]!.estimate! > 0, String(f.factorial[1]!.estimate));
  assert.deepEqual(f.cells.map((c) => `${c.levels.optimizer}_${c.levels.width}`), ["sgd_narrow", "sgd_wide", "adam_narrow", "adam_wide"]);
});

test("a damaged design record or a cell without runs is named in the report; the rest of the report stands", async () => {
  const dir = writeFixture(join(root, "damaged"), { study: "grid", variants: Object.keys(effects), effects, seeds: 3, steps: 20 });
  writeFileSync(join(dir, DESIGN_FILE), "{ not json");
  const m = await streamReportModel((await new LogDirSource(join(root, "damaged")).openStudy("grid"))!);
  assert.equal(m.factorial, null);
  assert.match(m.factorialError!, /_design\.json: not valid JSON .*remove it to report the study without the factorial analysis/);
  assert.ok(m.analysis, "the verdict is still there");

  writeDesignFile(dir, { ...design, cells: { ...design.cells, big_wide: { optimizer: "big", width: "wide" } } } as typeof design);
  assert.match(buildReportModel(loadStudyDir(dir)).factorialError!, /gives variant "big_wide" no level of factor "optimizer" among sgd, adam/);
  writeDesignFile(dir, { ...design, cells: { ...design.cells, extra: { optimizer: "sgd", width: "wide" } } });
  assert.match(buildReportModel(loadStudyDir(dir)).factorialError!, /no run of the combination 'extra' \(optimizer=sgd, width=wide\)/);
  assert.throws(() => parseDesign({ factors: [{ name: "optimizer", levels: ["sgd"] }], cells: {} }, "here"), /here: the factorial design gives factor "optimizer" 1 level\(s\) \(sgd\); it needs 2 or more distinct levels/);
});
