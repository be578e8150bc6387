// The IR: what lowering hands to the runtime. JSON-serialisable, no source text, no spans in keys.
//
// A node's structural key is sha256 over the canonical JSON of its *definition*: kind, op, the
// options as resolved for its trial, defaults filled in (so the params that reach it are in, as
// values), loss terms in canonical order, and the keys of its inputs (a Merkle DAG). Not in the
// key: declaration names, the .scd files' paths and layout, and how a stage executes (`exec`:
// checkpoint frequency). External files (weights, annotations) are in as the path written in the
// option — two datasets at different paths must stay two nodes — and listed in `files` with their
// absolute path, so that the runtime can add their *content* fingerprints when it extends this key
// into a cache key (with component versions, backend kind and scdx version).
// Across a sweep, nodes with equal keys are one node: that is how `pretrain` runs once for 8 trials.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** sha256 hex of the canonical definition. */
export type NodeKey = string & { readonly __brand: "NodeKey" };

export type NodeKind = "data" | "model" | "train" | "bench";

/** An edge to the node whose output is consumed. Frozen marks are not edges' business: what a
 * train stage updates is its resolved `trainable` option, which is keyed. */
export interface InputRef {
  readonly key: NodeKey;
}

/** A file outside the study whose content the runtime must fingerprint into the cache key. */
export interface ExternalFile {
  /** Option path within the node's options, e.g. "weights" or "annotations". */
  readonly option: string;
  /** Absolute path, resolved against the declaring .scd file's folder. */
  readonly path: string;
}

/** A loss term as it reaches a train stage: loss expressions are folded into their stage. */
export interface LossTerm {
  readonly weight: number;
  readonly op: string;
  readonly options: JsonObject;
  /** Named model/data inputs of the loss (e.g. teacher, source). */
  readonly inputs: Readonly<Record<string, InputRef>>;
}

export interface NodeBase {
  readonly key: NodeKey;
  readonly kind: NodeKind;
  /** Component name: shapes, clip, refiner, train, region_classification, … */
  readonly op: string;
  /** Resolved options, defaults filled in. Part of the key. */
  readonly options: JsonObject;
  readonly inputs: Readonly<Record<string, InputRef>>;
  /** Params whose values reach this node (directly or through inputs); for `plan` and `why`, not keyed. */
  readonly params: readonly string[];
  readonly files: readonly ExternalFile[];
  /** Where it was declared (first occurrence), for messages only; not keyed. */
  readonly origin: { readonly name: string; readonly file: string };
}

export interface DataNode extends NodeBase {
  readonly kind: "data";
}
export interface ModelNode extends NodeBase {
  readonly kind: "model";
  /** Architecture facts the checker used: width, layers, heads, patch, imageSize, embedDim, … */
  readonly facts: JsonObject;
}
export interface TrainNode extends NodeBase {
  readonly kind: "train";
  readonly loss: readonly LossTerm[];
  readonly facts: JsonObject;
  /** Execution settings (checkpoint_every): they change no result, so they are not keyed. */
  readonly exec: JsonObject;
}
export interface BenchNode extends NodeBase {
  readonly kind: "bench";
}

export type IrNode = DataNode | ModelNode | TrainNode | BenchNode;

/** Stages are what the runtime executes and caches; data and model nodes are computed on demand. */
export function isStage(n: IrNode): n is TrainNode | BenchNode {
  return n.kind === "train" || n.kind === "bench";
}

export interface Trial {
  readonly index: number;
  /** Every param's value in this trial (seed included). */
  readonly params: Readonly<Record<string, Json>>;
  /** Declared stage/bench name → node key; the main file's stages and benches, plus imported ones they reach. */
  readonly stages: Readonly<Record<string, NodeKey>>;
}

export interface Study {
  readonly irVersion: 1;
  readonly experiment: string;
  /** Main file, as given on the command line. */
  readonly file: string;
  readonly nodes: Readonly<Record<string, IrNode>>;
  readonly trials: readonly Trial[];
  /** Params that vary across trials, in sweep order. */
  readonly swept: readonly string[];
}

