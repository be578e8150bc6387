// Performance harness for `scdx lsp` (not a test: it reports, it never fails on a time).
//   (a) keystroke → diagnostics, in process: Workspace re-check of a 2,000-line study  target ≤ 50 ms
//   (b) keystroke → publishDiagnostics over stdio, the same study, a real server         target ≤ 50 ms
//   (c) full check of the 10,000-line generated study (perf/check.ts (a))               target ≤ 100 ms
//   (d) keystroke → publishDiagnostics over stdio in a 1,000-trial sweep file          target ≤ 1 s
// Medians after warm-up. A keystroke changes a param's default (a new text every time).
// Run: node --import tsx perf/lsp.ts      (or npm run perf:lsp)
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { compile } from "../lang/compile.ts";
import type { Host } from "../lang/program.ts";
import { fileDiagnostics } from "../runtime/lsp/diagnostics.ts";
import { Workspace } from "../runtime/lsp/workspace.ts";
import { startLsp } from "../test/support/lsp-client.ts";
import { bigStudy } from "./big-study.ts";
import { applyV8Flags, V8_FLAGS } from "../runtime/cli/v8-flags.ts";

// the V8 settings `scdx` runs with, so the in-process rows time what a user gets
applyV8Flags();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WARMUP = 3;
const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The text after keystroke `i`: a different fraction after `lambda_0 = 0` each time, so no
 * keystroke finds its text parsed already (lang/program.ts keeps the last parse of each file). */
const keystroke = (text: string, i: number) => text.replace("lambda_0 = 0 ", `lambda_0 = 0.${i + 1} `);

const rows: { name: string; ms: number; target: number }[] = [];
const text2k = bigStudy(2000);
const path2k = path.join(root, "perf", "lsp-2k.scd"); // never written: the editor's unsaved buffer

// (a) ---------------------------------------------------------------------------------------------
{
  const ws = new Workspace();
  const uri = pathToFileURL(path2k).href;
  const ts: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const doc = TextDocument.create(uri, "scd", i + 1, keystroke(text2k, i));
    const t0 = performance.now();
    ws.set(doc);
    const d = fileDiagnostics(ws.analyze(path2k));
    const ms = performance.now() - t0;
    if (d.length) throw new Error(`the 2,000-line study is not clean: ${d[0]!.message}`);
    if (i >= WARMUP) ts.push(ms);
  }
  rows.push({
    name: `(a) in process: re-check after a keystroke, ${text2k.split("\n").length - 1} lines`,
    ms: median(ts),
    target: 50,
  });
}

// (b), (d) ----------------------------------------------------------------------------------------
async function overStdio(file: string, text: string, edit: (text: string, i: number) => string): Promise<number> {
  const s = await startLsp(root);
  try {
    const uri = pathToFileURL(file).href;
    await s.open(path.relative(root, file), text);
    const ts: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const t0 = performance.now();
      await s.change(uri, i + 2, edit(text, i + 1));
      if (i >= WARMUP) ts.push(performance.now() - t0);
    }
    if (s.errors.length) throw new Error(s.errors[0]);
    return median(ts);
  } finally {
    await s.close();
  }
}
rows.push({
  name: "(b) over stdio: keystroke → publishDiagnostics, 2,000 lines",
  ms: await overStdio(path2k, text2k, keystroke),
  target: 50,
});

// (c) ---------------------------------------------------------------------------------------------
{
  const text = bigStudy(10_000);
  const host: Host = { readFile: () => text, display: (f) => path.relative(root, f) };
  const ts: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    // a new file each run: lang/program.ts reuses the parse of a file it has seen, and this is
    // the cold check (`scdx check`'s case), a whole parse included
    const r = compile(path.join(root, "perf", `big-${i}.scd`), host);
    if (i >= WARMUP) ts.push(performance.now() - t0);
    if (r.diagnostics.length) throw new Error("the 10,000-line study is not clean");
  }
  rows.push({
    name: `(c) full check, generated study, ${text.split("\n").length - 1} lines`,
    ms: median(ts),
    target: 100,
  });
}

// (d) ---------------------------------------------------------------------------------------------
{
  const designPath = path.join(root, "examples/shapes/design.scd");
  const design = fs.readFileSync(designPath, "utf8");
  const list = (f: (i: number) => number) => `[${Array.from({ length: 10 }, (_, i) => +f(i).toFixed(6)).join(", ")}]`;
  const sweep = `sweep grid(lambda: ${list((i) => i * 0.4)}, tau: ${list((i) => (i + 1) / 10)}, seed: ${list((i) => i + 1)})`;
  const text = design.replace(/^sweep\b[^\n]*(\n[ \t]+[^\n]*)*/m, sweep);
  // a keystroke in a comment: the whole sweep is re-checked all the same
  const edit = (t: string, i: number) => `${t}\n// keystroke ${i}\n`;
  rows.push({
    name: "(d) over stdio: keystroke → publishDiagnostics, 1,000-trial sweep",
    ms: await overStdio(designPath, text, edit),
    target: 1000,
  });
}

const fmt = (ms: number) => `${(ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)).padStart(7)} ms`;
console.log(
  `scdx lsp performance — node ${process.version}, ${process.platform}/${process.arch}, V8 ${V8_FLAGS.join(" ")} (as scdx); medians of ${RUNS} runs (${WARMUP} warm-up)\n`,
);
console.log(`${"workload".padEnd(68)} ${"median".padStart(10)} ${"target".padStart(10)}  ratio`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(68)} ${fmt(r.ms)} ${fmt(r.target)}  ${(r.ms / r.target).toFixed(2)}${r.ms > r.target ? "  over target" : ""}`,
  );
