// Sweep expressions → the list of trial points. `grid(a: […], b: […])` is the Cartesian product
// (first argument outermost), `zip(…)` pairs equal-length lists, `random(n, …)` draws n points
// (sweep-random.ts), a list of records names points one by one, `x * y` is the product of two
// sweeps and `x + y` their concatenation.
import type * as A from "./ast.ts";
import { didYouMean, replaceWith, type Diagnostic, type Fix } from "../core/diagnostics.ts";
import { constant, items } from "./constant.ts";
import type { Value } from "./values.ts";
import { expandRandom, type Interval, type Point } from "./sweep-random.ts";

export type { Interval, Point } from "./sweep-random.ts";

const MAX_TRIALS = 100_000;

export function expandSweep(
  e: A.Expr,
  file: string,
  params: readonly string[],
  diags: Diagnostic[],
  interval: (name: string) => Interval | undefined = () => undefined,
): Point[] | undefined {
  const err = (code: string, span: A.Expr["span"], message: string, help?: string, fixes?: Fix[]): undefined => {
    diags.push({ code, severity: "error", file, span, message, help, fixes });
    return undefined;
  };
  const checkName = (name: string, span: A.Expr["span"]): boolean => {
    if (params.includes(name)) return true;
    const guess = didYouMean(name, params);
    err(
      "SCD3001",
      span,
      `The sweep names \`${name}\`, which is not a param.`,
      guess ? `did you mean \`${guess}\`?` : `params: ${params.join(", ")}`,
      replaceWith(span, guess),
    );
    return false;
  };
  const product = (a: Point[], b: Point[], span: A.Expr["span"]): Point[] | undefined => {
    const dup = [...(a[0]?.keys() ?? [])].find((k) => b[0]?.has(k));
    if (dup) return err("SCD3004", span, `\`${dup}\` is swept twice in one product.`);
    if (a.length * b.length > MAX_TRIALS)
      return err("SCD3006", span, `This sweep has ${a.length * b.length} trials, more than ${MAX_TRIALS}.`);
    return a.flatMap((p) => b.map((q) => new Map([...p, ...q])));
  };
  const walk = (x: A.Expr): Point[] | undefined => {
    if (x.kind === "binary" && (x.op === "*" || x.op === "+")) {
      const l = walk(x.left),
        r = walk(x.right);
      if (!l || !r) return undefined;
      return x.op === "*" ? product(l, r, x.opSpan) : [...l, ...r];
    }
    if (x.kind === "list") {
      const out: Point[] = [];
      for (const it of x.items) {
        if (it.kind !== "record")
          return err(
            "SCD3011",
            it.span,
            "A sweep's list holds points written as records, e.g. `{lambda: 0.5, tau: 0.1}`.",
          );
        const point = new Map<string, Value>();
        for (const f of it.fields) if (checkName(f.name, f.nameSpan)) point.set(f.name, constant(f.value, file, diags));
        out.push(point);
      }
      if (out.length === 0) return err("SCD3006", x.span, "The sweep's list of points is empty.");
      return out;
    }
    if (x.kind === "call" && x.callee.kind === "ident" && (x.callee.name === "grid" || x.callee.name === "zip")) {
      const kind = x.callee.name;
      const axes: { name: string; values: Value[]; span: A.Expr["span"] }[] = [];
      for (const a of x.args) {
        if (!a.name) return err("SCD3011", a.span, `\`${kind}\` takes named lists: \`${kind}(lambda: [0.5, 1])\`.`);
        if (!checkName(a.name, a.nameSpan!)) return undefined;
        if (axes.some((ax) => ax.name === a.name))
          return err("SCD3004", a.nameSpan!, `\`${a.name}\` is swept twice in one \`${kind}\`.`);
        const v = constant(a.value, file, diags);
        const vs = items(v);
        if (v.type === "error") return undefined;
        if (!vs)
          return err(
            "SCD3011",
            a.value.span,
            `\`${a.name}\` in \`${kind}\` needs a list or range of values.`,
            `e.g. ${a.name}: [${v.type === "number" ? v.value : "…"}, …]`,
          );
        if (vs.length === 0) return err("SCD3006", a.value.span, `\`${a.name}\` has no values to sweep.`);
        axes.push({ name: a.name, values: vs, span: a.value.span });
      }
      if (axes.length === 0) return err("SCD3006", x.span, `\`${kind}()\` sweeps nothing.`);
      if (kind === "zip") {
        const n = axes[0]!.values.length;
        const bad = axes.find((ax) => ax.values.length !== n);
        if (bad) {
          diags.push({
            code: "SCD3003",
            severity: "error",
            file,
            span: bad.span,
            message: `\`zip\` needs lists of equal length: \`${axes[0]!.name}\` has ${n} values, \`${bad.name}\` has ${bad.values.length}.`,
            labels: [{ span: axes[0]!.span, message: `${n} values` }],
          });
          return undefined;
        }
        return Array.from({ length: n }, (_, i) => new Map(axes.map((ax) => [ax.name, ax.values[i]!])));
      }
      let out: Point[] = [new Map()];
      for (const ax of axes) {
        if (out.length * ax.values.length > MAX_TRIALS)
          return err("SCD3006", x.span, `This grid has more than ${MAX_TRIALS} trials.`);
        out = out.flatMap((p) => ax.values.map((v) => new Map([...p, [ax.name, v]])));
      }
      return out;
    }
    if (x.kind === "call" && x.callee.kind === "ident" && x.callee.name === "random")
      return expandRandom(x, file, checkName, interval, diags, MAX_TRIALS);
    if (x.kind === "missing") return undefined;
    return err(
      "SCD3011",
      x.span,
      "A sweep is `grid(…)`, `zip(…)`, `random(…)`, a list of points `[{…}, …]`, or their product `*` or concatenation `+`.",
    );
  };
  return walk(e);
}