/** Canonical JSON: sorted object keys, shortest round-trip numbers (JS's own), no whitespace. */
export function canonicalJson(v: Json): string {
  // Every IR node's key goes through here. The engine's JSON.stringify writes a value with its
  // keys in order canonically, in one string; assembling the text piece by piece here made a
  // long study's largest garbage. So the value is put in key order (copying only the objects that
  // are not) and stringified; what an object cannot hold in order goes the long way.
  const c = inKeyOrder(v);
  return c === undefined ? assembled(v) : JSON.stringify(c);
}

/** `o` with `extra` set on it, keys in sorted order (a new object; `o` is not changed). Options
 * are built this way once, where they are made, so every key computed from them later finds
 * them in order (canonicalJson's cheap case) instead of sorting a copy each time. */
export function sortedObject(o: JsonObject, extra?: JsonObject): JsonObject {
  const keys = sortedKeys(extra ? { ...o, ...extra } : o);
  const out: JsonObject = {};
  for (const k of keys) {
    const x = extra && k in extra ? extra[k] : o[k];
    if (x !== undefined) out[k] = x;
  }
  return out;
}

/** `v` with every object's keys in sorted order, sharing what already is; undefined where JSON
 * .stringify cannot write it canonically: a key like an array index (the engine puts those first,
 * in numeric order) or an undefined array item. */
function inKeyOrder(v: Json): Json | undefined {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    let out: Json[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === undefined) return undefined;
      const c = inKeyOrder(x);
      if (c === undefined) return undefined;
      if (c !== x) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  let prev: string | undefined;
  let same = true;
  for (const k in v) {
    if (isIndex(k)) return undefined;
    if (prev !== undefined && prev > k) same = false;
    prev = k;
    const x = v[k];
    if (x === undefined) continue;
    const c = inKeyOrder(x);
    if (c === undefined) return undefined;
    if (c !== x) same = false;
  }
  if (same) return v;
  const out: JsonObject = {};
  for (const k of sortedKeys(v)) {
    const x = v[k];
    if (x !== undefined) out[k] = inKeyOrder(x)!;
  }
  return out;
}

function isIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && String(Number(k) >>> 0) === k;
}

/** The text built piece by piece, for the values `inKeyOrder` cannot put in order. */
function assembled(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) {
      if (i) s += ",";
      s += canonicalJson(v[i]!) ?? "";
    }
    return s + "]";
  }
  let s = "{";
  for (const k of sortedKeys(v)) {
    const x = v[k];
    if (x === undefined) continue;
    if (s.length > 1) s += ",";
    s += quote(k);
    s += ":";
    s += canonicalJson(x);
  }
  return s + "}";
}

/** An object's keys as strings in order. The objects are small (options, records), and an insertion
 * sort in place allocates nothing, where Array#sort copies into a workspace each call. */
function sortedKeys(v: object): string[] {
  const keys = Object.keys(v);
  if (keys.length > 24) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

const quoted = new Map<string, string>();
function quote(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quoted.size < 10_000) quoted.set(k, q);
  }
  return q;
}

/** Keys a node consumes: its inputs and, for a train node, its loss terms' inputs. */
export function inputKeys(n: IrNode): string[] {
  const out: string[] = [];
  for (const k in n.inputs) out.push(n.inputs[k]!.key);
  if (n.kind === "train") for (const t of n.loss) for (const k in t.inputs) out.push(t.inputs[k]!.key);
  return out;
}

/** The nodes reachable from `roots`, each after every node it consumes (dependency order). */
export function reachable(nodes: (key: string) => IrNode | undefined, roots: Iterable<string>): IrNode[] {
  const seen = new Set<string>();
  const out: IrNode[] = [];
  const visit = (k: string) => {
    if (seen.has(k)) return;
    seen.add(k);
    const n = nodes(k);
    if (!n) return;
    for (const k of inputKeys(n)) visit(k);
    out.push(n);
  };
  for (const k of roots) visit(k);
  return out;
}

/** Every trial's stage keys, in trial order: the roots of a study. */
export function stageRoots(study: Pick<Study, "trials">): string[] {
  return study.trials.flatMap((t) => Object.values(t.stages));
}
