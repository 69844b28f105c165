/**
 * A variant worker thread: loads the variants module once, then answers the
 * trainer's messages one at a time (see hosts.ts). Each run opens a fresh
 * group of variants and closes it at the end.
 */
import { parentPort, workerData } from "node:worker_threads";
import { setNumThreads, setStrictRandom } from "../torch/runtime.ts";
import { importExport } from "./import-module.ts";
import { VariantGroup, type HostInit, type VariantsModule } from "./hosts.ts";
import type { MetricAccumulator, VariantFactory } from "./types.ts";

const data = workerData as { module: VariantsModule; threads: number };
setNumThreads(data.threads);
setStrictRandom(true);

async function loadVariants(m: VariantsModule): Promise<{ variants: Record<string, VariantFactory>; metrics?: () => MetricAccumulator }> {
  const exportName = m.exportName ?? "default";
  const holder = (await importExport(m.path, exportName, "variants module")) as { variants?: Record<string, VariantFactory>; metrics?: () => MetricAccumulator } | undefined;
  if (!holder?.variants) throw new Error(`${m.path}: export '${exportName}' has no 'variants'`);
  // TwinConfig.metrics (a function) cannot cross threads: workers take it from the same export.
  return { variants: holder.variants, metrics: holder.metrics };
}

let factories: Awaited<ReturnType<typeof loadVariants>> | undefined;
let loadError: string | undefined;
try {
  factories = await loadVariants(data.module);
} catch (e) {
  loadError = (e as Error).message;
}
let group: VariantGroup | undefined;

type Method = (...args: never[]) => unknown;

function handle(method: string, args: unknown[]): unknown {
  if (loadError !== undefined) throw new Error(loadError);
  if (method === "ready") return true;
  if (method === "open") {
    group?.dispose();
    group = new VariantGroup(factories!.variants, args[0] as HostInit, factories!.metrics);
    return true;
  }
  if (method === "close") {
    group?.dispose();
    group = undefined;
    return true;
  }
  if (group === undefined) throw new Error(`request '${method}' before the run's variants were opened`);
  const fn = (group as unknown as Record<string, Method>)[method];
  if (typeof fn !== "function") throw new Error(`unknown request '${method}'`);
  return fn.apply(group, args as never[]);
}

parentPort!.on("message", (m: { id: number; method: string; args: unknown[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, ok: true, value: handle(m.method, m.args) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});
