// The direct parser (lang/direct-parse.ts) must accept exactly the text the CST parser accepts
// without errors and build exactly its AST: compared on every .scd in the repository, the
// generated perf study, and seeded mutations of them (most of which do not parse; those must be
// rejected, so the CST path reports them).
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "../../lang/build-ast.ts";
import { bigStudy } from "../../perf/big-study.ts";
import { bases, mulberry32, mutate, snippets } from "../support/fuzz-corpus.ts";
import { repoRoot, scdFiles } from "../support/golden.ts";

const files = ["examples", "test/fixtures"].flatMap((d) => scdFiles(path.join(repoRoot, d), true));

function same(text: string, what: string): void {
  const direct = parse(text, "f.scd");
  const cst = parse(text, "f.scd", 0, false);
  assert.equal(direct, cst, what);
}

test("the direct parser builds the CST path's AST and diagnostics for every .scd file", () => {
  assert.ok(files.length > 20);
  for (const f of files) same(fs.readFileSync(f, "utf8"), f);
  same(bigStudy(500), "the generated study");
  for (const s of Object.values(snippets)) same(s, s);
});

test("the direct parser agrees on mutated text, parsing or not", () => {
  const texts = [...bases.map((b) => b.text), ...Object.values(snippets)];
  for (let i = 0; i < 3000; i++) {
    const rnd = mulberry32(0x5cd + i);
    const { text } = mutate(texts[i % texts.length]!, rnd);
    same(text, `variant ${i}:\n${text}`);
  }
});

test("pieces parsed at an offset agree too", () => {
  const text = "model m = clip(arch: vit_tiny, width: -(2 * 32))\nparam p = 1e999 in [0, 4)\n";
  const direct = parse(text, "f.scd", 100);
  assert.equal(direct, parse(text, "f.scd", 100, false));
  assert.is(direct.diagnostics[0]!.code, "SCD1005");
});

test.run();
