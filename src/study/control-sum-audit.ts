/**
 * The control-sum audit of a study's logged records, seed by seed: every
 * seed's batch checksums and stream control sums cover every logged step,
 * records of one seed (variants run apart) agree step by step, and every seed
 * made the same number of draws per stream and step. Fed one seed at a time,
 * so a study of any size is audited in memory bounded by one seed's records;
 * `verify` re-runs a run, this audit reads what was logged.
 */

/** One step's record of one twin run (shared by all its variants). */
export interface CheckLine {
  step: number;
  /** Checksum of the batch every variant saw. */
  batch?: string;
  streams: { stream: string; draws: number; state: string }[];
}

/** The records of one seed's twin run. */
export interface SeedChecks {
  seed: string;
  /** Variants this record covers (all variants of a twin run; one for separate runs). */
  variants?: string[];
  lines: CheckLine[];
}

export type AuditStatus = "consistent" | "incomplete" | "inconsistent" | "not recorded";

export interface SeedAudit {
  seed: string;
  variants: string[];
  steps: number;
  lastStep: number;
  /** Last step any run of the seed logged. */
  runLastStep: number;
  streams: string[];
  batchChecksums: boolean;
  problems: string[];
}

export interface AuditResult {
  status: AuditStatus;
  summary: string;
  seeds: SeedAudit[];
  /** Findings across seeds (draw counts, stream sets). */
  notes: string[];
}

const who = (c: SeedChecks): string => (c.variants ?? ["?"]).join("+");

/** The first step at which two records of one seed disagree, as a problem sentence. */
function disagreement(first: SeedChecks, other: SeedChecks): string | undefined {
  const theirs = new Map(other.lines.map((l) => [l.step, l]));
  for (const l of first.lines) {
    const o = theirs.get(l.step);
    if (!o) continue;
    if (l.batch !== o.batch) return `batch checksum differs at step ${l.step} between ${who(first)} and ${who(other)}`;
    const os = new Map(o.streams.map((s) => [s.stream, s]));
    const bad = l.streams.find((s) => os.has(s.stream) && (os.get(s.stream)!.draws !== s.draws || os.get(s.stream)!.state !== s.state));
    if (bad) return `stream ${bad.stream} differs at step ${l.step} between ${who(first)} and ${who(other)}`;
  }
  return undefined;
}

export class ControlSumAudit {
  /** Each seed's audit, and what it found, by seed (a seed audited again replaces its earlier audit). */
  private readonly seeds = new Map<string, { audit: SeedAudit; recorded: boolean; inconsistent: boolean; incomplete: boolean; drawNote?: string }>();
  private reference: { seed: string; draws: Map<number, Map<string, number>> } | undefined;

