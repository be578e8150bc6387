// Checking one trial: every declaration is evaluated to a symbolic value (numbers fold; models
// and datasets carry facts and the key of the IR node that will compute them). Component calls
// are checked against the registry: arguments bound, options validated by their JSON Schema,
// shape rules run. Values are memoised per declaration on the values of the params that reach it.
import * as path from "node:path";
import type * as A from "./ast.ts";
import { didYouMean, listed, replaceWith, type Diagnostic, type Span } from "../core/diagnostics.ts";
import { Dependencies, SEED } from "./deps.ts";
import { tight } from "../core/tight.ts";
import { type InputRef, type IrNode, type JsonObject, sortedObject } from "../core/ir.ts";
import { makeNode, type NodeSpec } from "./nodes.ts";
import { readDep, readNode, replay, sameList, sameScope, type Trace } from "./eval-trace.ts";
import { enumOf, validateOptions } from "./options.ts";
import type { Binding, LoadedStudy, SourceFile } from "./program.ts";
import { checkStage } from "./stage.ts";
import type { DeclContext, ParamValues } from "./decl-context.ts";
import { describeType, toJson, type DataValue, type ModelValue, type Value } from "./values.ts";
import { registry } from "../stdlib/registry.ts";
import type { ComponentMeta, ReportOptions } from "../stdlib/component.ts";

/** A declaration's value in a trial, with the diagnostics of its own declaration. */
export type Entry =
  | Evaluated
  | { readonly value: Value; readonly diags: readonly Diagnostic[]; readonly key?: undefined };

/** An entry that was evaluated (or replayed), memoised under `key` (the values of the params that
 * reach it). It is also its own trace — what its evaluation read, for a later check of an edited
 * text to replay (eval-trace.ts) — and its own memo slot: one object per declaration, where three
 * were, since the objects a long study keeps are what its garbage collector copies. */
interface Evaluated extends Trace {
  readonly value: Value;
  readonly diags: readonly Diagnostic[];
  readonly key: string;
}

export class StudyEvaluator {
  readonly deps: Dependencies;
  readonly nodes = new Map<string, IrNode>();
  private readonly memo = new Map<string, MemoSlot>();
  /** Declarations evaluated afresh, and those whose earlier entry was replayed (eval-trace.ts). */
  readonly counts = { evaluated: 0, replayed: 0 };
  /** The names being evaluated, innermost last (evaluation nests, so a stack). */
  private readonly inProgress: string[] = [];
  // Per trial: its entries, each param's value as JSON, and the memo key of each list of params
  // (names that reach the same params share the list, deps.ts, and so the key).
  private readonly byTrial = new WeakMap<
    ParamValues,
    { entries: Map<string, Entry>; json: Map<string, string>; keys: Map<readonly string[], string> }
  >();
  /** The entries of the previous check of this file, where their traces may be replayed. */
  private readonly earlier?: ReadonlyMap<string, MemoSlot>;

  /** `previous`: the evaluator of an earlier check of the same file (an editor's last keystroke). */
  constructor(
    readonly study: LoadedStudy,
    readonly fileExists?: (absPath: string) => boolean,
    previous?: StudyEvaluator,
  ) {
    this.deps = new Dependencies(study);
    if (previous && !fileExists && !previous.fileExists && sameScope(previous.study, study))
      this.earlier = previous.memo;
  }

