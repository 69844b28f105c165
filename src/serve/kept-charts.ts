/**
 * A study view without the charts the page already draws: the page says
 * which charts it holds drawn (`?have=<key>,<key>`, the keys of the view's
 * `charts`: digests of their specs), and each figure whose chart has one of
 * those keys is sent without its spec, marked `data-kept`; the page moves its
 * own drawing in. An update of a study of 10,000 runs then sends the specs of
 * the one or two charts whose data changed instead of every chart's.
 */
import { esc } from "../report/escape.ts";
import type { ViewBody } from "./view-builder.ts";

/** The keys a page says it holds (hex digests, comma-separated; anything else is ignored). */
export function parseHave(param: string | null): Set<string> {
  return new Set((param ?? "").split(",").filter((k) => /^[0-9a-f]{8,64}$/.test(k)));
}

/** What html.ts's figure() puts between a figure's opening tag and its `<figcaption>`: the place of the drawing, and the spec. */
const SPEC_OPEN = `<div class="chart-view"></div><script type="application/json" class="chart-spec">`;
const SPEC_CLOSE = "</script>";

/**
 * The view with the spec of every chart whose key is in `have` taken out of
 * its figure (the figure marked `data-kept` instead); the view itself when
 * there is nothing to take out.
 */
export function withoutKeptCharts<T extends Pick<ViewBody, "html" | "charts">>(view: T, have: ReadonlySet<string>): T {
  if (have.size === 0) return view;
  const parts: string[] = [];
  let from = 0;
  for (const c of view.charts) {
    if (c.key === undefined || !have.has(c.key)) continue;
    const open = view.html.indexOf(`<figure class="chart" id="chart-${esc(c.id)}" `, from);
    const openEnd = open < 0 ? -1 : view.html.indexOf(">", open);
    if (openEnd < 0 || !view.html.startsWith(SPEC_OPEN, openEnd + 1)) continue;
    // The spec's text has every "<" escaped (chart-runtime.ts specScriptText): its first "</script>" ends it.
    const end = view.html.indexOf(SPEC_CLOSE, openEnd + 1 + SPEC_OPEN.length);
    if (end < 0) continue;
    parts.push(view.html.slice(from, openEnd), " data-kept>");
    from = end + SPEC_CLOSE.length;
  }
  return parts.length === 0 ? view : { ...view, html: parts.join("") + view.html.slice(from) };
}
