/**
 * Data sources of the report and the dashboard: a twin log folder, the
 * experiment store, or both. None writes anything.
 */
export * from "./sources/log-dir.ts";
export * from "./sources/store.ts";
export * from "./sources/multi.ts";
export * from "./sources/store-predictions.ts";
export { RunIndex, statusFromTail } from "./sources/run-index.ts";
