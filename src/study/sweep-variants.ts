/**
 * A sweep's variants in the store: each variant's command, environment and
 * fingerprint (code, files it names, machine) are recorded with its first
 * runs; a later sweep with a changed command or changed files is refused
 * (its runs would mix results from different code) unless allowed.
 */
import { resolve } from "node:path";
import { statSync } from "node:fs";
import { canonicalJson, changedParts, collectFingerprint, diffFingerprints, formatDifferences, sha256, StoreError } from "../store/index.ts";
import type { Store } from "../store/types.ts";
import type { SweepVariant } from "./sweep-types.ts";

/** Fingerprint keys that do not matter to an external command's results. */
const SWEEP_FINGERPRINT_IGNORE = ["argv", "git", "versions", "lockfile"];
/** A run that ended: kept, never redone (sweep-run.ts). */
const FINAL_STATES = new Set(["finished", "failed", "diverged"]);

export interface VariantState {
  variant: SweepVariant;
  specHash: string;
  fingerprintHash: string;
}

function sameCommand(a: unknown, b: SweepVariant): boolean {
  return canonicalJson(a ?? null) === canonicalJson({ command: b.command, env: b.env ?? {} });
}

export function commandText(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./=:@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function fileArgs(cwd: string, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a.startsWith("-") || /\s/.test(a)) continue;
    try {
      const st = statSync(resolve(cwd, a));
      if (st.isFile() && st.size <= 50 * 1024 * 1024) out.push(a);
    } catch {
      // not a file
    }
  }
  return out;
}

export async function prepareVariants(store: Store, study: string, variants: SweepVariant[], cwd: string, allowChanged: boolean, warn: (s: string) => void): Promise<VariantState[]> {
  const stored = await store.listVariants(study);
  const runs = await store.listRuns({ study });
  const states: VariantState[] = [];
  for (const v of variants) {
    const key = { command: v.command, env: v.env ?? {} };
    const specHash = sha256(canonicalJson({ kind: "sweep", variant: v.name, ...key }));
    const fingerprint = await collectFingerprint({ cwd, files: fileArgs(cwd, v.command), argv: v.command });
    const fingerprintHash = await store.putFingerprint(fingerprint);
    const before = stored.find((s) => s.name === v.name);
    const cfg = before?.config as { command?: string[]; env?: Record<string, string>; fingerprintHash?: string } | undefined;
    const earlier = runs.filter((r) => r.variants.length === 1 && r.variants[0] === v.name);
    if (cfg && earlier.length > 0) {
      if (!sameCommand({ command: cfg.command, env: cfg.env ?? {} }, v)) {
        const msg =
          `variant '${v.name}' of sweep '${study}' was swept with \`${commandText(cfg.command ?? [])}\`${cfg.env && Object.keys(cfg.env).length ? ` (env ${JSON.stringify(cfg.env)})` : ""}, ` +
          `not \`${commandText(v.command)}\`${v.env && Object.keys(v.env).length ? ` (env ${JSON.stringify(v.env)})` : ""}`;
        if (!allowChanged) {
          throw new StoreError(`${msg}. Give the new command another variant name (--variant NAME) or another sweep name (--name), or pass --allow-changed to replace it (its ${earlier.length} earlier run(s) stay in the store but leave the statistics).`);
        }
        warn(`${msg}; replacing it (--allow-changed): its ${earlier.length} earlier run(s) stay in the store but leave the statistics`);
      } else if (cfg.fingerprintHash && cfg.fingerprintHash !== fingerprintHash) {
        const old = await store.getFingerprint(cfg.fingerprintHash);
        const diffs = diffFingerprints(old?.fingerprint ?? {}, fingerprint, { ignore: SWEEP_FINGERPRINT_IGNORE });
        if (diffs.length > 0) {
          if (!allowChanged) {
            throw new StoreError(
              `variant '${v.name}' of sweep '${study}' began with another fingerprint: its ${changedParts(diffs)} changed since its ${earlier.length} run(s) were made:\n${formatDifferences(diffs)}\n` +
                `Go back to what the sweep began with, or give the sweep a new name (--name). With --allow-changed, its ${earlier.filter((r) => FINAL_STATES.has(r.status)).length} run(s) that already ended are kept and the rest run with the changed ${changedParts(diffs)}: one verdict then mixes runs made before and after the change.`,
            );
          }
          warn(`variant '${v.name}' continues with a changed fingerprint (--allow-changed):\n${formatDifferences(diffs)}`);
        }
      }
    }
    states.push({ variant: v, specHash, fingerprintHash: cfg && earlier.length > 0 && sameCommand({ command: cfg.command, env: cfg.env ?? {} }, v) && cfg.fingerprintHash ? cfg.fingerprintHash : fingerprintHash });
  }
  // Keep the stored order; update or append this sweep's variants.
  const order = stored.map((s) => ({ name: s.name, config: s.config }));
  for (const s of states) {
    const config = { kind: "sweep", command: s.variant.command, env: s.variant.env ?? {}, fingerprintHash: s.fingerprintHash };
    const i = order.findIndex((o) => o.name === s.variant.name);
    if (i >= 0) order[i] = { name: s.variant.name, config };
    else order.push({ name: s.variant.name, config });
  }
  await store.putVariants(study, order);
  return states;
}
