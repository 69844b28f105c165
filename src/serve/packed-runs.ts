/**
 * A saved accumulator's run summaries and control-sum audit as packed
 * columns (saved-accumulator.ts): at 10,000 runs, V8's deserialiser made them
 * back one property at a time (about 90 of the 145 ms the saved structure took
 * to decode); as typed arrays (views on the bytes read, no copy) and one table
 * of the distinct strings, they are made again by plain object literals.
 *
 * Each packing gives back objects equal to the ones packed, with their
 * properties in the order the model makes them (build.ts, control-sum-audit.ts);
 * a run summary or audit with a property this file does not know is not
 * packed (undefined: saved as it is), so nothing is ever left out.
 */
import type { RunSummary } from "../report/model/index.ts";
import type { AuditSnapshot } from "../study/control-sum-audit.ts";

/** Distinct strings, each written once; a reference is its index. */
class StringTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) this.index.set(s, (i = this.strings.push(s) - 1));
    return i;
  }
}

/** Lists of strings packed as a count per list and the strings' references, one after another. */
class PackedLists {
  readonly counts: number[] = [];
  readonly items: number[] = [];

  constructor(private readonly table: StringTable) {}

  add(list: readonly string[]): void {
    this.counts.push(list.length);
    for (const s of list) this.items.push(this.table.ref(s));
  }

  packed(): { counts: Uint32Array; items: Uint32Array } {
    return { counts: Uint32Array.from(this.counts), items: Uint32Array.from(this.items) };
  }
}

/** Reads lists packed by {@link PackedLists} back in order. */
function listReader(strings: readonly string[], p: { counts: Uint32Array; items: Uint32Array }): () => string[] {
  let list = 0;
  let at = 0;
  return () => {
    const n = p.counts[list++]!;
    if (at + n > p.items.length) throw new Error("a packed list runs past its items");
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = stringAt(strings, p.items[at++]!);
    return out;
  };
}

function stringAt(strings: readonly string[], i: number): string {
  const s = strings[i];
  if (s === undefined) throw new Error("a packed string reference outside the table");
  return s;
}

/** Whether every property of `o` is one of `keys` and none is there with no value (unpacked, such a property would be missing). */
function packable(o: object, keys: ReadonlySet<string>): boolean {
  for (const [k, v] of Object.entries(o)) if (!keys.has(k) || v === undefined) return false;
  return true;
}

const RUN_KEYS = new Set(["variant", "seed", "status", "lastStep", "finals", "where", "notes", "factorSeeds", "fingerprint"]);

/** Run summaries by seed, packed (see the file's comment). */
export interface PackedRuns {
  strings: string[];
  seeds: string[];
  /** Runs of each seed, in `seeds` order; then per run, in order: */
  runsPerSeed: Uint32Array;
  variant: Uint32Array;
  /** The run's own seed (a summary's seed is its group's; written anyway). */
  seed: Uint32Array;
  status: Uint32Array;
  lastStep: Float64Array;
  where: Uint32Array;
  /** Final values: tags and values, `finals.counts` per run. */
  finals: { counts: Uint32Array; items: Uint32Array };
  finalValues: Float64Array;
  notes: { counts: Uint32Array; items: Uint32Array };
  /** Factor seeds: 0 for none, else 1 + the number of factors, whose names and seeds are in `factorItems` (name, seed, …). */
  factorCounts: Uint32Array;
  factorItems: Uint32Array;
  /** 0 for none, else 1 + the string's reference. */
  fingerprint: Uint32Array;
}

