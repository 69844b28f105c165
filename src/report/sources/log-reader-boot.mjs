// Entry of a log reader thread from the sources: TypeScript through tsx, then the reader.
import { registerTwin } from "../../boot/register.mjs";

registerTwin();
await import("./log-reader-worker.ts");
