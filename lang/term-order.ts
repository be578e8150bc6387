// The canonical order of a weighted loss sum's terms: a sum does not depend on the order its terms
// are written in, so a train node keeps them sorted by their canonical JSON text (termKey), and
// that order is part of every train node's key (changing it would change every key: every cached
// stage would be trained again). compareTerms gives exactly that order without writing each
// term's text: part by part, the inputs first, and the options (the long part) only on a tie.
import { canonicalJson, type LossTerm } from "../core/ir.ts";

/** A term's canonical JSON text: what the order is defined by. */
export function termKey(t: LossTerm): string {
  // Keys in sorted order: canonicalJson then need not sort them.
  return canonicalJson({
    inputs: Object.fromEntries(Object.entries(t.inputs).map(([k, r]) => [k, r.key])),
    op: t.op,
    options: t.options,
    weight: t.weight,
  });
}

/** `termKey(a) < termKey(b)` as -1/0/1, comparing the texts' parts in the order they stand. A part
 * never ends early against the other's (objects close, strings are quoted), except the weight, a
 * bare number: it is compared with the `}` that follows it in the text. */
export function compareTerms(a: LossTerm, b: LossTerm): number {
  return (
    cmp(inputsText(a), inputsText(b)) ||
    cmp(JSON.stringify(a.op), JSON.stringify(b.op)) ||
    cmp(canonicalJson(a.options), canonicalJson(b.options)) ||
    cmp(`${JSON.stringify(a.weight)}}`, `${JSON.stringify(b.weight)}}`)
  );
}

function inputsText(t: LossTerm): string {
  const o: Record<string, string> = {};
  for (const k in t.inputs) o[k] = t.inputs[k]!.key;
  return canonicalJson(o);
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
