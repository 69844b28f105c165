/**
 * Refusing to mix runs whose fingerprint changed: a study keeps the
 * fingerprint it began with; continuing it with different code, data or
 * environment is an error naming the differences, unless allowed.
 */
import { StoreError } from "./errors.ts";
import { diffFingerprints, type FingerprintDifference } from "./fingerprint.ts";
import type { Store } from "./types.ts";

/** Keys that may change between sessions of one study without mixing anything. */
export const DEFAULT_FINGERPRINT_IGNORE: readonly string[] = ["argv"];

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "git.commit: "abc" → "def"" lines. */
export function formatDifferences(differences: readonly FingerprintDifference[]): string {
  return differences.map((d) => `  ${d.key}: ${show(d.a)} → ${show(d.b)}`).join("\n");
}

export class FingerprintChangedError extends StoreError {
  override name = "FingerprintChangedError";
  readonly study: string;
  readonly differences: FingerprintDifference[];
  constructor(study: string, differences: FingerprintDifference[]) {
    super(
      `study '${study}' began with another fingerprint; its runs would mix results from different code, data or environment:\n` +
        `${formatDifferences(differences)}\n` +
        "Go back to what the study began with, give the study a new name, or pass --allow-changed to mix them anyway.",
    );
    this.study = study;
    this.differences = differences;
  }
}

export interface FingerprintCheck {
  /** Hash of the current fingerprint (stored). */
  hash: string;
  /** What differs from the study's fingerprint (empty when nothing, or when the study had none). */
  differences: FingerprintDifference[];
}

/**
 * Stores the current fingerprint and compares it with the one the study began
 * with (recording it when the study has none yet). Throws
 * FingerprintChangedError when they differ, unless allowChanged; the caller
 * then shows `differences` as a warning. Keys in `ignore` (default: argv) are
 * not compared.
 */
export async function checkStudyFingerprint(
  store: Store,
  study: string,
  fingerprint: unknown,
  options: { allowChanged?: boolean; ignore?: readonly string[] } = {},
): Promise<FingerprintCheck> {
  return store.transaction(async (tx) => {
    const hash = await tx.putFingerprint(fingerprint);
    const record = await tx.getStudy(study);
    if (!record) throw new StoreError(`unknown study '${study}' in the store at ${store.location}`);
    if (record.fingerprintHash === null) {
      await tx.setStudyFingerprint(study, hash);
      return { hash, differences: [] };
    }
    if (record.fingerprintHash === hash) return { hash, differences: [] };
    const before = await tx.getFingerprint(record.fingerprintHash);
    const differences = diffFingerprints(before?.fingerprint ?? {}, fingerprint, { ignore: options.ignore ?? DEFAULT_FINGERPRINT_IGNORE });
    if (differences.length > 0 && !options.allowChanged) throw new FingerprintChangedError(study, differences);
    return { hash, differences };
  });
}
