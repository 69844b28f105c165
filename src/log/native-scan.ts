/**
 * The native line scanner (native/scan.cc, built as build/Release/twin_scan.node
 * beside the engine's addon; plain N-API without libtorch, so that any thread
 * loads it): reads a stretch of twin's own scalars lines of a metrics.jsonl in
 * one call and gives each tag's points as packed arrays, with the values
 * scalars-line.ts gives (numbers correctly rounded by C++17 std::from_chars;
 * test/log/native-scan.test.ts compares the two, and both with JSON.parse).
 * `TWIN_SCAN_ADDON` names another build of it; `TWIN_SCAN_ADDON=none` turns it
 * off. Without it (not built, or not loadable here) the logs are read by the
 * JavaScript scanner, which stays the reference: the same values, about
 * three times slower (docs/serve-at-scale.md, "The cold read, session 8");
 * `twin serve` then says why ({@link nativeScanMissing}).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Reads the complete lines of bytes[start, end) from `start` while they are
 * scalars lines in twin's exact form (scalars-line.ts). Returns `[next, lines,
 * tag, steps, values, increasing, tag, …]`: `next` is where the first line
 * not read starts (`end` when every line was read), `lines` how many were
 * read, then per tag, in the order tags first came, its points in the order
 * of their lines (two arrays sharing an ArrayBuffer of their own) and whether
 * their steps increase.
 */
export type ScanScalars = (bytes: Uint8Array, start: number, end: number) => (number | string | Float64Array | boolean)[];

/** The compiled scanner's path; TWIN_SCAN_ADDON overrides it ("none": not used). */
export const scanAddonPath = process.env.TWIN_SCAN_ADDON ?? fileURLToPath(new URL("../../build/Release/twin_scan.node", import.meta.url));

function load(): { scan: ScanScalars | null; why?: string } {
  if (scanAddonPath === "none") return { scan: null };
  if (!existsSync(scanAddonPath)) return { scan: null, why: `${scanAddonPath} is missing: build it with npm run build:native (or bash scripts/setup.sh)` };
  try {
    const addon = createRequire(import.meta.url)(scanAddonPath) as { scanScalars?: ScanScalars };
    if (typeof addon.scanScalars !== "function") return { scan: null, why: `${scanAddonPath} has no scanScalars: rebuild it with npm run build:native` };
    return { scan: addon.scanScalars };
  } catch (e) {
    return { scan: null, why: `${scanAddonPath} could not be loaded (${(e as Error).message}): rebuild it with npm run build:native` };
  }
}

const loaded = load();

/** The native scanner, or null: logs are then read by the JavaScript scanner alone (the same values, slower). */
export const nativeScan: ScanScalars | null = loaded.scan;

/** Why {@link nativeScan} is null: what to tell the user (undefined when it is loaded, or turned off with TWIN_SCAN_ADDON=none). */
export const nativeScanMissing: string | undefined = loaded.why;
