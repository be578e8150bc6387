#!/usr/bin/env node
// The `scdx` binary runs the TypeScript sources through tsx (a runtime dependency), so a plain
// `npm ci` is all the set-up there is: no build step, no stale dist/. Checking never loads tfjs.
import { register } from "tsx/esm/api";

register();
process.env.SCDX_BIN = "1";
await import("../runtime/cli/main.ts");