  /** The value of a top-level name in a trial, with the diagnostics of its own declaration. */
  entry(name: string, params: ParamValues): Entry {
    let trial = this.byTrial.get(params);
    if (!trial) this.byTrial.set(params, (trial = { entries: new Map(), json: new Map(), keys: new Map() }));
    const known = trial.entries.get(name);
    if (known) return known;
    const b = this.study.scope.get(name)!;
    const deps = this.deps.paramsOf(name);
    let key = trial.keys.get(deps);
    if (key === undefined) {
      // The params' values as JSON, in the list's order: the list is the name's (and an earlier
      // entry is reused only for the same list), so the names need not be in it. Joined, not
      // built up by `+=`: that string is kept, and `+=` keeps a tree of every piece.
      const values: string[] = [];
      for (const p of deps) {
        let j = trial.json.get(p);
        if (j === undefined) trial.json.set(p, (j = JSON.stringify(toJson(params.get(p)!) ?? null)));
        values.push(j);
      }
      key = values.join(";");
      trial.keys.set(deps, key);
    }
    const slot = this.memo.get(name);
    const hit = slot && lookUp(slot, key);
    if (hit) {
      trial.entries.set(name, hit);
      return hit;
    }
    if (this.inProgress.includes(name)) {
      const d = b.decl;
      return {
        value: { type: "error", span: d.span },
        diags: [
          {
            code: "SCD2010",
            severity: "error",
            file: b.file.display,
            span: d.nameSpan,
            message: `\`${name}\` is defined in terms of itself.`,
            label: "this definition depends on itself",
          },
        ],
      };
    }
    this.inProgress.push(name);
    const earlier = this.earlier?.get(name);
    const old = earlier && lookUp(earlier, key);
    let e: Evaluated;
    if (
      old &&
      old.decl === b.decl &&
      old.path === b.file.path &&
      old.display === b.file.display &&
      sameList(old.params, deps) &&
      replay(old, (n) => this.entry(n, params), this.nodes)
    ) {
      e = old;
      this.counts.replayed++;
    } else {
      this.counts.evaluated++;
      const ctx = new DeclEvaluator(this, b, params);
      const value = ctx.evalDecl();
      e = {
        value,
        diags: ctx.diags.length ? ctx.diags : NO_DIAGS,
        key,
        decl: b.decl,
        path: b.file.path,
        display: b.file.display,
        params: deps,
        events: tight(ctx.events),
      };
    }
    this.inProgress.pop();
    // most names have one key (one trial, or params no sweep varies): a map each only when not
    const now = this.memo.get(name);
    if (!now) this.memo.set(name, e);
    else if (now instanceof Map) now.set(key, e);
    else
      this.memo.set(
        name,
        new Map([
          [now.key, now],
          [key, e],
        ]),
      );
    trial.entries.set(name, e);
    return e;
  }
}

// Shared empties (never mutated): most declarations have no diagnostics, a frozen model no groups.
const NO_DIAGS: readonly Diagnostic[] = [];
const NO_GROUPS: readonly string[] = [];

/** A name's memoised entries by key. */
type MemoSlot = Evaluated | Map<string, Evaluated>;
function lookUp(slot: MemoSlot, key: string): Evaluated | undefined {
  return slot instanceof Map ? slot.get(key) : slot.key === key ? slot : undefined;
}

class DeclEvaluator implements DeclContext {
  readonly diags: Diagnostic[] = [];
  readonly events: (string | object | boolean)[] = [];
  readonly file: SourceFile;
  constructor(
    readonly ev: StudyEvaluator,
    readonly binding: Binding,
    readonly params: ParamValues,
  ) {
    this.file = binding.file;
  }

  report(code: string, span: Span, message: string, o: Omit<ReportOptions, "at"> = {}): void {
    this.diags.push({
      code,
      severity: "error",
      file: this.file.display,
      span,
      message,
      label: o.label,
      notes: o.notes,
      help: o.help,
      fixes: o.fixes,
      labels: o.related?.map((r) => ({ file: r.file, span: r.span, message: r.message })),
    });
  }

  node(spec: NodeSpec): IrNode {
    const before = this.ev.nodes.size;
    const node = makeNode(this.ev.nodes, spec);
    readNode(this.events, node, this.ev.nodes.size > before);
    return node;
  }

  evalDecl(): Value {
    const d = this.binding.decl;
    if (d.kind === "param") return this.params.get(d.name)!;
    if (d.kind === "stage") return checkStage(this, d);
    const v = this.expr(d.value);
    if (v.type === "error") return v;
    const want = { data: "data", model: "model", bench: "bench", let: undefined }[d.keyword];
    if (want && v.type !== want) {
      const hint =
        d.keyword === "bench"
          ? `bench components: ${[...registry.values()]
              .filter((c) => c.kind === "bench")
              .map((c) => c.name)
              .join(", ")}`
          : undefined;
      this.report(
        "SCD2003",
        d.value.span,
        `\`${d.keyword} ${d.name}\` must be ${describeType(want as Value["type"])}, but this is ${describeType(v)}.`,
        { help: hint },
      );
      return { type: "error", span: v.span };
    }
    if (v.type === "component") {
      this.report("SCD2003", d.value.span, `\`${v.meta.name}\` is a component; call it: \`${v.meta.name}(…)\`.`);
      return { type: "error", span: v.span };
    }
    return v;
  }

