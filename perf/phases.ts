// Phase timings of a check, for profiling (not a test; it only reports): lexing, the CST parse, the
// AST, whole and in pieces, the incremental re-parse, and compile warm and cold. Medians of 9 runs.
// Run: node --import tsx perf/phases.ts
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "../lang/build-ast.ts";
import { compile } from "../lang/compile.ts";
import { parseIncremental, cuts } from "../lang/incremental-parse.ts";
import { parseText, tokenize } from "../lang/parser.ts";
import { loadStudy, type Host } from "../lang/program.ts";
import { bigStudy } from "./big-study.ts";
import { applyV8Flags } from "../runtime/cli/v8-flags.ts";

// the V8 settings `scdx` runs with, so the in-process rows time what a user gets
applyV8Flags();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
function time(name: string, f: (i: number) => void, runs = 9): void {
  for (let i = 0; i < 3; i++) f(-1 - i);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f(i);
    ts.push(performance.now() - t0);
  }
  console.log(
    `${name.padEnd(50)} ${median(ts).toFixed(1).padStart(8)} ms  [${Math.min(...ts).toFixed(1)}–${Math.max(...ts).toFixed(1)}]`,
  );
}
for (const n of [10_000, 2000]) {
  const text = bigStudy(n);
  const pieces = cuts(text).map((c, k, a) => text.slice(c, a[k + 1] ?? text.length));
  console.log(`--- ${n} lines, ${pieces.length} pieces`);
  time("lex whole", () => tokenize(text));
  time("lex+CST whole", () => parseText(text));
  time("parse whole (lex+CST+AST)", () => parse(text, "x"));
  time("lex pieces", () => {
    for (const p of pieces) tokenize(p);
  });
  time("lex+CST pieces", () => {
    for (const p of pieces) parseText(p);
  });
  time("parse pieces", () => {
    for (const p of pieces) parse(p, "x");
  });
  time("parseIncremental cold", () => parseIncremental(text, "x", new Map()));
  const prev = parseIncremental(text, "x", new Map()).pieces;
  time("parseIncremental, 1 piece changed", (i) =>
    parseIncremental(text.replace("lambda_0 = 0 ", `lambda_0 = 0.${i + 5} `), "x", prev),
  );
  const host: Host = { readFile: () => text, display: (f) => path.relative(root, f) };
  time("loadStudy warm (cached parse)", () => loadStudy(path.join(root, "perf", `w${n}.scd`), host));
  time("compile warm (cached parse)", () => compile(path.join(root, "perf", `w${n}.scd`), host));
  time("compile cold", (i) => compile(path.join(root, "perf", `c${n}-${i}.scd`), host));
}
