// Entry of a variant worker thread: TypeScript through tsx ("twin" resolved to this installation), then the host loop.
import { registerTwin } from "../boot/register.mjs";

registerTwin();
await import("./worker-main.ts");
