// `stage NAME = train(base) { … }`: the fields are checked like a component's arguments (typed
// fields data/loss/optim/trainable, plain fields validated by a JSON Schema), then each loss term's
// stage rules run against the student and the data, and the train node is made.
import type * as A from "./ast.ts";
import { didYouMean, listed, replaceSymbol, replaceWith, type Span } from "../core/diagnostics.ts";
import { SEED } from "./deps.ts";
import type { DeclContext } from "./decl-context.ts";
import { type InputRef, type JsonObject, type LossTerm, sortedObject } from "../core/ir.ts";
import { validateOptions } from "./options.ts";
import { compareTerms } from "./term-order.ts";
import { defaultOptions } from "../stdlib/option-schema.ts";
import { describeType, type LossTermValue, toJson, type ModelValue, type Value } from "./values.ts";
import type { OptionSchema, ReportOptions } from "../stdlib/component.ts";
import { registry } from "../stdlib/registry.ts";

export const trainFields: OptionSchema = {
  type: "object",
  properties: {
    steps: { type: "integer", minimum: 1, description: "optimizer steps" },
    batch: { type: "integer", minimum: 1, default: 16, description: "images per step" },
    ensemble: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 1,
      default: 1,
      description: "saved weights = α·trained + (1−α)·base (CLIPSelf: 0.7 for B/16); 1 keeps the trained weights",
    },
    checkpoint_every: { type: "integer", minimum: 1, default: 500, description: "steps between resumable checkpoints" },
  },
  required: ["steps"],
  additionalProperties: false,
};

export const typedFields: Readonly<Record<string, string>> = {
  data: "the training dataset",
  loss: "a loss or weighted sum of losses",
  optim: "the optimizer (default: adamw())",
  trainable: "parameter groups to update (default: all that are not frozen)",
};