  /** `enumValues`: where the value fills an enumeration option, bare words may be its symbols. */
  expr(e: A.Expr, enumValues?: readonly string[]): Value {
    switch (e.kind) {
      case "number":
        return { type: "number", value: e.value, span: e.span };
      case "string":
        return { type: "string", value: e.value, span: e.span };
      case "bool":
        return { type: "bool", value: e.value, span: e.span };
      case "missing":
        return { type: "error", span: e.span };
      case "ident":
        return this.ident(e, enumValues);
      case "list":
        return { type: "list", items: e.items.map((i) => this.expr(i, enumValues)), span: e.span };
      case "record": {
        const fields = new Map<string, Value>();
        for (const f of e.fields) {
          if (fields.has(f.name)) this.report("SCD2009", f.nameSpan, `The record gives \`${f.name}\` twice.`);
          fields.set(f.name, this.expr(f.value));
        }
        return { type: "record", fields, span: e.span };
      }
      case "range": {
        const lo = this.expr(e.lo),
          hi = this.expr(e.hi);
        if (lo.type === "error" || hi.type === "error") return { type: "error", span: e.span };
        if (
          lo.type !== "number" ||
          hi.type !== "number" ||
          !Number.isInteger(lo.value) ||
          !Number.isInteger(hi.value)
        ) {
          this.report("SCD2003", e.span, "The bounds of a range `lo..hi` must be integers.");
          return { type: "error", span: e.span };
        }
        if (lo.value > hi.value) {
          this.report("SCD2003", e.span, `The range ${lo.value}..${hi.value} is empty: its start is after its end.`);
          return { type: "error", span: e.span };
        }
        if (hi.value - lo.value >= 100_000) {
          this.report(
            "SCD2003",
            e.span,
            `The range ${lo.value}..${hi.value} is too long to expand (over 100,000 values).`,
          );
          return { type: "error", span: e.span };
        }
        return { type: "range", lo: lo.value, hi: hi.value, span: e.span };
      }
      case "unary": {
        const v = this.expr(e.operand);
        if (v.type === "number") return { type: "number", value: -v.value, span: e.span };
        if (v.type !== "error") this.report("SCD2019", e.span, `Cannot negate ${describeType(v)}.`);
        return { type: "error", span: e.span };
      }
      case "binary":
        return this.binary(e);
      case "member":
        return this.member(e);
      case "call":
        return this.call(e);
    }
  }

  ident(e: A.Ident, enumValues?: readonly string[]): Value {
    if (enumValues?.includes(e.name)) return { type: "symbol", value: e.name, span: e.span };
    const p = this.params.get(e.name);
    if (
      p &&
      (this.ev.study.scope.get(e.name)?.decl.kind === "param" || (e.name === SEED && !this.ev.study.scope.has(SEED)))
    )
      return { ...p, span: e.span } as Value;
    if (this.ev.study.scope.has(e.name)) {
      const ent = this.ev.entry(e.name, this.params);
      readDep(this.events, e.name, ent);
      if (ent.diags.some((d) => d.code === "SCD2010") && ent.value.type === "error") this.diags.push(...ent.diags);
      return { ...ent.value, span: e.span } as Value;
    }
    if (enumValues) return { type: "symbol", value: e.name, span: e.span }; // not a known value: the schema says so
    // its declaration has a syntax error
    if (this.ev.study.brokenNames.has(e.name)) return { type: "error", span: e.span };
    const meta = registry.get(e.name);
    if (meta) return { type: "component", meta, span: e.span };
    const names = [...this.ev.study.scope.keys(), SEED];
    const guess = didYouMean(e.name, [...names, ...registry.keys()]);
    this.report("SCD2001", e.span, `Unknown name \`${e.name}\`.`, {
      label: "not declared",
      help: guess ? `did you mean \`${guess}\`?` : undefined,
      fixes: replaceWith(e.span, guess),
    });
    return { type: "error", span: e.span };
  }