/** The run summaries packed; undefined where one has a property not packed here. */
export function packRuns(bySeed: ReadonlyMap<string, readonly RunSummary[]>): PackedRuns | undefined {
  const table = new StringTable();
  const runsPerSeed: number[] = [];
  const variant: number[] = [], seed: number[] = [], status: number[] = [], lastStep: number[] = [], where: number[] = [];
  const finals = new PackedLists(table), notes = new PackedLists(table);
  const finalValues: number[] = [], factorCounts: number[] = [], factorItems: number[] = [], fingerprint: number[] = [];
  for (const runs of bySeed.values()) {
    runsPerSeed.push(runs.length);
    for (const r of runs) {
      if (!packable(r, RUN_KEYS) || typeof r.variant !== "string" || typeof r.seed !== "string" || typeof r.status !== "string" || typeof r.where !== "string") return undefined;
      variant.push(table.ref(r.variant));
      seed.push(table.ref(r.seed));
      status.push(table.ref(r.status));
      lastStep.push(r.lastStep);
      where.push(table.ref(r.where));
      finals.add([...r.finals.keys()]);
      for (const v of r.finals.values()) finalValues.push(v);
      notes.add(r.notes);
      if (r.factorSeeds) {
        const entries = Object.entries(r.factorSeeds);
        factorCounts.push(1 + entries.length);
        for (const [name, s] of entries) factorItems.push(table.ref(name), table.ref(s));
      } else factorCounts.push(0);
      fingerprint.push(r.fingerprint === undefined ? 0 : 1 + table.ref(r.fingerprint));
    }
  }
  return {
    strings: table.strings,
    seeds: [...bySeed.keys()],
    runsPerSeed: Uint32Array.from(runsPerSeed),
    variant: Uint32Array.from(variant),
    seed: Uint32Array.from(seed),
    status: Uint32Array.from(status),
    lastStep: Float64Array.from(lastStep),
    where: Uint32Array.from(where),
    finals: finals.packed(),
    finalValues: Float64Array.from(finalValues),
    notes: notes.packed(),
    factorCounts: Uint32Array.from(factorCounts),
    factorItems: Uint32Array.from(factorItems),
    fingerprint: Uint32Array.from(fingerprint),
  };
}

/** The run summaries packed by {@link packRuns}; an error where the columns do not fit together. */
export function unpackRuns(p: PackedRuns): Map<string, RunSummary[]> {
  const s = p.strings;
  const runs = p.variant.length;
  for (const col of [p.seed, p.status, p.lastStep, p.where, p.finals.counts, p.notes.counts, p.factorCounts, p.fingerprint]) {
    if (col.length !== runs) throw new Error("packed run columns of different lengths");
  }
  if (p.runsPerSeed.length !== p.seeds.length || p.runsPerSeed.reduce((a, b) => a + b, 0) !== runs || p.finalValues.length !== p.finals.items.length) {
    throw new Error("packed runs that do not add up");
  }
  const finalTags = listReader(s, p.finals);
  const notes = listReader(s, p.notes);
  const out = new Map<string, RunSummary[]>();
  let r = 0, value = 0, factor = 0;
  p.seeds.forEach((seed, i) => {
    const group = new Array<RunSummary>(p.runsPerSeed[i]!);
    for (let j = 0; j < group.length; j++, r++) {
      const finals = new Map<string, number>();
      for (const tag of finalTags()) finals.set(tag, p.finalValues[value++]!);
      const summary: RunSummary = { variant: stringAt(s, p.variant[r]!), seed: stringAt(s, p.seed[r]!), status: stringAt(s, p.status[r]!), lastStep: p.lastStep[r]!, finals, where: stringAt(s, p.where[r]!), notes: notes() };
      const factors = p.factorCounts[r]!;
      if (factors > 0) {
        if (factor + 2 * (factors - 1) > p.factorItems.length) throw new Error("packed factor seeds run past their items");
        const fs: Record<string, string> = {};
        for (let k = 1; k < factors; k++, factor += 2) fs[stringAt(s, p.factorItems[factor]!)] = stringAt(s, p.factorItems[factor + 1]!);
        summary.factorSeeds = fs;
      }
      if (p.fingerprint[r]! > 0) summary.fingerprint = stringAt(s, p.fingerprint[r]! - 1);
      group[j] = summary;
    }
    out.set(seed, group);
  });
  return out;
}