export function checkStage(ctx: DeclContext, d: A.StageDecl): Value {
  if (d.op !== "train") {
    ctx.report("SCD2017", d.opSpan, `Unknown stage kind \`${d.op}\`; stages are made with \`train(…)\`.`, {
      help: didYouMean(d.op, ["train"]) ? "did you mean `train`?" : undefined,
      fixes: replaceWith(d.opSpan, didYouMean(d.op, ["train"])),
      notes: ["evaluations are `bench` declarations"],
    });
    return errorValue(d.span);
  }
  const base = ctx.expr(d.base);
  let ok = base.type !== "error";
  if (base.type !== "error" && base.type !== "model") {
    ctx.report("SCD2003", d.base.span, `\`train\` starts from a model, got ${describeType(base)}.`);
    ok = false;
  }
  const seen = new Map<string, A.Field>();
  const plain: JsonObject = {};
  const plainValues = new Map<string, Value>();
  let data: Value | undefined,
    loss: Value | undefined,
    optim: Value | undefined,
    trainable: { groups: string[]; span: Span } | undefined;
  const groups = base.type === "model" ? base.facts.groups : [];
  for (const f of d.fields) {
    const prev = seen.get(f.name);
    if (prev) {
      ctx.report("SCD2018", f.nameSpan, `The stage sets \`${f.name}\` twice.`, {
        related: [{ span: prev.nameSpan, message: "first set here" }],
      });
      ok = false;
      continue;
    }
    seen.set(f.name, f);
    if (f.name === "trainable") {
      const v = ctx.expr(f.value, groups);
      const items = v.type === "list" ? v.items : [v];
      const names: string[] = [];
      for (const it of items) {
        if (it.type === "error") {
          ok = false;
          continue;
        }
        if (it.type !== "symbol" || (base.type === "model" && !groups.includes(it.value))) {
          const word = it.type === "symbol" ? it.value : undefined;
          const guess = word ? didYouMean(word, groups) : undefined;
          ctx.report(
            "SCD2021",
            it.span,
            word
              ? `\`${word}\` is not a parameter group of this model.`
              : `\`trainable\` takes parameter group names, got ${describeType(it)}.`,
            {
              notes: base.type === "model" ? [`${base.facts.arch} has the groups: ${groups.join(", ")}`] : undefined,
              help: guess ? `did you mean \`${guess}\`?` : undefined,
              fixes: word ? replaceSymbol(it.span, word, guess) : undefined,
            },
          );
          ok = false;
          continue;
        }
        names.push(it.value);
      }
      trainable = { groups: [...new Set(names)].sort(), span: f.value.span };
      continue;
    }
    if (f.name in typedFields) {
      const v = ctx.expr(f.value);
      if (v.type === "error") {
        ok = false;
        continue;
      }
      const want = f.name === "data" ? "data" : f.name === "loss" ? "loss" : "optim";
      if (v.type !== want) {
        ctx.report(
          "SCD2003",
          f.value.span,
          `The stage's \`${f.name}\` must be ${describeType(want)}, got ${describeType(v)}.`,
        );
        ok = false;
        continue;
      }
      if (f.name === "data") data = v;
      else if (f.name === "loss") loss = v;
      else optim = v;
      continue;
    }
    if (!(f.name in trainFields.properties)) {
      const all = [...Object.keys(typedFields), ...Object.keys(trainFields.properties)];
      const guess = didYouMean(f.name, all);
      ctx.report("SCD2018", f.nameSpan, `A train stage has no field \`${f.name}\`.`, {
        help: guess ? `did you mean \`${guess}\`?` : undefined,
        fixes: replaceWith(f.nameSpan, guess),
        notes: [`its fields: ${all.join(", ")}`],
      });
      ok = false;
      continue;
    }
    const v = ctx.expr(f.value);
    const j = v.type === "error" ? undefined : toJson(v);
    if (j === undefined) {
      if (v.type !== "error")
        ctx.report("SCD2003", f.value.span, `The stage's \`${f.name}\` takes a plain value, got ${describeType(v)}.`);
      ok = false;
      continue;
    }
    plain[f.name] = j;
    plainValues.set(f.name, v);
  }
  // Every missing field in one diagnostic: they share the name's span, and one diagnostic per code
  // and span is what reaches the user (compile.ts).
  const absent = ["data", "loss", "steps"].filter((req) => !seen.has(req));
  if (absent.length) {
    const one = absent.length === 1;
    const names = listed(
      absent.map((r) => `\`${r}\``),
      "or",
    );
    ctx.report("SCD2007", d.nameSpan, `Stage \`${d.name}\` has no ${names}.`, {
      help: one
        ? `add \`${absent[0]} = …\` to its body: ${fieldAbout(absent[0]!)}`
        : `add ${listed(absent.map((r) => `\`${r} = …\``))} to its body`,
      notes: one ? undefined : absent.map((r) => `${r}: ${fieldAbout(r)}`),
    });
    ok = false;
  }
  const issues = validateOptions("train", trainFields, plain, plainValues, d.nameSpan);
  for (const i of issues)
    if (i.code !== "SCD2007")
      ctx.report(i.code, i.span, i.message.replace("Option", "Field").replace("of `train`", `of stage \`${d.name}\``), {
        label: i.label,
      });
  if (issues.some((i) => i.code !== "SCD2007")) ok = false;
  if (!ok || base.type !== "model" || data?.type !== "data" || loss?.type !== "loss") return errorValue(d.span);

  const student = base.facts;
  if (!trainable && student.defaultTrainable.length === 0) {
    ctx.report(
      "SCD2020",
      d.base.span,
      `Nothing to train: the stage starts from a frozen model and names no \`trainable\` parameters.`,
      {
        label: "frozen",
        help: `add e.g. \`trainable = blocks\` (CLIPSelf's choice); groups: ${student.groups.join(", ")}`,
      },
    );
    return errorValue(d.span);
  }
  if (data.facts.size % student.patch !== 0) {
    ctx.report(
      "SCD2105",
      seen.get("data")!.value.span,
      `The dataset's ${data.facts.size} px images do not tile into the student's ${student.patch} px patches.`,
      { label: `${data.facts.size} is not a multiple of ${student.patch}` },
    );
    return errorValue(d.span);
  }
  const before = ctx.diags.length;
  for (const t of loss.terms) {
    const inputs: Record<string, { model?: ModelValue["facts"]; data?: never; span: Span }> = {};
    for (const [k, v] of Object.entries(t.inputs)) if (v.type === "model") inputs[k] = { model: v.facts, span: v.span };
    t.meta.checkInStage?.({
      student,
      data: data.facts,
      options: t.options,
      inputs,
      report: termReporter(ctx, t, inputs),
    });
  }
  if (ctx.diags.length > before) return errorValue(d.span);

  const optimValue = optim?.type === "optim" ? optim : undefined;
  const optimOptions = optimValue?.options ?? defaultOptions(registry.get("adamw")!.options);
  const seed = ctx.params.get(SEED);
  // How often to checkpoint changes no result (resume is bit-identical), so it stays out of the key.
  const { checkpoint_every: checkpointEvery, ...keyed } = plain;
  const options = sortedObject(keyed, {
    optim: { op: optimValue?.meta.name ?? "adamw", options: optimOptions },
    seed: seed?.type === "number" ? seed.value : 0,
    trainable: trainable?.groups ?? (student.defaultTrainable as string[]),
  });
  // Teachers and sources are always used frozen, so the frozen mark is not part of their identity.
  // A sum does not depend on the order its terms are written in: keep them in a canonical order.
  const terms: LossTerm[] = loss.terms
    .map((t) => {
      const term: LossTerm = {
        weight: t.weight,
        op: t.meta.name,
        options: t.options,
        inputs: Object.fromEntries(Object.entries(t.inputs).map(([k, v]) => [k, v.ref as InputRef])),
      };
      return term;
    })
    .sort(compareTerms);
  const node = ctx.node({
    kind: "train",
    op: "train",
    options,
    exec: { checkpoint_every: checkpointEvery ?? 500 },
    inputs: { base: base.ref, data: data.ref },
    loss: terms,
    params: ctx.ev.deps.paramsOf(d.name),
    files: [],
    origin: { name: d.name, file: ctx.file.display },
    facts: {
      ...student,
      tensors: tensorShapes(student, data.facts.size, (plain["batch"] as number) ?? 16),
    } as unknown as JsonObject,
  });
  const trained: ModelValue = {
    type: "model",
    facts: {
      ...student,
      frozen: false,
      defaultTrainable: student.family === "refiner" && student.base?.frozen ? REFINER_ONLY : ALL_GROUPS,
    },
    ref: { key: node.key },
    params: node.params,
    span: d.nameSpan,
  };
  return { type: "stage", name: d.name, key: node.key, model: trained, span: d.span };
}

