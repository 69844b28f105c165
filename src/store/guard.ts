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

/** The part of a fingerprint a key belongs to, in the words the CLI uses (twin diff groups runs the same way). */
export type FingerprintPart = "code" | "data" | "environment" | "command line";

/**
 * code: the study file and the sources it imports, git state, dependencies
 * (package-lock.json); data: dataset files and the split; command line: argv;
 * environment: everything else (versions, threads, CPU, GPU, operating system).
 */
export function fingerprintPart(key: string): FingerprintPart {
  const top = key.split(".")[0]!;
  if (top === "files" || top === "git" || top === "lockfile") return "code";
  if (top === "datasets" || top === "split") return "data";
  if (top === "argv") return "command line";
  return "environment";
}

const PART_ORDER: readonly FingerprintPart[] = ["code", "data", "environment", "command line"];

/** "code and environment": the parts the differences touch, in a fixed order. */
export function changedParts(differences: readonly FingerprintDifference[]): string {
  const parts = PART_ORDER.filter((p) => differences.some((d) => fingerprintPart(d.key) === p));
  return parts.length <= 1 ? (parts[0] ?? "nothing") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** One line per difference, with its part, code first: `  code · files.study.ts: "abc…" → "def…"`. */
export function formatDifferences(differences: readonly FingerprintDifference[]): string {
  const rank = (d: FingerprintDifference): number => PART_ORDER.indexOf(fingerprintPart(d.key));
  return [...differences].sort((a, b) => rank(a) - rank(b)).map((d) => `  ${fingerprintPart(d.key)} · ${d.key}: ${show(d.a)} → ${show(d.b)}`).join("\n");
}

/** What --allow-changed does when the caller cannot say more precisely. */
const GENERIC_EFFECT = "--allow-changed continues the study anyway: runs made before and after the change then belong to one study";

export class FingerprintChangedError extends StoreError {
  override name = "FingerprintChangedError";
  readonly study: string;
  readonly differences: FingerprintDifference[];
  /** `effect`: what --allow-changed would do, in a sentence (the study layer knows which runs it would keep). */
  constructor(study: string, differences: FingerprintDifference[], effect = GENERIC_EFFECT) {
    super(
      `study '${study}' began with another fingerprint: its ${changedParts(differences)} changed since its runs were made:\n` +
        `${formatDifferences(differences)}\n` +
        `Go back to what the study began with, or give the study a new name (it starts from scratch). ${effect}.`,
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
 * not compared; `allowChangedEffect` says in the refusal what --allow-changed
 * would do.
 */
export async function checkStudyFingerprint(
  store: Store,
  study: string,
  fingerprint: unknown,
  options: { allowChanged?: boolean; ignore?: readonly string[]; allowChangedEffect?: (differences: FingerprintDifference[]) => string } = {},
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
    if (differences.length > 0 && !options.allowChanged) throw new FingerprintChangedError(study, differences, options.allowChangedEffect?.(differences));
    return { hash, differences };
  });
}
