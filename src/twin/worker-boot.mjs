// Entry of a variant worker thread: TypeScript through tsx, then the host loop.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
