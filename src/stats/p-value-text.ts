/**
 * How a p-value is printed wherever a user reads one (`twin stats`, `twin
 * compare`, the HTML report, the dashboard, chart titles and tooltips): three
 * decimals, and one significant digit in exponent form below 0.001 (0.493,
 * 0.012, 3.2e-5). One function so that the p of a comparison reads the same
 * in the terminal and in the report. A non-finite p prints as itself.
 */
export function pValueText(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
