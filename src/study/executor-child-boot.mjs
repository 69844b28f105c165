// Entry of a local pool worker process: TypeScript through tsx ("twin" resolved to this installation), then the child loop.
import { registerTwin } from "../boot/register.mjs";

registerTwin();
await import("./executor-child.ts");
