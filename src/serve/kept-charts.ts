/**
 * A study view without the drawings the page already shows: the page says
 * which chart drawings it holds (`?have=<key>,<key>`, the keys of the view's
 * `charts`), and each figure whose drawing has one of those keys is sent
 * without it, marked `data-kept`; the page moves its own drawing in. An
 * update of a study of 10,000 runs then sends the one or two charts whose data
 * changed (tens of kilobytes) instead of every chart's SVG (about 1 MB).
 */
import { esc } from "../report/escape.ts";
import type { ViewBody } from "./view-builder.ts";

/** The keys a page says it holds (hex digests, comma-separated; anything else is ignored). */
export function parseHave(param: string | null): Set<string> {
  return new Set((param ?? "").split(",").filter((k) => /^[0-9a-f]{8,64}$/.test(k)));
}

/**
 * The view with the SVG of every chart whose key is in `have` taken out of its
 * figure (html.ts's figure(): the drawing sits between the figure's opening
 * tag and its `<figcaption>`); the view itself when there is nothing to take out.
 */
export function withoutKeptCharts<T extends Pick<ViewBody, "html" | "charts">>(view: T, have: ReadonlySet<string>): T {
  if (have.size === 0) return view;
  let html = view.html;
  let kept = 0;
  for (const c of view.charts) {
    if (c.key === undefined || !have.has(c.key)) continue;
    const open = html.indexOf(`<figure class="chart" id="chart-${esc(c.id)}" `);
    const openEnd = open < 0 ? -1 : html.indexOf(">", open);
    const caption = openEnd < 0 ? -1 : html.indexOf("<figcaption>", openEnd);
    if (caption < 0 || !html.startsWith("<svg", openEnd + 1)) continue;
    html = html.slice(0, openEnd) + " data-kept" + html.slice(openEnd, openEnd + 1) + html.slice(caption);
    kept++;
  }
  return kept === 0 ? view : { ...view, html };
}
