#!/usr/bin/env node
// The `scdx` binary runs the TypeScript sources through tsx (a runtime dependency), so a plain
// `npm ci` is all the set-up there is: no build step, no stale dist/. Checking never loads tfjs.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// scdx's own tsconfig, wherever the user's working directory is: tsx would otherwise look for one
// there, and .tsx files (the Ink UI) would compile without its JSX settings ("React is not defined").
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
process.env.SCDX_BIN = "1";
await import("../runtime/cli/main.ts");
