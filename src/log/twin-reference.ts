/**
 * The reference variant of a twin-trained study, read from its logs: twin logs
 * `paired/<tag>` (the variant minus the reference at the same step) for every
 * variant but the reference (twin/run-recorder.ts), so the reference is the one
 * variant without paired series when every other has some. A log folder lists
 * variants in name order, which need not put the reference first: reading the
 * first as the reference flipped the verdict's sign against `twin compare` and
 * drew a variant's logged `b − reference` curve under the caption `b − first`.
 */

/** The one variant without `paired/` tags when every other variant has some; undefined otherwise (a sweep, one variant). */
export function referenceFromPairedTags(runs: Iterable<{ variant: string; tags: Iterable<string> }>): string | undefined {
  const paired = new Map<string, boolean>();
  for (const r of runs) {
    let has = paired.get(r.variant) ?? false;
    if (!has) for (const t of r.tags) if (t.startsWith("paired/")) { has = true; break; }
    paired.set(r.variant, has);
  }
  const without = [...paired].filter(([, has]) => !has).map(([v]) => v);
  return without.length === 1 && paired.size >= 2 ? without[0] : undefined;
}
