// What the cursor is on: the innermost AST node at an offset, with the context hover, completion
// and navigation need (the call an argument belongs to, the option whose value a word fills).
// Spans are half-open, but a cursor right after a word (where editors put it) counts as on it.
import type * as A from "../../lang/ast.ts";
import type { Span } from "../../core/diagnostics.ts";

export type Hit =
  /** A bare word in an expression: a declared name, a component, or an enum symbol of `option`. */
  | { readonly kind: "ident"; readonly node: A.Ident; readonly call?: A.Call; readonly option?: string }
  | { readonly kind: "decl"; readonly decl: A.ParamDecl | A.BindingDecl | A.StageDecl }
  /** The name of a named argument: an option or input of `call` (a param in a sweep's grid/zip). */
  | { readonly kind: "arg"; readonly call: A.Call; readonly arg: A.Arg; readonly sweep: boolean }
  | { readonly kind: "member"; readonly node: A.Member }
  | { readonly kind: "field"; readonly stage: A.StageDecl; readonly field: A.Field }
  | { readonly kind: "stage-op"; readonly stage: A.StageDecl }
  | { readonly kind: "import"; readonly decl: A.ImportDecl };

const on = (s: Span | undefined, o: number) => !!s && s.start <= o && o <= s.end;

export function locate(program: A.Program, offset: number): Hit | undefined {
  for (const d of program.decls) {
    if (!on(d.span, offset)) continue;
    switch (d.kind) {
      case "import":
        return on(d.pathSpan, offset) ? { kind: "import", decl: d } : undefined;
      case "experiment":
        return undefined;
      case "param":
        if (on(d.nameSpan, offset)) return { kind: "decl", decl: d };
        return (
          inExpr(d.value, offset, false) ??
          (d.range && (inExpr(d.range.lo, offset, false) ?? inExpr(d.range.hi, offset, false)))
        );
      case "binding":
        return on(d.nameSpan, offset) ? { kind: "decl", decl: d } : inExpr(d.value, offset, false);
      case "sweep":
        return inExpr(d.value, offset, true);
      case "stage": {
        if (on(d.nameSpan, offset)) return { kind: "decl", decl: d };
        if (on(d.opSpan, offset)) return { kind: "stage-op", stage: d };
        const inBase = inExpr(d.base, offset, false);
        if (inBase) return inBase;
        for (const f of d.fields) {
          if (on(f.nameSpan, offset)) return { kind: "field", stage: d, field: f };
          const h = inExpr(f.value, offset, false, undefined, f.name);
          if (h) return h;
        }
        return undefined;
      }
    }
  }
  return undefined;
}

function inExpr(e: A.Expr, o: number, sweep: boolean, call?: A.Call, option?: string): Hit | undefined {
  if (!on(e.span, o)) return undefined;
  switch (e.kind) {
    case "ident":
      return { kind: "ident", node: e, call, option };
    case "member":
      if (on(e.nameSpan, o)) return { kind: "member", node: e };
      return inExpr(e.object, o, sweep);
    case "call": {
      const h = inExpr(e.callee, o, sweep);
      if (h) return h;
      for (const a of e.args) {
        if (a.nameSpan && on(a.nameSpan, o)) return { kind: "arg", call: e, arg: a, sweep };
        const v = inExpr(a.value, o, sweep, e, a.name);
        if (v) return v;
      }
      return undefined;
    }
    case "list":
      for (const it of e.items) {
        const h = inExpr(it, o, sweep, call, option);
        if (h) return h;
      }
      return undefined;
    case "record":
      for (const f of e.fields) {
        const h = inExpr(f.value, o, sweep, call, option);
        if (h) return h;
      }
      return undefined;
    case "binary":
      return inExpr(e.left, o, sweep, call, option) ?? inExpr(e.right, o, sweep, call, option);
    case "unary":
      return inExpr(e.operand, o, sweep, call, option);
    case "range":
      return inExpr(e.lo, o, sweep) ?? inExpr(e.hi, o, sweep);
    default:
      return undefined;
  }
}

/** Every bare word of a program that may name a declaration, and every named argument of a sweep
 * (those name params): the occurrences references and rename look through. */
export function nameUses(program: A.Program): { name: string; span: Span }[] {
  const out: { name: string; span: Span }[] = [];
  const walk = (e: A.Expr | undefined, sweep: boolean): void => {
    if (!e) return;
    switch (e.kind) {
      case "ident":
        out.push({ name: e.name, span: e.span });
        return;
      case "member":
        walk(e.object, sweep);
        return;
      case "call":
        walk(e.callee, sweep);
        for (const a of e.args) {
          if (sweep && a.name && a.nameSpan) out.push({ name: a.name, span: a.nameSpan });
          walk(a.value, sweep);
        }
        return;
      case "list":
        for (const it of e.items) walk(it, sweep);
        return;
      case "record":
        for (const f of e.fields) {
          // `random(lambda: …)` style sweeps and `{lambda: 1}` points name params by field
          if (sweep) out.push({ name: f.name, span: f.nameSpan });
          walk(f.value, sweep);
        }
        return;
      case "binary":
        walk(e.left, sweep);
        walk(e.right, sweep);
        return;
      case "unary":
        walk(e.operand, sweep);
        return;
      case "range":
        walk(e.lo, sweep);
        walk(e.hi, sweep);
        return;
      default:
        return;
    }
  };
  for (const d of program.decls) {
    if (d.kind === "param") {
      walk(d.value, false);
      walk(d.range?.lo, false);
      walk(d.range?.hi, false);
    } else if (d.kind === "binding") walk(d.value, false);
    else if (d.kind === "sweep") walk(d.value, true);
    else if (d.kind === "stage") {
      walk(d.base, false);
      for (const f of d.fields) walk(f.value, false);
    }
  }
  return out;
}