// Module functions rather than named closures made per stage: scdx runs through tsx, whose esbuild
// keeps function names, and a named closure costs a property definition each time it is made.
// Shared (never mutated): every stage's trained model has one of these.
const ALL_GROUPS: readonly string[] = ["all"];
const REFINER_ONLY: readonly string[] = ["refiner"];

function errorValue(span: Span): Value {
  return { type: "error", span };
}
function fieldAbout(req: string): string {
  return `${typedFields[req] ?? trainFields.properties[req]?.["description"]}`;
}
function termReporter(ctx: DeclContext, t: LossTermValue, inputs: Readonly<Record<string, { span: Span }>>) {
  return (code: string, message: string, o: ReportOptions = {}): void =>
    ctx.report(code, (o.at && (t.optionValues.get(o.at)?.span ?? inputs[o.at]?.span)) || t.span, message, o);
}

/** Symbolic shapes of the student's main tensors in this stage, named dims with their sizes;
 * the runtime's memory estimate and `plan --json` read them. */
export function tensorShapes(m: ModelValue["facts"], size: number, batch: number): JsonObject {
  const g = Math.floor(size / m.patch);
  // One object per distinct shape: a long study's stages mostly share them (never mutated).
  const id = `${batch} ${size} ${g} ${m.width} ${m.embedDim} ${m.heads}`;
  const hit = shapesMemo.get(id);
  if (hit) return hit;
  const dim = (name: string, n: number) => `${name}=${n}`;
  const shapes = {
    images: [dim("B", batch), dim("C", 3), dim("H", size), dim("W", size)],
    tokens: [dim("B", batch), dim("1+h*w", 1 + g * g), dim("D", m.width)],
    dense: [dim("B", batch), dim("h", g), dim("w", g), dim("E", m.embedDim)],
    attention: [dim("B", batch), dim("heads", m.heads), dim("T", 1 + g * g), dim("T", 1 + g * g)],
  };
  if (shapesMemo.size > 1000) shapesMemo.clear();
  shapesMemo.set(id, shapes);
  return shapes;
}
const shapesMemo = new Map<string, JsonObject>();
