// Making IR nodes: the structural key is computed here and nowhere else.
import * as crypto from "node:crypto";
import {
  canonicalJson,
  type IrNode,
  type Json,
  type JsonObject,
  type LossTerm,
  type NodeBase,
  type NodeKey,
} from "../core/ir.ts";

/** A node as lowering describes it, before it has a key. */
export interface NodeSpec extends Omit<NodeBase, "key"> {
  readonly facts?: JsonObject;
  readonly loss?: readonly LossTerm[];
  /** How to execute, not what to compute: not keyed. */
  readonly exec?: JsonObject;
}

/** What the key covers: the definition and the inputs' keys. Names, origins, params lists and
 * facts (derived from the definition) are left out, so renaming a declaration keeps its key. */
export function keyMaterial(s: Pick<NodeSpec, "kind" | "op" | "options" | "inputs" | "loss">): Json {
  const inputs: JsonObject = {};
  for (const [k, r] of Object.entries(s.inputs)) inputs[k] = r.key;
  // Built with its keys in sorted order, so canonicalJson need not sort a copy of them.
  const m: JsonObject = { inputs, kind: s.kind };
  if (s.loss)
    m["loss"] = s.loss.map((t) => ({
      inputs: Object.fromEntries(Object.entries(t.inputs).map(([k, r]) => [k, r.key])),
      op: t.op,
      options: t.options,
      weight: t.weight,
    }));
  m["op"] = s.op;
  m["options"] = s.options;
  return m;
}

// The one-shot `crypto.hash` (Node ≥ 20.12) is about twice as fast as a Hash object per key.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

// No memo of text → key: with the one-shot hash a key costs about as much as looking a long text
// up in a map, and the memo held every key text of every check (tens of MB in a long session).
export function nodeKey(material: Json): NodeKey {
  return sha256Hex(canonicalJson(material)) as NodeKey;
}

/** Returns the existing node when one with the same key exists: equal definitions are one node. */
export function makeNode(nodes: Map<string, IrNode>, s: NodeSpec): IrNode {
  const key = nodeKey(keyMaterial(s));
  const hit = nodes.get(key);
  if (hit) return hit;
  // Built whole, per kind, rather than spread from a common base: a long study makes thousands.
  const params = isSorted(s.params) ? s.params : [...s.params].sort();
  const { kind, op, options, inputs, files, origin } = s;
  const node = (
    kind === "model"
      ? { key, kind, op, options, inputs, params, files, origin, facts: s.facts ?? {} }
      : kind === "train"
        ? {
            key,
            kind,
            op,
            options,
            inputs,
            params,
            files,
            origin,
            facts: s.facts ?? {},
            loss: s.loss ?? [],
            exec: s.exec ?? {},
          }
        : { key, kind, op, options, inputs, params, files, origin }
  ) as IrNode;
  nodes.set(key, node);
  return node;
}

function isSorted(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return false;
  return true;
}