  binary(e: A.Binary): Value {
    const l = this.expr(e.left),
      r = this.expr(e.right);
    if (l.type === "error" || r.type === "error") return { type: "error", span: e.span };
    if (l.type === "number" && r.type === "number") {
      const value =
        e.op === "+"
          ? l.value + r.value
          : e.op === "-"
            ? l.value - r.value
            : e.op === "*"
              ? l.value * r.value
              : l.value / r.value;
      if (!Number.isFinite(value)) {
        this.report("SCD2022", e.span, `This arithmetic gives ${value}, not a finite number.`, {
          label: e.op === "/" && r.value === 0 ? "division by zero" : undefined,
        });
        return { type: "error", span: e.span };
      }
      return { type: "number", value, span: e.span };
    }
    const params = [...new Set([...(l.type === "loss" ? l.params : []), ...(r.type === "loss" ? r.params : [])])];
    if (l.type === "loss" && r.type === "loss" && e.op === "+")
      return { type: "loss", terms: [...l.terms, ...r.terms], params, span: e.span };
    if (e.op === "/" && l.type === "loss" && r.type === "number" && r.value === 0) {
      this.report("SCD2022", e.span, "This divides a loss by zero.", { label: "division by zero" });
      return { type: "error", span: e.span };
    }
    if (e.op === "*" && l.type === "number" && r.type === "loss") return this.scale(e, r, l.value, params);
    if (e.op === "*" && l.type === "loss" && r.type === "number") return this.scale(e, l, r.value, params);
    if (e.op === "/" && l.type === "loss" && r.type === "number" && r.value !== 0)
      return this.scale(e, l, 1 / r.value, params);
    this.report("SCD2019", e.opSpan, `Cannot apply \`${e.op}\` to ${describeType(l)} and ${describeType(r)}.`, {
      notes:
        l.type === "loss" || r.type === "loss"
          ? ["losses combine as weighted sums: `a + lambda * b`, `a / 2`"]
          : undefined,
    });
    return { type: "error", span: e.span };
  }

  private scale(e: A.Binary, loss: Extract<Value, { type: "loss" }>, w: number, params: string[]): Value {
    if (w < 0) {
      this.report("SCD2019", e.span, `A loss weight must not be negative, got ${w}.`, {
        notes: ["training minimises the weighted sum; a negative weight would maximise a term"],
      });
      return { type: "error", span: e.span };
    }
    return { type: "loss", terms: loss.terms.map((t) => ({ ...t, weight: t.weight * w })), params, span: e.span };
  }

  member(e: A.Member): Value {
    const o = this.expr(e.object);
    if (o.type === "error") return o;
    if (o.type === "stage" && e.name === "model") return { ...o.model, span: e.span };
    const members = o.type === "stage" ? ["model"] : [];
    this.report(
      "SCD2015",
      e.nameSpan,
      `${describeType(o)[0]!.toUpperCase()}${describeType(o).slice(1)} has no member \`${e.name}\`.`,
      {
        help: members.length ? `its members: ${members.join(", ")}` : undefined,
      },
    );
    return { type: "error", span: e.span };
  }

  call(e: A.Call): Value {
    if (e.callee.kind !== "ident") {
      const c = this.expr(e.callee);
      if (c.type !== "error") this.report("SCD2016", e.callee.span, `${describeType(c)} cannot be called.`);
      return { type: "error", span: e.span };
    }
    const name = e.callee.name;
    if (!this.ev.study.scope.has(name)) {
      if (name === "frozen") return this.frozen(e);
      if (name === "train") {
        this.report("SCD2017", e.span, "`train(…)` makes a stage; declare it as `stage NAME = train(…) { … }`.");
        return { type: "error", span: e.span };
      }
      if (name === "grid" || name === "zip" || name === "random") {
        this.report("SCD3011", e.span, `\`${name}(…)\` describes a sweep and may only stand in \`sweep\`.`);
        return { type: "error", span: e.span };
      }
      const meta = registry.get(name);
      if (meta) return this.component(meta, e);
    }
    const c = this.expr(e.callee);
    if (c.type === "error") return c;
    this.report("SCD2016", e.callee.span, `\`${name}\` is ${describeType(c)}, which cannot be called.`);
    return { type: "error", span: e.span };
  }

  frozen(e: A.Call): Value {
    if (e.args.length !== 1 || e.args[0]!.name) {
      this.report("SCD2008", e.span, "`frozen` takes exactly one model: `frozen(m)`.");
      return { type: "error", span: e.span };
    }
    const m = this.expr(e.args[0]!.value);
    if (m.type === "error") return m;
    if (m.type !== "model") {
      this.report("SCD2003", m.span, `\`frozen\` takes a model, got ${describeType(m)}.`);
      return { type: "error", span: e.span };
    }
    return { ...m, facts: { ...m.facts, frozen: true, defaultTrainable: NO_GROUPS }, span: e.span };
  }

