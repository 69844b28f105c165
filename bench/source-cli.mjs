// The `twin` command from the TypeScript sources through tsx, as bin/twin.js
// runs it in a checkout being edited (and as every command ran before dist/):
// tsx, "twin" in study files resolved to src/index.ts, then src/cli/main.ts.
const { registerTwin } = await import("../src/boot/register.mjs");
registerTwin();
await import("../src/cli/main.ts");
