/** Rendered mark items of a Vega-Lite spec (vega's headless scenegraph), to test what is really drawn. */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VlSpec } from "../../src/report/charts/common.ts";

export interface MarkItem {
  shape?: string;
  x?: number;
  y?: number;
  y2?: number;
  stroke?: string;
  fill?: string;
  opacity?: number;
  datum?: Record<string, unknown>;
}

interface SceneNode {
  marktype?: string;
  role?: string;
  name?: string;
  items?: SceneNode[];
  x?: number;
  y?: number;
  y2?: number;
  datum?: Record<string, unknown>;
}

/** The rendered view of a Vega-Lite spec's scenegraph root, handed to `read` before the view is freed. */
async function scene<T>(spec: VlSpec, read: (root: SceneNode) => T): Promise<T> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: "none" });
  await view.runAsync();
  try {
    return read((view.scenegraph() as unknown as { root: SceneNode }).root);
  } finally {
    view.finalize();
  }
}

/** Every legend's symbols as drawn, by the value each stands for (a legend entry's `datum.value`). */
export async function legendSymbols(spec: VlSpec): Promise<Map<string, MarkItem>> {
  return scene(spec, (root) => {
    const out = new Map<string, MarkItem>();
    const walk = (node: SceneNode): void => {
      if (node.role === "legend-symbol") for (const item of (node.items ?? []) as MarkItem[]) out.set(String(item.datum!.value), item);
      for (const child of node.items ?? []) walk(child);
    };
    walk(root);
    return out;
  });
}

/** vega's text measure (exported by vega, not in its typings): a canvas's where there is one, else its estimate from the font size. */
const textWidth = (vega as unknown as { textMetrics: { width(item: object, text: string): number } }).textMetrics.width;

/** Every axis label as drawn: its text, the width it needs (vega's text metrics) and the width Vega cuts it to ("…" beyond). */
export async function axisLabels(spec: VlSpec): Promise<{ text: string; width: number; limit: number }[]> {
  return scene(spec, (root) => {
    const out: { text: string; width: number; limit: number }[] = [];
    const walk = (node: SceneNode): void => {
      if (node.role === "axis-label") {
        for (const item of (node.items ?? []) as (SceneNode & { text?: string; limit?: number })[]) {
          out.push({ text: String(item.text), width: textWidth({ ...item, limit: undefined }, item.text ?? ""), limit: item.limit ?? Infinity });
        }
      }
      for (const child of node.items ?? []) walk(child);
    };
    walk(root);
    return out;
  });
}

/** Items of every mark named `name` (a Vega-Lite layer `name` gives the mark `<name>_marks`), one list per series. */
export async function markItems(spec: VlSpec, name: string): Promise<MarkItem[][]> {
  return scene(spec, (root) => {
    const out: MarkItem[][] = [];
    const walk = (node: SceneNode): void => {
      if (node.marktype && node.name === `${name}_marks`) out.push((node.items ?? []) as MarkItem[]);
      for (const child of node.items ?? []) walk(child);
    };
    walk(root);
    return out;
  });
}
