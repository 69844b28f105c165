// Entry of the dashboard's view worker thread: TypeScript through tsx, then the worker loop.
import { registerTwin } from "../boot/register.mjs";

registerTwin();
await import("./view-worker-main.ts");
