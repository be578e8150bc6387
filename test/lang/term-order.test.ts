// A train node's loss terms are kept in the order of their canonical texts (the order is part of
// every train node's key). compareTerms must give exactly that order without writing the texts:
// checked on seeded random sums whose terms tie part by part (same inputs, same op, same options),
// with weights where one's digits are a prefix of another's (1 and 10), where a part-by-part
// comparison of bare numbers would differ from the text's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Json, LossTerm } from "../../core/ir.ts";
import { compareTerms, termKey } from "../../lang/term-order.ts";
import { mulberry32 } from "../support/fuzz-corpus.ts";

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const KEYS = ["3f9a", "3f9", "a0", "a01", "ff"];
const OPTIONS: Json[] = [{}, { tau: 0.2 }, { tau: 0.25 }, { k: 4, tau: 0.2 }, { grid: [1, 2] }, { grid: [1, 2, 3] }];

function randomTerm(rnd: () => number): LossTerm {
  const inputs: Record<string, { key: string }> = {};
  for (const name of ["teacher", "source", "student"]) if (rnd() < 0.5) inputs[name] = { key: pick(rnd, KEYS) };
  return {
    op: pick(rnd, ["rla", "scd", "rl", "scd2"]),
    weight: pick(rnd, [1, 10, 100, 0.5, 2.5, 1e-7, 0.1 + 0.2, 3, 30]),
    options: pick(rnd, OPTIONS) as LossTerm["options"],
    inputs,
  } as LossTerm;
}

test("compareTerms sorts 3,000 seeded sums exactly as their canonical texts sort", () => {
  const rnd = mulberry32(11);
  for (let i = 0; i < 3000; i++) {
    const terms = Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => randomTerm(rnd));
    const byText = [...terms].sort((a, b) => (termKey(a) < termKey(b) ? -1 : termKey(a) > termKey(b) ? 1 : 0));
    assert.equal([...terms].sort(compareTerms).map(termKey), byText.map(termKey), `sum ${i}`);
    for (const a of terms)
      for (const b of terms)
        assert.is(Math.sign(compareTerms(a, b)), termKey(a) < termKey(b) ? -1 : termKey(a) > termKey(b) ? 1 : 0);
  }
});

test("weights whose digits prefix each other compare as in the text", () => {
  const t = (weight: number) =>
    ({ op: "rla", weight, options: {}, inputs: { teacher: { key: "a" } } }) as unknown as LossTerm;
  // the texts end `"weight":1}` and `"weight":10}`: `0` sorts before `}`, so 10 comes first
  assert.ok(termKey(t(10)) < termKey(t(1)));
  assert.ok(compareTerms(t(10), t(1)) < 0);
});

test.run();
