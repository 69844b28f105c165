/**
 * Views saved between runs of the dashboard (in a log folder's index): the
 * key of a study's view under given options, and the signature of the data it
 * was built from (its seeds' change stamps). A saved view is current while
 * the signature of the data now is the same.
 */
import { createHash } from "node:crypto";
import type { ReportOptions } from "../report/model/index.ts";
import type { DataSource } from "../report/types.ts";
import type { ViewBody } from "./view-builder.ts";

export function savedViewKey(name: string, options: ReportOptions): string {
  return `${name}\u0000${JSON.stringify(options)}`;
}

/** The study and options of a key made by {@link savedViewKey}. */
export function parseSavedViewKey(key: string): { name: string; options: ReportOptions } {
  const at = key.indexOf("\u0000");
  return { name: key.slice(0, at), options: JSON.parse(key.slice(at + 1)) as ReportOptions };
}

/** SHA-256 over every seed's stamp, in the source's seed order. */
export function stampSignature(stamps: ReadonlyMap<string, string>): string {
  const h = createHash("sha256");
  for (const [seed, stamp] of stamps) h.update(`${seed}\u0000${stamp}\n`);
  return h.digest("hex");
}

/**
 * The view of a study saved in the source (undefined: none), and whether the
 * data is still what it was built from (`current`); one that is not current
 * is shown only as the last view built, marked as being updated.
 */
export async function savedView(source: DataSource, name: string, options: ReportOptions): Promise<{ body: ViewBody; current: boolean } | undefined> {
  const saved = source.savedViews?.();
  if (!saved || !source.seedStamps) return undefined;
  const hit = saved.view(savedViewKey(name, options));
  if (!hit) return undefined;
  const stamps = await source.seedStamps(name);
  if (!stamps) return undefined;
  return { body: { ...(JSON.parse(hit.body) as ViewBody), seedsRead: 0 }, current: stampSignature(stamps) === hit.signature };
}
