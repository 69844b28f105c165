/** Rendered mark items of a Vega-Lite spec (vega's headless scenegraph), to test what is really drawn. */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VlSpec } from "../../src/report/charts/common.ts";

export interface MarkItem {
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
  name?: string;
  items?: SceneNode[];
  x?: number;
  y?: number;
  y2?: number;
  datum?: Record<string, unknown>;
}

/** Items of every mark named `name` (a Vega-Lite layer `name` gives the mark `<name>_marks`), one list per series. */
export async function markItems(spec: VlSpec, name: string): Promise<MarkItem[][]> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: "none" });
  await view.runAsync();
  const out: MarkItem[][] = [];
  const walk = (node: SceneNode): void => {
    if (node.marktype && node.name === `${name}_marks`) out.push((node.items ?? []) as MarkItem[]);
    for (const child of node.items ?? []) walk(child);
  };
  walk((view.scenegraph() as unknown as { root: SceneNode }).root);
  view.finalize();
  return out;
}
