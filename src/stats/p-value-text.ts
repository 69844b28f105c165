/**
 * How a p-value is printed wherever a user reads one (`twin stats`, `twin
 * compare`, the HTML report, the dashboard, chart titles and tooltips): three
 * decimals, and one significant digit in exponent form below 0.001 (0.493,
 * 0.012, 3.2e-5). One function so that the p of a comparison reads the same
 * in the terminal and in the report. A non-finite p prints as itself.
 *
 * Below {@link SMALLEST_PRINTED_P} a p is printed as a bound ("< 1e-300"): with
 * hundreds of thousands of seeds a t or normal tail underflows to 0 (SciPy
 * returns 0.0 too), and "p = 0" would claim a certainty no test gives.
 */
export const SMALLEST_PRINTED_P = 1e-300;

/** The p-value as a table cell or after "p": "0.493", "3.2e-5", "< 1e-300". */
export function pValueText(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p < SMALLEST_PRINTED_P) return `< ${SMALLEST_PRINTED_P.toExponential(0)}`;
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** "p = 0.012", or "p < 1e-300" for a p too small to print (see {@link pValueText}). */
export function pValueClause(p: number): string {
  const text = pValueText(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}
