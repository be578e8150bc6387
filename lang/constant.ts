// Constant expressions: param defaults, sweep values and --set values. They may not name other
// declarations; bare words are symbols, as an enumeration option would read them.
import type * as A from "./ast.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import type { Value } from "./values.ts";

function failAt(e: A.Expr, file: string, diags: Diagnostic[], message: string): Value {
  diags.push({ code: "SCD2003", severity: "error", file, span: e.span, message });
  return { type: "error", span: e.span };
}

export function constant(e: A.Expr, file: string, diags: Diagnostic[]): Value {
  switch (e.kind) {
    case "number":
      return { type: "number", value: e.value, span: e.span };
    case "string":
      return { type: "string", value: e.value, span: e.span };
    case "bool":
      return { type: "bool", value: e.value, span: e.span };
    case "ident":
      return { type: "symbol", value: e.name, span: e.span };
    case "missing":
      return { type: "error", span: e.span };
    case "list":
      return { type: "list", items: e.items.map((i) => constant(i, file, diags)), span: e.span };
    case "unary": {
      const v = constant(e.operand, file, diags);
      if (v.type === "number") return { type: "number", value: -v.value, span: e.span };
      return v.type === "error" ? v : failAt(e, file, diags, "Only numbers can be negated.");
    }
    case "binary": {
      const l = constant(e.left, file, diags),
        r = constant(e.right, file, diags);
      if (l.type === "error" || r.type === "error") return { type: "error", span: e.span };
      if (l.type !== "number" || r.type !== "number") return failAt(e, file, diags, `\`${e.op}\` needs numbers here.`);
      const v =
        e.op === "+"
          ? l.value + r.value
          : e.op === "-"
            ? l.value - r.value
            : e.op === "*"
              ? l.value * r.value
              : l.value / r.value;
      return Number.isFinite(v)
        ? { type: "number", value: v, span: e.span }
        : failAt(e, file, diags, `This arithmetic gives ${v}, not a finite number.`);
    }
    case "range": {
      const lo = constant(e.lo, file, diags),
        hi = constant(e.hi, file, diags);
      if (lo.type === "error" || hi.type === "error") return { type: "error", span: e.span };
      if (lo.type !== "number" || hi.type !== "number" || !Number.isInteger(lo.value) || !Number.isInteger(hi.value))
        return failAt(e, file, diags, "The bounds of a range `lo..hi` must be integers.");
      if (lo.value > hi.value)
        return failAt(e, file, diags, `The range ${lo.value}..${hi.value} is empty: its start is after its end.`);
      if (hi.value - lo.value >= 100_000)
        return failAt(e, file, diags, `The range ${lo.value}..${hi.value} is too long (over 100,000 values).`);
      return { type: "range", lo: lo.value, hi: hi.value, span: e.span };
    }
    case "record": {
      const fields = new Map<string, Value>();
      for (const f of e.fields) fields.set(f.name, constant(f.value, file, diags));
      return { type: "record", fields, span: e.span };
    }
    case "member":
    case "call":
      return failAt(e, file, diags, "Expected a constant value here (a number, string, boolean, symbol or list).");
  }
}

/** A range's integers as values sharing the range's span; other values unchanged. */
export function items(v: Value): Value[] | undefined {
  if (v.type === "list") return [...v.items];
  if (v.type === "range") {
    const out: Value[] = [];
    for (let i = v.lo; i <= v.hi; i++) out.push({ type: "number", value: i, span: v.span });
    return out;
  }
  return undefined;
}
