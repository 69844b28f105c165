/**
 * Variants that fail deterministically. A variant that failed on its first
 * runs of a study (DEAD_AFTER of them) with the same error, and never
 * finished or diverged, would only fail the same way on every further seed
 * (a shape mismatch, a wrong optimizer call): the study leaves it out of its
 * remaining runs (it is *skipped* there, with the reason) and the others go
 * on. When every variant is dead, no further run starts.
 *
 * Divergence is not counted: it depends on the seed. Runs are read from what
 * every executor reports (local, pool, queue): the run's status and its error
 * text, one line per variant that did not finish (stored-results.ts
 * variantFailures) or, for a run that failed as a whole, one error for all.
 */

/** How many runs of a variant must fail the same way before it is left out. */
export const DEAD_AFTER = 3;

type Outcome = { kind: "finished" | "diverged" | "skipped" } | { kind: "failed"; error: string };

/** Each variant's outcome in a run, from the run's status and error text. */
export function variantOutcomes(variants: readonly string[], status: string, error: string | undefined): Record<string, Outcome> {
  const out: Record<string, Outcome> = {};
  const lines = (error ?? "").split("\n");
  for (const v of variants) {
    if (status === "failed") {
      out[v] = { kind: "failed", error: lines[0] || "failed (no error message recorded)" };
      continue;
    }
    const line = lines.find((l) => l.startsWith(`variant '${v}' `));
    const rest = line?.slice(`variant '${v}' `.length);
    if (rest === undefined) out[v] = { kind: "finished" };
    else if (rest.startsWith("diverged")) out[v] = { kind: "diverged" };
    else if (rest.startsWith("not trained")) out[v] = { kind: "skipped" };
    else out[v] = { kind: "failed", error: rest.startsWith("failed: ") ? rest.slice("failed: ".length) : line! };
  }
  return out;
}

export class DeadVariants {
  readonly #variants: readonly string[];
  readonly #after: number;
  /** Per variant, the errors and seeds of its failed runs so far; null once it finished or diverged. */
  readonly #failures = new Map<string, { error: string; seed: string }[] | null>();
  readonly #dead = new Map<string, string>();
  readonly #errors = new Map<string, string>();

  constructor(variants: readonly string[], after = DEAD_AFTER) {
    this.#variants = variants;
    this.#after = after;
  }

  /** Records a run that ended (status finished or failed, its error text); returns the variants it made dead, with the reason. */
  record(seed: string, status: string, error: string | undefined): { variant: string; reason: string }[] {
    if (status !== "finished" && status !== "failed") return [];
    const newly: { variant: string; reason: string }[] = [];
    for (const [v, o] of Object.entries(variantOutcomes(this.#variants, status, error))) {
      const seen = this.#failures.get(v);
      if (seen === null || this.#dead.has(v) || o.kind === "skipped") continue;
      if (o.kind !== "failed") {
        this.#failures.set(v, null);
        continue;
      }
      const failures = [...(seen ?? []), { error: o.error, seed }];
      this.#failures.set(v, failures);
      if (failures.length < this.#after) continue;
      const first = failures.slice(0, this.#after);
      if (first.some((f) => f.error !== first[0]!.error)) {
        this.#failures.set(v, null);
        continue;
      }
      const reason = `variant '${v}' not trained: it failed with the same error on its first ${this.#after} runs (seeds ${first.map((f) => f.seed).join(", ")}): ${first[0]!.error}`;
      this.#dead.set(v, reason);
      this.#errors.set(v, first[0]!.error);
      newly.push({ variant: v, reason });
    }
    return newly;
  }

  /** The variants left out of further runs, with the reason (what the run records as their error). */
  get skip(): ReadonlyMap<string, string> {
    return this.#dead;
  }

  /** The error each dead variant failed with. */
  get errors(): ReadonlyMap<string, string> {
    return this.#errors;
  }

  /** True when every variant is dead: no further run would train anything. */
  get all(): boolean {
    return this.#variants.every((v) => this.#dead.has(v));
  }
}
