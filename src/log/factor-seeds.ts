/** Factor seeds recorded in a run's hyper-parameters. */

/** Reads `seeds.<factor>` / `seed.<factor>` hparams (flattened nested objects) as factor seeds. */
export function factorSeedsFromHParams(hp: Record<string, string | number | boolean> | undefined): Record<string, string> | undefined {
  if (!hp) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(hp)) {
    const m = /^(?:seeds?|factor_seeds)\.([A-Za-z0-9_-]+)$/.exec(k);
    if (m) out[m[1]!] = String(v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
