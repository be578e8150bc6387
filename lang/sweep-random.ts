// Random search as a sweep form: `random(20, lambda: uniform(0, 4), tau: loguniform(0.05, 0.5),
// k: integer(2, 8), pool: choice([box, mask]))` draws 20 points; an optional second number seeds
// the draw (default 0), independent of the study's `seed` param, so `grid(seed: 1..3) * random(…)`
// runs the same 20 points under 3 seeds. Deterministic: scdx's own PRNG (core/prng.ts) on its seed,
// params drawn in the order written, numbers rounded to 4 significant digits (readable tables;
// keys stay short). Distribution bounds are checked against each param's interval here, with the
// distribution's span, before any trial exists.
import type * as A from "./ast.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import { mulberry32 } from "../core/prng.ts";
import { constant, items } from "./constant.ts";
import type { Value } from "./values.ts";

export type Point = ReadonlyMap<string, Value>;

/** A param's interval, for checking distribution bounds: [lo, hi] with open ends flagged. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
  readonly loOpen: boolean;
  readonly hiOpen: boolean;
}

const round4 = (v: number) => Number(v.toPrecision(4));

type Draw = (u: number) => Value;

export function expandRandom(
  x: A.Call,
  file: string,
  checkName: (name: string, span: A.Expr["span"]) => boolean,
  interval: (name: string) => Interval | undefined,
  diags: Diagnostic[],
  maxTrials: number,
): Point[] | undefined {
  const err = (code: string, span: A.Expr["span"], message: string, help?: string): undefined => {
    diags.push({ code, severity: "error", file, span, message, help });
    return undefined;
  };
  const positional = x.args.filter((a) => !a.name);
  const count = positional[0] ? constant(positional[0].value, file, diags) : undefined;
  if (count?.type !== "number" || !Number.isInteger(count.value) || count.value < 1)
    return err(
      "SCD3011",
      positional[0]?.span ?? x.span,
      "`random` needs the number of trials first: `random(20, lambda: uniform(0, 4))`.",
    );
  if (count.value > maxTrials)
    return err("SCD3006", positional[0]!.span, `This sweep has more than ${maxTrials} trials.`);
  const seedV = positional[1] ? constant(positional[1].value, file, diags) : undefined;
  if (seedV && (seedV.type !== "number" || !Number.isInteger(seedV.value)))
    return err("SCD3011", positional[1]!.span, "`random`'s second number seeds the draw and must be a whole number.");
  if (positional.length > 2)
    return err("SCD3011", positional[2]!.span, "`random` takes at most two numbers: trials, then a seed.");

  const axes: { name: string; draw: Draw }[] = [];
  let broken = false; // every bad axis is reported before giving up
  for (const a of x.args.filter((a) => a.name)) {
    if (!checkName(a.name!, a.nameSpan!)) broken = true;
    else if (axes.some((ax) => ax.name === a.name)) {
      err("SCD3004", a.nameSpan!, `\`${a.name}\` is drawn twice in one \`random\`.`);
      broken = true;
    } else {
      const draw = distribution(a.value, a.name!);
      if (draw) axes.push({ name: a.name!, draw });
      else broken = true;
    }
  }
  if (broken) return undefined;
  if (!axes.length) return err("SCD3006", x.span, "`random(…)` draws nothing: name params with distributions.");
  const rand = mulberry32((seedV?.type === "number" ? seedV.value : 0) ^ 0x5eed);
  return Array.from({ length: count.value }, () => new Map(axes.map((ax) => [ax.name, ax.draw(rand())])));

  function distribution(e: A.Expr, param: string): Draw | undefined {
    const shapes = "uniform(lo, hi), loguniform(lo, hi), integer(lo, hi) or choice([a, b, …])";
    if (e.kind !== "call" || e.callee.kind !== "ident")
      return err("SCD3011", e.span, `\`${param}\` in \`random\` needs a distribution: ${shapes}.`);
    const kind = e.callee.name;
    if (kind === "choice") {
      const vs = e.args.length === 1 ? items(constant(e.args[0]!.value, file, diags)) : undefined;
      if (!vs?.length) return err("SCD3011", e.span, "`choice` takes one non-empty list: `choice([box, mask])`.");
      return (u) => vs[Math.min(vs.length - 1, Math.floor(u * vs.length))]!; // each value keeps its own span
    }
    if (kind !== "uniform" && kind !== "loguniform" && kind !== "integer")
      return err("SCD3011", e.callee.span, `\`${kind}\` is not a distribution; use ${shapes}.`);
    const bounds = e.args.map((a) => constant(a.value, file, diags));
    if (bounds.length !== 2 || bounds.some((b) => b.type !== "number"))
      return err("SCD3011", e.span, `\`${kind}\` takes two numbers: \`${kind}(lo, hi)\`.`);
    const [lo, hi] = bounds.map((b) => (b as { value: number }).value) as [number, number];
    if (!(lo < hi)) return err("SCD3007", e.span, `\`${kind}(${lo}, ${hi})\` needs lo < hi.`);
    if (kind === "loguniform" && lo <= 0) return err("SCD3007", e.span, "`loguniform` needs bounds above 0.");
    if (kind === "integer" && (!Number.isInteger(lo) || !Number.isInteger(hi)))
      return err("SCD3007", e.span, "`integer` takes whole-number bounds.");
    const iv = interval(param);
    if (iv) {
      const below = lo < iv.lo || (iv.loOpen && lo === iv.lo),
        above = hi > iv.hi || (iv.hiOpen && hi === iv.hi);
      if (below || above)
        return err(
          "SCD3002",
          e.span,
          `\`${kind}(${lo}, ${hi})\` reaches outside \`${param}\`'s interval ${iv.loOpen ? "(" : "["}${iv.lo}, ${iv.hi}${iv.hiOpen ? ")" : "]"}.`,
        );
    }
    // a drawn value's span is its distribution's: a per-trial check points at `uniform(…)`
    const num = (value: number): Value => ({ type: "number", value, span: e.span });
    if (kind === "integer") return (u) => num(lo + Math.min(hi - lo, Math.floor(u * (hi - lo + 1))));
    if (kind === "loguniform") return (u) => num(round4(Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)))));
    return (u) => num(round4(lo + u * (hi - lo)));
  }
}
