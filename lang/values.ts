// What expressions evaluate to while checking one trial. Models and datasets are symbolic: they
// carry the facts the checker reasons about (widths, token grids, what a dataset yields) and the
// key of the IR node that will compute them, never tensors.
import type { Span } from "../core/diagnostics.ts";
import type { InputRef, Json, JsonObject, NodeKey } from "../core/ir.ts";
import type { ComponentMeta } from "../stdlib/component.ts";
import type { DatasetFacts, ModelFacts } from "../core/facts.ts";

export interface LossTermValue {
  readonly weight: number;
  readonly meta: ComponentMeta;
  readonly options: JsonObject;
  readonly inputs: Readonly<Record<string, ModelValue | DataValue>>;
  /** The loss call's option values; each one's span is where it was written. */
  readonly optionValues: ReadonlyMap<string, Value>;
  readonly span: Span;
}

export interface ModelValue {
  readonly type: "model";
  readonly facts: ModelFacts;
  readonly ref: InputRef;
  readonly params: readonly string[];
  readonly span: Span;
}
export interface DataValue {
  readonly type: "data";
  readonly facts: DatasetFacts;
  readonly ref: InputRef;
  readonly params: readonly string[];
  readonly span: Span;
}

export type Value =
  | { readonly type: "number"; readonly value: number; readonly span: Span }
  | { readonly type: "string"; readonly value: string; readonly span: Span }
  | { readonly type: "bool"; readonly value: boolean; readonly span: Span }
  /** A bare word read as an enumeration symbol. */
  | { readonly type: "symbol"; readonly value: string; readonly span: Span }
  | { readonly type: "list"; readonly items: readonly Value[]; readonly span: Span }
  | { readonly type: "range"; readonly lo: number; readonly hi: number; readonly span: Span }
  | { readonly type: "record"; readonly fields: ReadonlyMap<string, Value>; readonly span: Span }
  | ModelValue
  | DataValue
  | {
      readonly type: "loss";
      readonly terms: readonly LossTermValue[];
      readonly params: readonly string[];
      readonly span: Span;
    }
  | {
      readonly type: "optim";
      readonly meta: ComponentMeta;
      readonly options: JsonObject;
      readonly params: readonly string[];
      readonly span: Span;
    }
  | {
      readonly type: "stage";
      readonly name: string;
      readonly key: NodeKey;
      readonly model: ModelValue;
      readonly span: Span;
    }
  | { readonly type: "bench"; readonly name: string; readonly key: NodeKey; readonly span: Span }
  | { readonly type: "component"; readonly meta: ComponentMeta; readonly span: Span }
  /** Already reported; consumers stay silent so one mistake gives one diagnostic. */
  | { readonly type: "error"; readonly span: Span };

export type ValueType = Value["type"];

const typeWords: Record<ValueType, string> = {
  number: "a number",
  string: "a string",
  bool: "a boolean",
  symbol: "a symbol",
  list: "a list",
  range: "a range",
  record: "a record",
  model: "a model",
  data: "a dataset",
  loss: "a loss",
  optim: "an optimizer",
  stage: "a stage",
  bench: "a bench",
  component: "a component",
  error: "an invalid value",
};

export function describeType(v: Value | ValueType): string {
  return typeWords[typeof v === "string" ? v : v.type];
}

/** Plain data (numbers, strings, symbols, lists, ranges, records) as JSON; undefined for anything else. */
export function toJson(v: Value): Json | undefined {
  switch (v.type) {
    case "number":
    case "string":
    case "bool":
    case "symbol":
      return v.value;
    case "range": {
      const out: number[] = [];
      for (let i = v.lo; i <= v.hi && out.length < 100_000; i++) out.push(i);
      return out;
    }
    case "list": {
      const items = v.items.map(toJson);
      return items.every((i) => i !== undefined) ? (items as Json[]) : undefined;
    }
    case "record": {
      const o: JsonObject = {};
      for (const [k, f] of v.fields) {
        const j = toJson(f);
        if (j === undefined) return undefined;
        o[k] = j;
      }
      return o;
    }
    default:
      return undefined;
  }
}

/** Short display of a plain value: `0.5`, `vit_tiny`, `[1, 5]`. */
export function showJson(j: Json): string {
  if (Array.isArray(j)) return `[${j.map(showJson).join(", ")}]`;
  if (j !== null && typeof j === "object")
    return `{${Object.entries(j)
      .map(([k, v]) => `${k}: ${showJson(v)}`)
      .join(", ")}}`;
  return typeof j === "string" ? j : String(j);
}
