/**
 * A variant worker thread: rebuilds its variants from their module, then
 * answers the trainer's messages one at a time (see hosts.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { setNumThreads, setStrictRandom } from "../torch/runtime.ts";
import { VariantGroup, type HostInit, type VariantsModule } from "./hosts.ts";
import type { MetricAccumulator, VariantFactory } from "./types.ts";

const data = workerData as { module: VariantsModule; init: HostInit; threads: number };
setNumThreads(data.threads);
setStrictRandom(true);

async function loadVariants(m: VariantsModule): Promise<{ variants: Record<string, VariantFactory>; metrics?: () => MetricAccumulator }> {
  const url = m.path.startsWith("file:") ? m.path : pathToFileURL(m.path).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const holder = mod[m.exportName ?? "default"] as { variants?: Record<string, VariantFactory>; metrics?: () => MetricAccumulator } | undefined;
  if (!holder?.variants) throw new Error(`${m.path}: export '${m.exportName ?? "default"}' has no 'variants'`);
  return { variants: holder.variants, metrics: holder.metrics };
}

let group: VariantGroup | undefined;
let startError: string | undefined;
try {
  const loaded = await loadVariants(data.module);
  group = new VariantGroup(loaded.variants, data.init, loaded.metrics);
} catch (e) {
  startError = (e as Error).message;
}

type Method = (...args: never[]) => unknown;

parentPort!.on("message", (m: { id: number; method: string; args: unknown[] }) => {
  try {
    if (startError !== undefined) throw new Error(startError);
    let value: unknown;
    if (m.method === "ready") value = true;
    else {
      const fn = (group as unknown as Record<string, Method>)[m.method];
      if (typeof fn !== "function") throw new Error(`unknown request '${m.method}'`);
      value = fn.apply(group, m.args as never[]);
      if (m.method === "dispose") group = undefined;
    }
    parentPort!.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});
