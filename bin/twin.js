#!/usr/bin/env node
// The `twin` command: runs the TypeScript CLI through tsx (study files anywhere may import "twin").
import { registerTwin } from "../src/boot/register.mjs";

registerTwin();
await import("../src/cli/main.ts");
