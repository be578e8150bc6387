// Chevrotain's package entry imports ~650 lodash-es modules one by one, which costs ~250 ms per
// cold start (more through tsx's loader) — most of `scdx check`'s wall time. The package also
// ships the same library as one ES module bundle, hidden by its `exports` map; load that by path.
import type * as Chevrotain from "chevrotain";
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const entry = createRequire(import.meta.url).resolve("chevrotain"); // …/chevrotain/lib/src/api.js
const bundle = pathToFileURL(path.join(path.dirname(entry), "..", "chevrotain.mjs")).href;
const lib = (await import(bundle)) as typeof Chevrotain;

export const { createToken, Lexer, CstParser } = lib;
