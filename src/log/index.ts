/**
 * twin's logs: TensorBoard event files (TFRecord framing, Event / Summary
 * protos, scalars, texts, HParams plugin data), JSON Lines, and the
 * `RunLogger` that writes both for one run under
 * `<logdir>/<study>/<variant>/seed-<n>/`.
 */
export * from "./crc32c.ts";
export * from "./tfrecord.ts";
export * from "./event.ts";
export * from "./hparams.ts";
export * from "./event-writer.ts";
export * from "./event-reader.ts";
export * from "./jsonl.ts";
export * from "./metrics-jsonl.ts";
export * from "./run-logger.ts";
