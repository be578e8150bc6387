// A check that reuses an earlier check's evaluations (the language server's, after a keystroke)
// gives exactly the result of a check from nothing: diagnostics and IR study, on every example
// after value edits (the case replay serves) and after fuzz mutations (mostly syntax errors).
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile, type CompileResult } from "../../lang/compile.ts";
import { bases, host, mulberry32, mutate } from "../support/fuzz-corpus.ts";

const VARIANTS = 400;

const view = (r: CompileResult) => ({ diagnostics: r.diagnostics, usageErrors: r.usageErrors, study: r.study });

/** The text with one number literal replaced by another (same length or not). */
function valueEdit(text: string, rnd: () => number): string {
  const nums = [...text.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g)];
  if (!nums.length) return text;
  const m = nums[Math.floor(rnd() * nums.length)]!;
  const next = rnd() < 0.5 ? String(Math.floor(rnd() * 10)) : (rnd() * 100).toFixed(2);
  return text.slice(0, m.index) + next + text.slice(m.index! + m[0].length);
}

test(`${VARIANTS} edits checked after their original equal the check from nothing`, () => {
  let replayed = 0;
  for (let i = 0; i < VARIANTS; i++) {
    const b = bases[i % bases.length]!;
    const rnd = mulberry32(0x5eed ^ Math.imul(i + 1, 0x9e3779b9));
    const first = compile(b.abs, host, { text: b.text });
    let text = b.text;
    for (let k = 0; k < 1 + (i % 3); k++) text = valueEdit(text, rnd);
    if (i % 4 === 3) text = mutate(text, rnd).text;
    const again = compile(b.abs, host, { text, previous: first });
    const fresh = compile(b.abs, host, { text });
    assert.equal(view(again), view(fresh), `variant ${i} of ${path.basename(b.abs)}`);
    replayed += again.evaluator!.counts.replayed;
  }
  assert.ok(replayed > 1000, `only ${replayed} declarations were replayed: the reuse path was hardly taken`);
});

test.run();
