/**
 * What makes two runs' fingerprints "the same study" for a report: the
 * fingerprint without what may differ between a study's sessions (the
 * command line, the git state: its files are hashed one by one) and without
 * each run's split (every seed draws its own by default; the split is checked
 * on its own, split-check). Light on purpose: the report's sources load it.
 */
import { fingerprintHash } from "../store/fingerprint.ts";

/** Fingerprint keys that may differ between sessions of one study without mixing results (files are hashed one by one). */
export const STUDY_FINGERPRINT_IGNORE: readonly string[] = ["argv", "git"];

/** Besides those, what a report does not compare runs by: each run's split. */
export const REPORT_FINGERPRINT_IGNORE: readonly string[] = [...STUDY_FINGERPRINT_IGNORE, "split"];

/** The hash a report and the logs compare runs by: the fingerprint's without the top-level keys in REPORT_FINGERPRINT_IGNORE. */
export function comparableFingerprintHash(fingerprint: unknown): string {
  if (fingerprint === null || typeof fingerprint !== "object" || Array.isArray(fingerprint)) return fingerprintHash(fingerprint);
  const kept = Object.fromEntries(Object.entries(fingerprint).filter(([k]) => !REPORT_FINGERPRINT_IGNORE.includes(k)));
  return fingerprintHash(kept);
}
