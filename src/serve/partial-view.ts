/**
 * What the dashboard shows of a study while its first view is being built
 * from logs read for the first time (10,000 runs take tens of seconds): how
 * far the reading has come, and no verdict, chart or statistic, since any of
 * them on the runs read so far could differ from the one on all the runs.
 */
import { esc } from "../report/escape.ts";
import type { StudyListing } from "../report/types.ts";
import type { BuildProgress } from "./view-builder.ts";

/** A view body marked `partial`, with the runs read so far (from the build's progress) of the runs listed. */
export function partialViewBody(listing: StudyListing, progress: BuildProgress | undefined, version: number): Record<string, unknown> {
  const n = (x: number) => x.toLocaleString("en-US");
  const read = progress?.runsRead ?? 0;
  const where = progress ? `${n(read)} of ${n(listing.runs)} runs read` : `starting (${n(listing.runs)} runs to read)`;
  return {
    name: listing.name,
    partial: { runsRead: read, runs: listing.runs, seedsRead: progress?.seedsRead ?? 0, seeds: progress?.seeds ?? listing.seeds },
    variants: listing.variants,
    seeds: listing.seeds,
    runs: listing.runs,
    charts: [],
    html:
      `<section id="partial" class="partial"><p><strong>Reading logs: ${esc(where)}.</strong></p>` +
      `<p>This is not the study's view yet: its verdict, charts and statistics are shown once every run has been read ` +
      `(a verdict on part of the seeds could differ from the verdict on all of them). This page updates by itself.</p></section>`,
    updatedAt: Date.now(),
    version,
  };
}
