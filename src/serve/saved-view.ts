/**
 * Views saved between runs of the dashboard (in a log folder's index): the
 * key of a study's view under given options, and the signature of the data it
 * was built from (its seeds' change stamps). A saved view is current while
 * the signature of the data now is the same. The key carries the view's
 * format: a view saved by a version that built views otherwise is never
 * found, so it is built again instead of being shown.
 */
import { createHash } from "node:crypto";
import type { ReportOptions } from "../report/model/index.ts";
import type { DataSource } from "../report/types.ts";
import type { ViewBody } from "./view-builder.ts";

/**
 * The format of the views saved: bump it whenever a view's body changes in a
 * way the page would show wrongly. 2: charts as Vega-Lite specs drawn by the
 * page (format 1, with no number in the key, held SVG figures drawn on the
 * server, shown as they were until the first update brought specs). 3: a
 * share of variance and its interval within [0, 100%], runs set aside drawn
 * apart in the seed distributions (a finished study's view saved before would
 * have shown "626% [63%, 577017%]" for good, its data never changing).
 */
export const SAVED_VIEW_FORMAT = 3;

export function savedViewKey(name: string, options: ReportOptions): string {
  return `${name}\u0000${JSON.stringify(options)}\u0000${SAVED_VIEW_FORMAT}`;
}

/** The study and options of a key made by {@link savedViewKey}; an error for a key of another format. */
export function parseSavedViewKey(key: string): { name: string; options: ReportOptions } {
  const [name, options, format] = key.split("\u0000");
  if (format !== String(SAVED_VIEW_FORMAT)) throw new Error(`a view saved in format ${format ?? 1}, not ${SAVED_VIEW_FORMAT}`);
  return { name: name!, options: JSON.parse(options!) as ReportOptions };
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
