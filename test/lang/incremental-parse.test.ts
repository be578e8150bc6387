// The incremental parse equals the one-shot parse: on every example, and on fuzz mutations of them
// parsed incrementally from the unmutated text (the editor's situation after a keystroke).
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "../../lang/build-ast.ts";
import { cuts, parseIncremental } from "../../lang/incremental-parse.ts";
import { bases, host, mulberry32, mutate } from "../support/fuzz-corpus.ts";

const VARIANTS = 1500;

test("cuts fall where declarations start a line, not inside block comments or strings", () => {
  const text = 'param a = 1\n/* x\nparam b = 2 */\nlet s = "/*"\nstage t = train(m) {\ndata = d\n}\n';
  assert.equal(
    cuts(text).map((i) => text.slice(i, i + 7)),
    ["param a", "let s =", "stage t", "data = "],
  );
});

test("every example parses to the same AST incrementally, from nothing and from itself", () => {
  for (const b of bases) {
    const file = host.display(b.abs);
    const full = parse(b.text, file);
    const first = parseIncremental(b.text, file, new Map());
    assert.equal(first.result, full, file);
    assert.equal(parseIncremental(b.text, file, first.pieces).result, full, file);
  }
});

test(`${VARIANTS} mutations parse incrementally to the one-shot AST and diagnostics`, () => {
  let reused = 0;
  for (let i = 0; i < VARIANTS; i++) {
    const b = bases[i % bases.length]!;
    const file = host.display(b.abs);
    const { text } = mutate(b.text, mulberry32(0x1ac ^ Math.imul(i + 1, 0x9e3779b9)));
    const before = parseIncremental(b.text, file, new Map()).pieces;
    const inc = parseIncremental(text, file, before);
    assert.equal(inc.result, parse(text, file), `variant ${i} of ${path.basename(b.abs)}`);
    for (const p of inc.pieces.keys()) if (before.has(p)) reused++;
  }
  // most mutations are syntax errors (the whole text is parsed then); the clean ones reuse pieces
  assert.ok(reused > 300, `pieces were reused only ${reused} times: the incremental path was hardly taken`);
});

test.run();
