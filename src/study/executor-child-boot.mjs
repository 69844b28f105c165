// Entry of a local pool worker process: TypeScript through tsx, then the child loop.
import { register } from "tsx/esm/api";

register();
await import("./executor-child.ts");
