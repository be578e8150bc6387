// The pure half of `scdx why`: what differs between two sets of cache-key fields, and between two
// IR definitions of a stage. No file access here — the caller finds the previous run's fields and
// program (why-explain.ts) — so every rule about what counts as a change is testable on hand-built
// values.
import { canonicalJson, isStage, type IrNode, type Json } from "../../core/ir.ts";
import { showJson } from "../../lang/values.ts";
import type { KeyFields } from "../cache/store.ts";

/** One leaf that differs; `before`/`after` undefined means absent on that side. */
export interface ValueChange {
  readonly path: string;
  readonly before?: Json;
  readonly after?: Json;
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const same = (a: Json | undefined, b: Json | undefined) =>
  a === b || (a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b));
const join = (base: string, k: string) => (base ? `${base}.${k}` : k);

/**
 * Leaves of `a` and `b` that differ, with dotted paths (`options.optim.options.lr`). Objects are
 * compared key by key; arrays of the same length element by element (`grid[2]`), otherwise as one
 * value, since a list that grew reads better whole (`grid: [1,2] → [1,2,3]`).
 */
export function diffJson(a: Json | undefined, b: Json | undefined, path = ""): ValueChange[] {
  if (same(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffJson(a[k], b[k], join(path, k)));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.some((x, i) => same(x, b[i])))
    return a.flatMap((x, i) => diffJson(x, b[i], `${path}[${i}]`));
  return [{ path, ...(a !== undefined ? { before: a } : {}), ...(b !== undefined ? { after: b } : {}) }];
}

/** A key field that differs between the previous entry and now. */
export interface FieldDiff {
  readonly field: string;
  /** The field's own explanation of why it is keyed (current run's, else the previous one's). */
  readonly why: string;
  /** Leaves that changed: for `components` and `files` one per component or file, else the value. */
  readonly changes: readonly ValueChange[];
}

/** Fields in the order keyFields writes them, then any others (from another scdx version) by name. */
const ORDER = ["definition", "inputs", "components", "files", "backend", "scdx"];

export function diffKeyFields(before: KeyFields, after: KeyFields): FieldDiff[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  names.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  const out: FieldDiff[] = [];
  for (const field of names) {
    const b = before[field]?.value,
      a = after[field]?.value;
    if (same(b, a)) continue;
    // components and files are flat maps whose keys hold dots (`runner:train`, `/data/x.json`): one level only.
    const flat = (field === "components" || field === "files" || field === "inputs") && isObject(b) && isObject(a);
    const changes = flat
      ? flatDiff(b, a)
      : [{ path: "", ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) }];
    out.push({ field, why: after[field]?.why ?? before[field]?.why ?? "", changes });
  }
  return out;
}

const rank = (f: string) => (ORDER.includes(f) ? ORDER.indexOf(f) : ORDER.length);

function flatDiff(b: { [k: string]: Json }, a: { [k: string]: Json }): ValueChange[] {
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys
    .filter((k) => !same(b[k], a[k]))
    .map((k) => ({
      path: k,
      ...(b[k] !== undefined ? { before: b[k] } : {}),
      ...(a[k] !== undefined ? { after: a[k] } : {}),
    }));
}

/** An upstream stage whose cache key changed, paired by stage name (its node key changes with it). */
export interface InputStageChange {
  readonly name: string;
  readonly before?: { readonly node: string; readonly key: string };
  readonly after?: { readonly node: string; readonly key: string };
}

/**
 * The `inputs` field maps node keys to cache keys; a changed upstream stage has a new node key too,
 * so entries are paired through the stage names each side gives its node keys.
 */
export function pairInputs(
  before: Readonly<Record<string, Json>>,
  after: Readonly<Record<string, Json>>,
  nameBefore: (node: string) => string,
  nameAfter: (node: string) => string,
): InputStageChange[] {
  const side = (m: Readonly<Record<string, Json>>, name: (n: string) => string) =>
    new Map(Object.entries(m).map(([node, key]) => [name(node), { node, key: String(key) }]));
  const b = side(before, nameBefore),
    a = side(after, nameAfter);
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  return names
    .filter((n) => b.get(n)?.key !== a.get(n)?.key)
    .map((name) => ({
      name,
      ...(b.has(name) ? { before: b.get(name)! } : {}),
      ...(a.has(name) ? { after: a.get(name)! } : {}),
    }));
}

/** How one IR node's definition differs from its previous one, and which of its inputs did. */
export interface NodeDiff {
  readonly kind: string;
  readonly name: string;
  readonly changes: readonly ValueChange[];
  readonly inputs: readonly SlotDiff[];
}

/** An input slot (`data`, `base`, `loss.scd.source`) that now reads a differently defined node. */
export type SlotDiff =
  | { readonly slot: string; readonly diff: NodeDiff }
  /** An upstream train/bench stage: its own explanation follows under `inputs`. */
  | { readonly slot: string; readonly stage: string; readonly before: string; readonly after: string }
  | { readonly slot: string; readonly added?: string; readonly removed?: string };

