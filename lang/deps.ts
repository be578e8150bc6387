// Static dependencies: which params can reach each declaration. There is no control flow in the
// language, so "referenced transitively" is exactly "reaches". The checker memoises a declaration's
// value per trial on the values of these params alone, which is why a 1,000-trial sweep checks
// `pretrain` once; lowering records them on nodes for `plan` and `why`.
import type * as A from "./ast.ts";
import type { LoadedStudy } from "./program.ts";
import { registry } from "../stdlib/registry.ts";

export const SEED = "seed";

export function walkExpr(e: A.Expr, f: (e: A.Expr) => void): void {
  f(e);
  switch (e.kind) {
    case "member":
      walkExpr(e.object, f);
      break;
    case "call":
      walkExpr(e.callee, f);
      for (const a of e.args) walkExpr(a.value, f);
      break;
    case "list":
      for (const i of e.items) walkExpr(i, f);
      break;
    case "record":
      for (const x of e.fields) walkExpr(x.value, f);
      break;
    case "binary":
      walkExpr(e.left, f);
      walkExpr(e.right, f);
      break;
    case "unary":
      walkExpr(e.operand, f);
      break;
    case "range":
      walkExpr(e.lo, f);
      walkExpr(e.hi, f);
      break;
  }
}

function declExprs(d: A.ParamDecl | A.BindingDecl | A.StageDecl): A.Expr[] {
  if (d.kind === "stage") return [d.base, ...d.fields.map((f) => f.value)];
  return [d.value];
}

/** A call whose result depends on the study seed: a seeded component (clip only without weights). */
function isSeededCall(e: A.Expr): boolean {
  if (e.kind !== "call" || e.callee.kind !== "ident") return false;
  const meta = registry.get(e.callee.name);
  if (!meta?.seeded) return false;
  return !(meta.name === "clip" && e.args.some((a) => a.name === "weights"));
}

export class Dependencies {
  private readonly memo = new Map<string, ReadonlySet<string>>();
  constructor(private readonly study: LoadedStudy) {}

  /** Params (seed included where it matters) that reach the named declaration.
   * Cycles yield what was found so far; the evaluator reports them. */
  paramsOf(name: string, visiting = new Set<string>()): ReadonlySet<string> {
    const hit = this.memo.get(name);
    if (hit) return hit;
    const b = this.study.scope.get(name);
    const out = new Set<string>();
    if (!b) {
      if (name === SEED) out.add(SEED);
      return out;
    }
    if (b.decl.kind === "param") {
      out.add(name);
      this.memo.set(name, out);
      return out;
    }
    if (visiting.has(name)) return out;
    visiting.add(name);
    if (
      b.decl.kind === "stage" ||
      (b.decl.kind === "binding" && b.decl.keyword === "bench" && isSeededCall(b.decl.value))
    )
      out.add(SEED);
    for (const e of declExprs(b.decl)) {
      walkExpr(e, (x) => {
        if (isSeededCall(x)) out.add(SEED);
        if (x.kind === "ident" && x.name !== name) for (const p of this.paramsOf(x.name, visiting)) out.add(p);
      });
    }
    visiting.delete(name);
    this.memo.set(name, out);
    return out;
  }
}
