// twin report: turns a chart's data written by columns (src/report/spec-columns.ts)
// back into the rows Vega-Lite reads: {"$rows": n, "$columns": {key: column}},
// a column of strings as {"$strings": [...], "$index": [...]}.
"use strict";
function twinUnpackSpec(x, key, parent) {
  if (Array.isArray(x)) return x.map(function (v) { return twinUnpackSpec(v, "", key); });
  if (x === null || typeof x !== "object") return x;
  if (key === "values" && parent === "data" && typeof x.$rows === "number" && x.$columns) {
    var rows = [];
    var keys = Object.keys(x.$columns);
    for (var i = 0; i < x.$rows; i++) rows.push({});
    keys.forEach(function (k) {
      var c = x.$columns[k];
      for (var j = 0; j < x.$rows; j++) rows[j][k] = Array.isArray(c) ? c[j] : c.$strings[c.$index[j]];
    });
    return rows;
  }
  var out = {};
  Object.keys(x).forEach(function (k) { out[k] = twinUnpackSpec(x[k], k, key); });
  return out;
}