  /** Binds arguments to a component's inputs and options, validates them, and runs its rules. */
  component(meta: ComponentMeta, e: A.Call): Value {
    const bound = bindArgs(this, meta, e.args, e.span);
    const { inputs, options, optionValues } = bound;
    const report = reporterAt(this, bound, e.span);
    // Options that were written correctly are validated even when others were not, so one pass
    // reports every bad option; a missing `required` one is only news when binding went well.
    const found = validateOptions(meta.name, meta.options, options, optionValues, e.span, {
      text: this.file.text,
      call: e,
    });
    const issues = found.length ? found.filter((i) => bound.ok || i.code !== "SCD2007") : found;
    for (const i of issues)
      this.report(i.code, i.span, i.message, { label: i.label, help: i.help, notes: i.notes, fixes: i.fixes });
    if (issues.length || !bound.ok) return { type: "error", span: e.span };
    const params = this.ev.deps.paramsOf(this.binding.decl.name);
    const ctxInputs: Record<string, { model?: ModelValue["facts"]; data?: DataValue["facts"]; span: Span }> = {};
    const refs: Record<string, InputRef> = {};
    for (const k in inputs) {
      const v = inputs[k]!;
      ctxInputs[k] = {
        model: v.type === "model" ? v.facts : undefined,
        data: v.type === "data" ? v.facts : undefined,
        span: v.span,
      };
      refs[k] = v.ref;
    }
    const ctx = { inputs: ctxInputs, options, report };
    const nodeOptions = this.withSeed(meta, options);
    const files = meta.fileOptions?.length
      ? meta.fileOptions
          .filter((o) => typeof options[o] === "string")
          .map((o) => ({ option: o, path: resolvePath(this.file.path, options[o] as string) }))
      : NO_FILES;
    const missing = this.ev.fileExists && files.length ? files.filter((f) => !this.ev.fileExists!(f.path)) : NO_FILES;
    for (const f of missing)
      this.report(
        "SCD2107",
        optionValues.get(f.option)?.span ?? e.span,
        `\`${f.option}\` names a path that does not exist: ${f.path}.`,
        {
          label: "not found",
          help: "paths are relative to the folder of the .scd file that writes them",
        },
      );
    if (missing.length) return { type: "error", span: e.span };
    const origin = { name: this.binding.decl.name, file: this.file.display };
    switch (meta.kind) {
      case "model": {
        const before = this.diags.length;
        const facts = meta.model?.(ctx);
        if (!facts || this.diags.length > before) return { type: "error", span: e.span };
        const node = this.node({
          kind: "model",
          op: meta.name,
          options: nodeOptions,
          inputs: refs,
          params,
          files,
          origin,
          facts: facts as unknown as JsonObject,
        });
        return { type: "model", facts, ref: { key: node.key }, params, span: e.span };
      }
      case "data": {
        const before = this.diags.length;
        const facts = meta.dataset?.(ctx);
        if (!facts || this.diags.length > before) return { type: "error", span: e.span };
        const node = this.node({
          kind: "data",
          op: meta.name,
          options: nodeOptions,
          inputs: refs,
          params,
          files,
          origin,
        });
        return { type: "data", facts, ref: { key: node.key }, params, span: e.span };
      }
      case "loss":
        return {
          type: "loss",
          terms: [
            {
              weight: 1,
              meta,
              options: nodeOptions,
              inputs: inputs as Record<string, ModelValue | DataValue>,
              optionValues,
              span: e.span,
            },
          ],
          params,
          span: e.span,
        };
      case "optim":
        return { type: "optim", meta, options: sortedObject(options), params, span: e.span };
      case "bench": {
        const before = this.diags.length;
        meta.checkBench?.(ctx);
        if (this.diags.length > before) return { type: "error", span: e.span };
        const node = this.node({
          kind: "bench",
          op: meta.name,
          options: nodeOptions,
          inputs: refs,
          params,
          files,
          origin,
        });
        return { type: "bench", name: this.binding.decl.name, key: node.key, span: e.span };
      }
    }
  }

  /** The study seed joins the options of seeded components: it is then part of their key. */
  withSeed(meta: ComponentMeta, options: JsonObject): JsonObject {
    if (!meta.seeded || (meta.name === "clip" && options["weights"] !== undefined)) return sortedObject(options);
    const seed = this.params.get(SEED);
    return sortedObject(options, { seed: seed?.type === "number" ? seed.value : 0 });
  }
}

/** A component rule's `report`: at the option or input it names, else at the call. Made by a
 * function, not as a named closure in place: scdx runs through tsx, whose esbuild keeps function
 * names, and a named closure costs a property definition each time it is made (~0.3 µs, per call). */
function reporterAt(ctx: DeclEvaluator, b: Bound, at: Span) {
  return (code: string, message: string, o: ReportOptions = {}): void =>
    ctx.report(code, (o.at && (b.optionValues.get(o.at)?.span ?? b.inputs[o.at]?.span)) || at, message, o);
}