type Nodes = Readonly<Record<string, IrNode>>;

/**
 * The definition diff of `beforeKey` in `before` against `afterKey` in `after`: op, options (deep),
 * loss terms (paired by op, in order), then each input slot recursively. Upstream stages are not
 * entered: they are cache entries of their own, explained as such.
 */
export function diffNodes(before: Nodes, beforeKey: string, after: Nodes, afterKey: string): NodeDiff | null {
  if (beforeKey === afterKey) return null;
  const b = before[beforeKey],
    a = after[afterKey];
  if (!b || !a)
    return {
      kind: a?.kind ?? b?.kind ?? "node",
      name: a?.origin.name ?? b?.origin.name ?? "?",
      changes: [{ path: "definition", ...(b ? {} : { after: afterKey }), ...(a ? {} : { before: beforeKey }) }],
      inputs: [],
    };
  const changes: ValueChange[] = [];
  if (b.kind !== a.kind) changes.push({ path: "kind", before: b.kind, after: a.kind });
  if (b.op !== a.op) changes.push({ path: "op", before: b.op, after: a.op });
  changes.push(...diffJson(b.options, a.options, "options"));
  const bl = lossTerms(b),
    al = lossTerms(a);
  for (const id of union(bl.keys(), al.keys())) {
    const x = bl.get(id),
      y = al.get(id);
    if (!x || !y) {
      changes.push({
        path: `loss.${id}`,
        ...(x ? { before: termSummary(x) } : {}),
        ...(y ? { after: termSummary(y) } : {}),
      });
      continue;
    }
    changes.push(
      ...diffJson(x.weight, y.weight, `loss.${id}.weight`),
      ...diffJson(x.options, y.options, `loss.${id}.options`),
    );
  }
  const bs = slots(b),
    as = slots(a),
    inputs: SlotDiff[] = [];
  for (const slot of union(bs.keys(), as.keys())) {
    const x = bs.get(slot),
      y = as.get(slot);
    if (x === y) continue;
    if (x === undefined || y === undefined) {
      inputs.push({
        slot,
        ...(y ? { added: describe(after[y], y) } : {}),
        ...(x ? { removed: describe(before[x], x) } : {}),
      });
      continue;
    }
    const xn = before[x],
      yn = after[y];
    if (xn && yn && isStage(xn) && isStage(yn) && xn.origin.name === yn.origin.name)
      inputs.push({ slot, stage: yn.origin.name, before: x, after: y });
    else inputs.push({ slot, diff: diffNodes(before, x, after, y)! });
  }
  return { kind: a.kind, name: a.origin.name, changes, inputs };
}

function union(a: Iterable<string>, b: Iterable<string>): string[] {
  const out = [...a];
  for (const k of b) if (!out.includes(k)) out.push(k);
  return out;
}

interface Term {
  readonly weight: number;
  readonly op: string;
  readonly options: Json;
  readonly inputs: Readonly<Record<string, { key: string }>>;
}

/** Loss terms named by op, `op#2` for a second term of the same op. */
function lossTerms(n: IrNode): Map<string, Term> {
  const out = new Map<string, Term>();
  if (n.kind !== "train") return out;
  const seen: Record<string, number> = {};
  for (const t of n.loss) {
    const i = (seen[t.op] = (seen[t.op] ?? 0) + 1);
    out.set(i === 1 ? t.op : `${t.op}#${i}`, t);
  }
  return out;
}

const termSummary = (t: Term): Json => ({ weight: t.weight, op: t.op, options: t.options });

/** Input slots → node keys, loss terms' inputs as `loss.<term>.<name>`. */
function slots(n: IrNode): Map<string, string> {
  const out = new Map<string, string>(Object.entries(n.inputs).map(([k, r]) => [k, r.key as string]));
  for (const [id, t] of lossTerms(n)) for (const [k, r] of Object.entries(t.inputs)) out.set(`loss.${id}.${k}`, r.key);
  return out;
}

function describe(n: IrNode | undefined, key: string): string {
  return n ? `${n.kind} ${n.origin.name} (${n.op})` : key.slice(0, 12);
}

/** Params of a trial that changed, limited to those reaching the stage (IrNode.params, either side). */
export function diffParams(
  before: Readonly<Record<string, Json>>,
  after: Readonly<Record<string, Json>>,
  relevant: Iterable<string>,
): ValueChange[] {
  const names = [...new Set(relevant)].sort();
  return names
    .filter((p) => !same(before[p], after[p]))
    .map((p) => ({
      path: p,
      ...(before[p] !== undefined ? { before: before[p] } : {}),
      ...(after[p] !== undefined ? { after: after[p] } : {}),
    }));
}

/** `a → b`, `absent → b`, `a → absent`: how a change reads on one line. */
export function formatChange(c: ValueChange): string {
  const v = (x: Json | undefined) => (x === undefined ? "absent" : showJson(x));
  return `${c.path ? `${c.path}: ` : ""}${v(c.before)} → ${v(c.after)}`;
}
