/**
 * The event-file reader (log/event-reader.ts) as the log folder source uses
 * it: only runs without a metrics.jsonl (other tools' TensorBoard logs) need
 * it, and its protocol-buffer runtime costs about 20 ms of CPU to set up
 * (descriptor.proto booted, the messages' registry built). Here it is imported
 * as any module; in the dashboard's view worker, compiled as one CommonJS file,
 * scripts/bundle.mjs gives this file another body that requires the reader
 * (built beside the worker as dist/serve/event-reader.cjs) the first time a run
 * needs it, so that a worker started after a restart does not set it up.
 */
import * as reader from "../../log/event-reader.ts";

export function eventReader(): typeof reader {
  return reader;
}