const NO_FILES: readonly { option: string; path: string }[] = [];

function resolvePath(scdFile: string, p: string): string {
  return path.resolve(path.dirname(scdFile), p);
}

interface Bound {
  ok: boolean;
  inputs: Record<string, ModelValue | DataValue>;
  options: JsonObject;
  /** Each option's value; its span is where the value was written (an input's is on its value). */
  optionValues: Map<string, Value>;
}

/** Positional arguments fill inputs in order; named ones fill inputs or options. */
export function bindArgs(ctx: DeclContext, meta: ComponentMeta, args: readonly A.Arg[], callSpan: Span): Bound {
  const b: Bound = {
    ok: true,
    inputs: {},
    options: {},
    optionValues: new Map(),
  };
  let ok = true;
  let positional = 0;
  // The names given so far and where (a Map per call was a long study's largest count of Maps).
  const given: string[] = [];
  const givenAt: Span[] = [];
  for (const a of args) {
    const name = a.name ?? meta.inputs[positional]?.name;
    if (!a.name) {
      if (!name) {
        const n = meta.inputs.length;
        ctx.report(
          "SCD2008",
          a.span,
          `\`${meta.name}\` takes ${n === 0 ? "no" : n} positional argument${n === 1 ? "" : "s"}${n ? ` (${meta.inputs.map((i) => i.name).join(", ")})` : ""}; name this one.`,
          {
            help: `its options: ${Object.keys(meta.options.properties).join(", ")}`,
          },
        );
        ok = false;
        continue;
      }
      positional++;
    }
    const at = given.indexOf(name!);
    const prev = at < 0 ? undefined : givenAt[at];
    if (prev) {
      ctx.report("SCD2009", a.nameSpan ?? a.span, `\`${name}\` is given twice to \`${meta.name}\`.`, {
        related: [{ span: prev, message: "first given here" }],
      });
      ok = false;
      continue;
    }
    given.push(name!);
    givenAt.push(a.nameSpan ?? a.span);
    const input = meta.inputs.find((i) => i.name === name);
    if (input) {
      const v = ctx.expr(a.value);
      if (v.type === "error") {
        ok = false;
        continue;
      }
      if (v.type !== input.type) {
        ctx.report(
          "SCD2003",
          a.value.span,
          `\`${input.name}\` of \`${meta.name}\` must be ${describeType(input.type)}, got ${describeType(v)}.`,
          { label: `expected ${describeType(input.type)}` },
        );
        ok = false;
        continue;
      }
      b.inputs[input.name] = v;
      continue;
    }
    if (!(name! in meta.options.properties)) {
      const all = [...meta.inputs.map((i) => i.name), ...Object.keys(meta.options.properties)];
      const guess = didYouMean(name!, all);
      ctx.report("SCD2005", a.nameSpan ?? a.span, `\`${meta.name}\` has no option \`${name}\`.`, {
        label: "unknown option",
        help: guess ? `did you mean \`${guess}\`?` : undefined,
        fixes: a.nameSpan ? replaceWith(a.nameSpan, guess) : undefined,
        notes: [`its inputs and options: ${all.join(", ")}`],
      });
      ok = false;
      continue;
    }
    const v = ctx.expr(a.value, enumOf(meta.options, name!));
    if (v.type === "error") {
      ok = false;
      continue;
    }
    const j = toJson(v);
    if (j === undefined) {
      ctx.report(
        "SCD2003",
        a.value.span,
        `Option \`${name}\` of \`${meta.name}\` takes plain data, got ${describeType(v)}.`,
      );
      ok = false;
      continue;
    }
    b.options[name!] = j;
    b.optionValues.set(name!, v);
  }
  // Every missing argument in one diagnostic: they share the call's span, and one diagnostic per
  // code and span is what reaches the user (compile.ts).
  const absent = meta.inputs.filter((i) => !b.inputs[i.name] && !given.includes(i.name) && !i.optional);
  if (absent.length) {
    const args = listed(absent.map((i) => `its \`${i.name}\` argument (${describeType(i.type)})`));
    ctx.report("SCD2007", callSpan, `\`${meta.name}\` needs ${args}.`, {
      help: absent.length === 1 ? `${absent[0]!.name}: ${absent[0]!.doc}` : undefined,
      notes: absent.length > 1 ? absent.map((i) => `${i.name}: ${i.doc}`) : undefined,
    });
    ok = false;
  }
  b.ok = ok;
  return b;
}
