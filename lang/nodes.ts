// Making IR nodes: the structural key is computed here and nowhere else.
import { createHash } from "node:crypto";
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

const cache = new Map<string, NodeKey>();

export function nodeKey(material: Json): NodeKey {
  const text = canonicalJson(material);
  let k = cache.get(text);
  if (!k) {
    k = createHash("sha256").update(text).digest("hex") as NodeKey;
    if (cache.size > 50_000) cache.clear();
    cache.set(text, k);
  }
  return k;
}

/** Returns the existing node when one with the same key exists: equal definitions are one node. */
export function makeNode(nodes: Map<string, IrNode>, s: NodeSpec): IrNode {
  const key = nodeKey(keyMaterial(s));
  const hit = nodes.get(key);
  if (hit) return hit;
  const base = {
    key,
    kind: s.kind,
    op: s.op,
    options: s.options,
    inputs: s.inputs,
    params: [...s.params].sort(),
    files: s.files,
    origin: s.origin,
  };
  const node = (
    s.kind === "model"
      ? { ...base, facts: s.facts ?? {} }
      : s.kind === "train"
        ? { ...base, facts: s.facts ?? {}, loss: s.loss ?? [], exec: s.exec ?? {} }
        : base
  ) as IrNode;
  nodes.set(key, node);
  return node;
}