  /** Audits one seed: its records (none when nothing was logged) and the runs' variants and last step; replaces an earlier audit of the seed. */
  addSeed(seed: string, records: readonly SeedChecks[], runs: { variants: readonly string[]; lastStep: number }): void {
    const variants = [...new Set([...runs.variants, ...records.flatMap((r) => r.variants ?? [])])];
    if (records.length === 0) {
      const audit = { seed, variants, steps: 0, lastStep: 0, runLastStep: runs.lastStep, streams: [], batchChecksums: false, problems: ["no control sums recorded"] };
      this.seeds.set(seed, { audit, recorded: false, inconsistent: false, incomplete: true });
      return;
    }
    let inconsistent = false, incomplete = false;
    const problems: string[] = [];
    const first = records[0]!;
    const lines = first.lines;
    const lastStep = lines.length ? lines[lines.length - 1]!.step : 0;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i]!.step <= lines[i - 1]!.step) {
        problems.push(`steps out of order at line ${i + 1} (step ${lines[i]!.step} after ${lines[i - 1]!.step})`);
        inconsistent = true;
        break;
      }
    }
    if (lastStep < runs.lastStep) {
      problems.push(`control sums end at step ${lastStep} but the runs reach step ${runs.lastStep}`);
      incomplete = true;
    }
    const batchChecksums = lines.length > 0 && lines.every((l) => typeof l.batch === "string" && l.batch.length > 0);
    if (!batchChecksums) {
      problems.push("batch checksums missing on some steps");
      incomplete = true;
    }
    for (const other of records.slice(1)) {
      const d = disagreement(first, other);
      if (d) {
        problems.push(d);
        inconsistent = true;
      }
    }
    const streams = [...new Set(lines.flatMap((l) => l.streams.map((s) => s.stream)))].sort();
    if (this.reference?.seed === seed) this.reference = undefined;
    let drawNote: string | undefined;
    for (const r of records) if (r.lines.length > 0) drawNote ??= this.compareDraws(r);
    const audit = { seed, variants, steps: lines.length, lastStep, runLastStep: runs.lastStep, streams, batchChecksums, problems };
    this.seeds.set(seed, { audit, recorded: true, inconsistent, incomplete: incomplete || lines.length === 0, ...(drawNote !== undefined ? { drawNote } : {}) });
  }

  /** Forgets a seed's audit (its runs are gone). */
  removeSeed(seed: string): void {
    this.seeds.delete(seed);
    if (this.reference?.seed === seed) this.reference = undefined;
  }

  /** Same draws per stream and step as the first seed recorded (an extra draw shows up here): the first difference, as a note. */
  private compareDraws(c: SeedChecks): string | undefined {
    if (!this.reference) {
      this.reference = { seed: c.seed, draws: new Map(c.lines.map((l) => [l.step, new Map(l.streams.map((s) => [s.stream, s.draws]))])) };
      return undefined;
    }
    for (const l of c.lines) {
      const r = this.reference.draws.get(l.step);
      if (!r) continue;
      const bad = l.streams.find((s) => r.has(s.stream) && r.get(s.stream) !== s.draws);
      if (bad) return `draw counts differ between seed ${this.reference.seed} and seed ${c.seed}, first at step ${l.step} on stream ${bad.stream} (${r.get(bad.stream)} vs ${bad.draws}); expected only if the number of draws depends on the data`;
    }
    return undefined;
  }

  finish(): AuditResult {
    const all = [...this.seeds.values()];
    if (!all.some((s) => s.recorded)) return { status: "not recorded", summary: "no control sums or batch checksums were recorded for this study", seeds: [], notes: [] };
    const seeds = all.map((s) => s.audit);
    const inconsistent = all.some((s) => s.inconsistent);
    const incomplete = all.some((s) => s.incomplete);
    const notes: string[] = [];
    const withLines = seeds.filter((s) => s.steps > 0);
    if (withLines.length >= 2) {
      if (new Set(withLines.map((s) => s.streams.join(","))).size > 1) notes.push("seeds use different sets of random streams");
      notes.push(all.find((s) => s.drawNote !== undefined)?.drawNote ?? "every seed made the same number of draws on every stream at every step");
    }
    const status: AuditStatus = inconsistent ? "inconsistent" : incomplete ? "incomplete" : "consistent";
    const summary =
      status === "consistent"
        ? `control sums and batch checksums recorded for all ${withLines.length} seeds, covering every logged step; variants of a seed share one batch stream`
        : status === "incomplete"
          ? `control sums recorded for ${withLines.length} of ${seeds.length} seeds; see the problems below`
          : "the records disagree: a run drew random numbers differently or saw different batches; see the problems below";
    return { status, summary, seeds, notes };
  }
  /** The seeds audited so far, as plain data (structured-cloneable), for {@link ControlSumAudit.restore}. */
  snapshot(): AuditSnapshot {
    return { seeds: this.seeds, ...(this.reference ? { reference: this.reference } : {}) };
  }

  static restore(s: AuditSnapshot): ControlSumAudit {
    const audit = new ControlSumAudit();
    for (const [seed, a] of s.seeds) audit.seeds.set(seed, a);
    audit.reference = s.reference;
    return audit;
  }
}

/** A control-sum audit's seeds as plain data. */
export interface AuditSnapshot {
  seeds: ReadonlyMap<string, { audit: SeedAudit; recorded: boolean; inconsistent: boolean; incomplete: boolean; drawNote?: string }>;
  reference?: { seed: string; draws: Map<number, Map<string, number>> };
}
