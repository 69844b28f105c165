import { test } from "node:test";
import assert from "node:assert/strict";
import { gaussianKde, silvermanBandwidth } from "../../src/stats/kde.ts";

test("Silverman bandwidth and Gaussian KDE match scipy.stats.gaussian_kde (SciPy 1.10)", () => {
  const v = [0.86, 0.87, 0.862, 0.9, 0.85, 0.871];
  // numpy: 0.9 * min(sd, IQR/1.34) * n**-0.2 with np.percentile's linear quantiles.
  assert.ok(Math.abs(silvermanBandwidth(v) - 0.004810955351244631) < 1e-15);
  const want = [16.033437514750407, 30.696325603388686, 32.40980376780992, 13.820619047157724];
  gaussianKde(v, [0.85, 0.86, 0.87, 0.9]).forEach((d, i) => assert.ok(Math.abs(d - want[i]!) < 1e-9, `${d} vs ${want[i]}`));
});

test("KDE integrates to one; tied samples still get a positive bandwidth", () => {
  const v = [1, 2, 2.5, 4, 7];
  const grid = Array.from({ length: 2001 }, (_, i) => -10 + (i * 30) / 2000);
  const d = gaussianKde(v, grid);
  const area = d.reduce((s, y) => s + y, 0) * (30 / 2000);
  assert.ok(Math.abs(area - 1) < 1e-6, String(area));
  assert.ok(silvermanBandwidth([3, 3, 3]) > 0);
  assert.throws(() => gaussianKde(v, grid, 0), /bandwidth must be > 0/);
});
