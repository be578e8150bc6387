// Static dependencies: which params can reach each declaration. There is no control flow in the
// language, so "referenced transitively" is exactly "reaches". The checker memoises a declaration's
// value per trial on the values of these params alone, which is why a 1,000-trial sweep checks
// `pretrain` once; lowering records them on nodes for `plan` and `why`.
import type * as A from "./ast.ts";
import type { LoadedStudy } from "./program.ts";
import { registry } from "../stdlib/registry.ts";
import { tight } from "../core/tight.ts";

export const SEED = "seed";

/** A call whose result depends on the study seed: a seeded component (clip only without weights). */
function isSeededCall(e: A.Expr): boolean {
  if (e.kind !== "call" || e.callee.kind !== "ident") return false;
  const meta = registry.get(e.callee.name);
  if (!meta?.seeded) return false;
  return !(meta.name === "clip" && e.args.some((a) => a.name === "weights"));
}

const NONE: readonly string[] = [];
const SEED_ONLY: readonly string[] = [SEED];

export class Dependencies {
  private readonly memo = new Map<string, readonly string[]>();
  constructor(private readonly study: LoadedStudy) {}

  /** The params lists of the names `e` references (but `self`), and the seed where a call is seeded.
   * A method, not a closure per declaration: scdx runs through tsx, whose esbuild keeps function
   * names, and a named closure made per call costs a property definition each (~0.3 µs). */
  private collect(e: A.Expr, self: string, visiting: string[], sources: (readonly string[])[]): void {
    switch (e.kind) {
      case "ident":
        if (e.name !== self) {
          const ps = this.paramsOf(e.name, visiting);
          if (ps.length) sources.push(ps);
        }
        break;
      case "member":
        this.collect(e.object, self, visiting, sources);
        break;
      case "call":
        if (isSeededCall(e)) sources.push(SEED_ONLY);
        this.collect(e.callee, self, visiting, sources);
        for (const a of e.args) this.collect(a.value, self, visiting, sources);
        break;
      case "list":
        for (const i of e.items) this.collect(i, self, visiting, sources);
        break;
      case "record":
        for (const x of e.fields) this.collect(x.value, self, visiting, sources);
        break;
      case "binary":
        this.collect(e.left, self, visiting, sources);
        this.collect(e.right, self, visiting, sources);
        break;
      case "unary":
        this.collect(e.operand, self, visiting, sources);
        break;
      case "range":
        this.collect(e.lo, self, visiting, sources);
        this.collect(e.hi, self, visiting, sources);
        break;
    }
  }

  /** Params (seed included where it matters) that reach the named declaration, sorted; one array
   * per name, shared by every node and value the declaration makes (a copy each was much of a
   * long study's garbage), and by a declaration that adds nothing to the one it references.
   * Never mutate it. Cycles yield what was found so far; the evaluator reports them. */
  paramsOf(name: string, visiting?: string[]): readonly string[] {
    const hit = this.memo.get(name);
    if (hit) return hit;
    const b = this.study.scope.get(name);
    if (!b) {
      // a component's name (every call's callee) or an unknown one: asked again and again
      const out = name === SEED ? SEED_ONLY : NONE;
      this.memo.set(name, out);
      return out;
    }
    if (b.decl.kind === "param") {
      const out = [name];
      this.memo.set(name, out);
      return out;
    }
    // the names being walked, innermost last (a stack: the walk nests)
    const v = visiting ?? [];
    if (v.includes(name)) return NONE;
    v.push(name);
    const d = b.decl;
    const sources: (readonly string[])[] = [];
    if (d.kind === "stage" || (d.kind === "binding" && d.keyword === "bench" && isSeededCall(d.value)))
      sources.push(SEED_ONLY);
    if (d.kind === "stage") {
      this.collect(d.base, name, v, sources);
      for (const f of d.fields) this.collect(f.value, name, v, sources);
    } else this.collect(d.value, name, v, sources);
    v.pop();
    const out = union(sources);
    this.memo.set(name, out);
    return out;
  }
}

/** The sorted union of sorted lists, reusing the one list that holds all the others. */
function union(lists: readonly (readonly string[])[]): readonly string[] {
  let acc: readonly string[] = NONE;
  for (const l of lists) {
    if (l === acc || l.length === 0) continue;
    acc = acc.length === 0 ? l : merge(acc, l);
  }
  return acc;
}

function merge(a: readonly string[], b: readonly string[]): readonly string[] {
  const out: string[] = [];
  let i = 0,
    j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!,
      y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  // b added nothing: keep a (shared) rather than its copy
  return out.length === a.length ? a : out.length === b.length ? b : tight(out);
}
