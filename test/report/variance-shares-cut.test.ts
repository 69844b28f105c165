// The variance-by-factor tables (report, dashboard, `twin seeds`) print a
// share and its interval within [0, 100%]: figures cut at 100% are marked and
// the note under the table says why and gives every estimate that was above.
import { test } from "node:test";
import assert from "node:assert/strict";
import { varianceDecomposition } from "../../src/stats/index.ts";
import { cutSharesNote, shareText } from "../../src/study/variance-shares.ts";

test("shareText: inside [0, 100%] as before; above 100% cut and marked; an interval wholly above 100% is none", () => {
  assert.equal(shareText({ share: 0.45, shareCi: [0.045, 0.99], shareCiUncut: [0.045, 0.99] }), "45% [4.5%, 99%]");
  assert.equal(shareText({ share: 0.85, shareCi: [0.069, 1], shareCiUncut: [0.069, 763] }), "85% [6.9%, 100%*]");
  assert.equal(shareText({ share: 6.26, shareCi: [0.63, 1], shareCiUncut: [0.63, 5770] }), "100%* [63%, 100%*]");
  assert.equal(shareText({ share: 9, shareCi: null, shareCiUncut: [1.5, 40] }), "100%* [none within 0–100%*]");
  // Without all-varied runs the shares are of the factors' sum: no interval, nothing to cut.
  assert.equal(shareText({ share: 0.3, shareCi: null, shareCiUncut: null }), "30%");
});

test("cutSharesNote: says why, lists the estimates above 100%, names the intervals wholly above; nothing when none was cut", () => {
  const rows = [
    { label: "base order", share: 0.45, shareCi: [0.045, 1] as [number, number], shareCiUncut: [0.045, 41.6] as [number, number] },
    { label: "base split", share: 6.26, shareCi: [0.63, 1] as [number, number], shareCiUncut: [0.63, 5770] as [number, number] },
    { label: "wide init", share: 1.0003, shareCi: [0.08, 1] as [number, number], shareCiUncut: [0.08, 900] as [number, number] },
    { label: "wide eval", share: 12, shareCi: null, shareCiUncut: [1.3, 80] as [number, number] },
  ];
  const note = cutSharesNote(rows, 0.95)!;
  assert.match(note, /^\* cut at 100%: .* covers the share 95% of the time/);
  assert.match(note, /shown as 100%: base split 626%, wide init 100\.03%, wide eval 1200%\./);
  assert.match(note, /the factors do not add up for wide eval \(130% to 8000%\)\./);
  assert.doesNotMatch(note, /base order \d/);
  assert.equal(cutSharesNote([rows[0]!].map((x) => ({ ...x, shareCiUncut: [0.045, 0.9] as [number, number] })), 0.95), undefined);
});

test("varianceDecomposition → shareText: a factor varying more than the all-varied runs prints within [0, 100%]", () => {
  const dec = varianceDecomposition({ split: [0, 2], order: [0, 0.01] }, [0, 0.1, 0.2, 0.05, 0.15]);
  const [split, order] = dec.factors;
  assert.ok(split!.share > 1 && split!.shareCiUncut![1] > 1);
  for (const x of [split!, order!]) {
    const printed = [...shareText(x).matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
    assert.ok(printed.every((p) => p >= 0 && p <= 100), shareText(x));
  }
});
