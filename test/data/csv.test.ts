import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { columnLetter, csvDataset, detectDelimiter, parseCsv, readCsv, readCsvDataset } from "../../src/data/host/csv.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-csv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("parseCsv: RFC 4180 quoting (embedded delimiters, quotes, newlines), CRLF, BOM", () => {
  const text = '\ufeffname,note,value\r\n"Smith, J.","said ""hi""",1\r\nplain,"two\r\nlines",2\r\n,"",3\r\n';
  const t = parseCsv(text);
  assert.deepEqual(t.header, ["name", "note", "value"]);
  assert.deepEqual(t.rows, [
    ["Smith, J.", 'said "hi"', "1"],
    ["plain", "two\r\nlines", "2"],
    ["", "", "3"],
  ]);
  assert.deepEqual(t.rowNumbers, [2, 3, 4]);
  assert.equal(t.delimiter, ",");
});

test("parseCsv: delimiter detection (comma, tab, semicolon) and explicit delimiter", () => {
  assert.equal(detectDelimiter("a\tb\tc\n1,2\t3"), "\t");
  assert.equal(detectDelimiter('a;"b,c,d";e\n'), ";");
  assert.equal(detectDelimiter("single\n1"), ",");
  assert.deepEqual(parseCsv("a\tb\n1\t2\n").rows, [["1", "2"]]);
  assert.deepEqual(parseCsv("a;b\n1,5;2\n").rows, [["1,5", "2"]]);
  assert.deepEqual(parseCsv("a|b\n1|2", { delimiter: "|" }).rows, [["1", "2"]]);
  // A quote inside an unquoted field is literal.
  assert.deepEqual(parseCsv('a,b\n5" screen,2\n').rows, [['5" screen', "2"]]);
});

test("parseCsv: blank lines are skipped but counted; last line without newline", () => {
  const t = parseCsv("a,b\n1,2\n\n3,4");
  assert.deepEqual(t.rows, [["1", "2"], ["3", "4"]]);
  assert.deepEqual(t.rowNumbers, [2, 4]);
});

test("parseCsv: errors name the row", () => {
  assert.throws(() => parseCsv("a,b\n1,2\n3\n", { source: "t.csv" }), /t\.csv: row 3 has 1 fields but the header has 2/);
  assert.throws(() => parseCsv('a,b\n1,"2\n', { source: "t.csv" }), /t\.csv: row 2: a quoted field is never closed/);
  assert.throws(() => parseCsv('a,b\n1,"2"x\n', { source: "t.csv" }), /row 2, column 2: unexpected "x" after a closing quote/);
  assert.throws(() => parseCsv("", { source: "t.csv" }), /t\.csv: the file is empty/);
});

test("csvDataset: features float32 [N, F], string class labels sorted into indices", () => {
  const ds = csvDataset("id,x1,x2,species\n1,0.5,1e3,virginica\n2,-2,3,setosa\n3,4,.25,virginica\n", {
    target: "species",
    ignore: ["id"],
  });
  assert.deepEqual(ds.inputs.shape, [3, 2]);
  assert.equal(ds.inputs.dtype, "float32");
  assert.deepEqual([...ds.inputs.data], [0.5, 1000, -2, 3, 4, 0.25]);
  assert.deepEqual(ds.classes, ["setosa", "virginica"]);
  assert.equal(ds.targets.dtype, "int64");
  assert.deepEqual([...ds.targets.data], [1n, 0n, 1n]);
});

test("csvDataset: integer, fixed-class and regression targets; columns by index", () => {
  const ints = csvDataset("a,b,y\n1,2,0\n3,4,3\n", { target: "y" });
  assert.deepEqual([...ints.targets.data], [0n, 3n]);
  assert.deepEqual(ints.classes, ["0", "1", "2", "3"]);
  const fixed = csvDataset("a,y\n1,dog\n2,cat\n", { target: 1, classes: ["dog", "cat", "bird"] });
  assert.deepEqual([...fixed.targets.data], [0n, 1n]);
  assert.deepEqual(fixed.classes, ["dog", "cat", "bird"]);
  assert.throws(() => csvDataset("a,y\n1,dog\n2,cow\n", { target: "y", classes: ["dog", "cat"] }), /row 3, column "y" \(B\): label "cow" is not one of the given classes/);
  const reg = csvDataset("a,y\n1,0.5\n2,2\n", { target: "y" });
  assert.equal(reg.targets.dtype, "float32");
  assert.equal(reg.classes, undefined);
  assert.deepEqual([...reg.targets.data], [0.5, 2]);
  const forced = csvDataset("a,y\n1,1\n2,2\n", { target: "y", targetKind: "regression" });
  assert.equal(forced.targets.dtype, "float32");
  const sel = csvDataset("a,b,c,y\n1,2,3,0\n", { target: "y", features: ["c", 0] });
  assert.deepEqual([...sel.inputs.data], [3, 1]);
  assert.throws(() => csvDataset("a,y\n1,-1\n", { target: "y", targetKind: "class" }), /class label "-1" must be a non-negative integer/);
});

test("csvDataset: a missing or non-numeric value names the spreadsheet row and column", () => {
  const text = "f1,f2,label\n1,2,a\n3,4,b\n5,oops,a\n";
  assert.throws(
    () => csvDataset(text, { target: "label", source: "data.csv" }),
    (e: Error) => e.message.startsWith('data.csv: row 4, column "f2" (B): "oops" is not a number'),
  );
  assert.throws(() => csvDataset("f1,f2,label\n1,,a\n", { target: "label" }), /row 2, column "f2" \(B\): the value is missing/);
  assert.throws(() => csvDataset("f1,label\nNaN,a\n", { target: "label" }), /row 2, column "f1" \(A\): "NaN" is not a number/);
  assert.throws(() => csvDataset("f1,label\n1,a\n", { target: "nope" }), /target column "nope" not found; the header has: "f1", "label"/);
  assert.throws(() => csvDataset("f1,label\n1,\n", { target: "label" }), /row 2, column "label" \(B\): the class label is empty/);
  assert.throws(() => csvDataset("x,x,y\n1,2,3\n", { target: "x" }), /appears 2 times/);
  assert.throws(() => csvDataset("y\n1\n", { target: "y" }), /no feature columns/);
});

test("readCsvDataset and readCsv read TSV files from disk", () => {
  const p = join(dir, "table.tsv");
  writeFileSync(p, "x\ty\tlabel\n1\t2\tb\n3\t4\ta\n");
  const ds = readCsvDataset(p, { target: "label" });
  assert.equal(ds.name, "table");
  assert.deepEqual([...ds.inputs.data], [1, 2, 3, 4]);
  assert.deepEqual(ds.classes, ["a", "b"]);
  assert.deepEqual(readCsv(p).header, ["x", "y", "label"]);
  writeFileSync(p, "x\tlabel\n1\ta\nz\tb\n");
  assert.throws(() => readCsvDataset(p, { target: "label" }), (e: Error) => e.message.startsWith(`${p}: row 3, column "x" (A)`));
  assert.throws(() => readCsv(join(dir, "missing.csv")), /cannot read CSV file .*missing\.csv/);
});

test("columnLetter", () => {
  assert.deepEqual([0, 1, 25, 26, 27, 701, 702].map(columnLetter), ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]);
});