type AuditEntry = AuditSnapshot["seeds"] extends ReadonlyMap<string, infer E> ? E : never;
const ENTRY_KEYS = new Set(["audit", "recorded", "inconsistent", "incomplete", "drawNote"]);
const AUDIT_KEYS = new Set(["seed", "variants", "steps", "lastStep", "runLastStep", "streams", "batchChecksums", "problems"]);

/** A control-sum audit's seeds, packed (its reference seed's draws are saved as they are). */
export interface PackedAudit {
  strings: string[];
  keys: Uint32Array;
  seed: Uint32Array;
  variants: { counts: Uint32Array; items: Uint32Array };
  /** steps, lastStep, runLastStep per seed. */
  steps: Float64Array;
  streams: { counts: Uint32Array; items: Uint32Array };
  problems: { counts: Uint32Array; items: Uint32Array };
  /** Bits: 1 batchChecksums, 2 recorded, 4 inconsistent, 8 incomplete. */
  flags: Uint8Array;
  /** 0 for none, else 1 + the string's reference. */
  drawNote: Uint32Array;
}

/** The audit's seeds packed; undefined where one has a property not packed here. */
export function packAudit(seeds: AuditSnapshot["seeds"]): PackedAudit | undefined {
  const table = new StringTable();
  const keys: number[] = [], seed: number[] = [], steps: number[] = [], flags: number[] = [], drawNote: number[] = [];
  const variants = new PackedLists(table), streams = new PackedLists(table), problems = new PackedLists(table);
  for (const [key, e] of seeds) {
    if (!packable(e, ENTRY_KEYS) || !packable(e.audit, AUDIT_KEYS)) return undefined;
    const a = e.audit;
    keys.push(table.ref(key));
    seed.push(table.ref(a.seed));
    variants.add(a.variants);
    steps.push(a.steps, a.lastStep, a.runLastStep);
    streams.add(a.streams);
    problems.add(a.problems);
    flags.push((a.batchChecksums ? 1 : 0) | (e.recorded ? 2 : 0) | (e.inconsistent ? 4 : 0) | (e.incomplete ? 8 : 0));
    drawNote.push(e.drawNote === undefined ? 0 : 1 + table.ref(e.drawNote));
  }
  return {
    strings: table.strings,
    keys: Uint32Array.from(keys),
    seed: Uint32Array.from(seed),
    variants: variants.packed(),
    steps: Float64Array.from(steps),
    streams: streams.packed(),
    problems: problems.packed(),
    flags: Uint8Array.from(flags),
    drawNote: Uint32Array.from(drawNote),
  };
}

/** The audit's seeds packed by {@link packAudit}; an error where the columns do not fit together. */
export function unpackAudit(p: PackedAudit): Map<string, AuditEntry> {
  const n = p.keys.length;
  for (const col of [p.seed, p.variants.counts, p.streams.counts, p.problems.counts, p.flags, p.drawNote]) if (col.length !== n) throw new Error("packed audit columns of different lengths");
  if (p.steps.length !== 3 * n) throw new Error("packed audit steps that do not add up");
  const s = p.strings;
  const variants = listReader(s, p.variants), streams = listReader(s, p.streams), problems = listReader(s, p.problems);
  const out = new Map<string, AuditEntry>();
  for (let i = 0; i < n; i++) {
    const f = p.flags[i]!;
    const audit = { seed: stringAt(s, p.seed[i]!), variants: variants(), steps: p.steps[3 * i]!, lastStep: p.steps[3 * i + 1]!, runLastStep: p.steps[3 * i + 2]!, streams: streams(), batchChecksums: (f & 1) !== 0, problems: problems() };
    const entry: AuditEntry = { audit, recorded: (f & 2) !== 0, inconsistent: (f & 4) !== 0, incomplete: (f & 8) !== 0 };
    if (p.drawNote[i]! > 0) entry.drawNote = stringAt(s, p.drawNote[i]! - 1);
    out.set(stringAt(s, p.keys[i]!), entry);
  }
  return out;
}
