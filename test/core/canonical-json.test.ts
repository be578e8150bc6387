// canonicalJson is what every IR node's key hashes, so its text must never change for a value: it
// is compared here with the definition written plainly (sort a copy of every object's keys, then
// write its text) on seeded random values, sorted and unsorted, nested, with the corner cases the
// fast path must route to the general one (undefined fields, integer-like keys, non-ASCII keys).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonicalJson, type Json } from "../../core/ir.ts";
import { mulberry32 } from "../support/fuzz-corpus.ts";

// The definition, written plainly: every object's keys sorted as strings (a copy sorted and
// re-stringified would not do: JS puts integer-like keys first in numeric order, "9" before "10").
function reference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(reference).join(",")}]`;
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(",")}}`;
}

const KEYS = ["a", "b", "lr", "seed", "weight_decay", "10", "9", "é", "e", "Z", "_x"];
function randomJson(rnd: () => number, depth: number): Json {
  const r = rnd();
  if (depth <= 0 || r < 0.35) {
    const p = rnd();
    if (p < 0.2) return null;
    if (p < 0.4) return rnd() < 0.5;
    if (p < 0.7) return [0, -0, 1e-8, 0.1 + 0.2, -3, 1e21, 2 ** 53 + 2][Math.floor(rnd() * 7)]!;
    return ["", "x", 'q"uote', "line\nbreak", "ünï"][Math.floor(rnd() * 5)]!;
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(rnd, depth - 1));
  const o: Record<string, Json> = {};
  const n = Math.floor(rnd() * 6);
  const sorted = rnd() < 0.5;
  const keys = Array.from({ length: n }, () => KEYS[Math.floor(rnd() * KEYS.length)]!);
  if (sorted) keys.sort();
  for (const k of keys) o[k] = randomJson(rnd, depth - 1);
  // a field explicitly undefined is left out, as JSON.stringify leaves it out
  if (rnd() < 0.15) (o as Record<string, unknown>)["u"] = undefined;
  return o;
}

test("equals sort-then-stringify on 5,000 seeded values", () => {
  const rnd = mulberry32(7);
  for (let i = 0; i < 5000; i++) {
    const v = randomJson(rnd, 4);
    assert.is(canonicalJson(v), reference(v), JSON.stringify(v));
  }
});

test("key order does not change the text; values do", () => {
  assert.is(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }),
    '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
  );
  assert.is(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.is.not(canonicalJson({ a: 1 }), canonicalJson({ a: 1.5 }));
  assert.is(canonicalJson({ 10: 1, 9: 2, a: 3 }), '{"10":1,"9":2,"a":3}');
});

test.run();
