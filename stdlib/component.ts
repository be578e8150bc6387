// The registry contract: the metadata half of every component. No tfjs here or in any *.meta.ts
// file, so `scdx check` stays fast; implementation halves are loaded lazily by the runtime.
import type { Fix, Span } from "../core/diagnostics.ts";
import type { JsonObject } from "../core/ir.ts";
import type { DatasetFacts, ModelFacts } from "../core/facts.ts";

export type ComponentKind = "model" | "data" | "loss" | "optim" | "bench";

/** A JSON Schema (draft-07 subset we use) for a component's options. */
export interface OptionSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, JsonObject>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
}

/** A typed input: a model or dataset value, given positionally (in this order) or by name. */
export interface InputSpec {
  readonly name: string;
  readonly type: "model" | "data";
  readonly doc: string;
  /** May be left out (then only by name after it, never positionally). */
  readonly optional?: boolean;
}

export interface ReportOptions {
  /** Put the caret on this option's value or this input's argument; the call itself otherwise. */
  readonly at?: string;
  readonly label?: string;
  readonly notes?: readonly string[];
  readonly help?: string;
  /** Machine-applicable repairs (did-you-mean), shown as editor code actions. */
  readonly fixes?: readonly Fix[];
  /** Secondary spans, e.g. where a mismatching width was declared. */
  readonly related?: readonly { readonly span: Span; readonly file?: string; readonly message: string }[];
}

export type Report = (code: string, message: string, opts?: ReportOptions) => void;

export interface CallContext {
  readonly inputs: Readonly<
    Record<string, { readonly model?: ModelFacts; readonly data?: DatasetFacts; readonly span: Span }>
  >;
  /** Options after validation, with schema defaults filled in. */
  readonly options: JsonObject;
  readonly report: Report;
}

export interface StageContext extends CallContext {
  /** The model being trained (the stage's base). */
  readonly student: ModelFacts;
  readonly data: DatasetFacts;
}

export interface ComponentMeta {
  readonly name: string;
  readonly kind: ComponentKind;
  /** Goes into cache keys; bump it whenever the numbers the implementation computes change. */
  readonly version: string;
  /** One line for `scdx doc` and completion. */
  readonly doc: string;
  /** Longer notes for `scdx doc NAME`: defaults' provenance, what is a hypothesis. */
  readonly notes?: readonly string[];
  readonly inputs: readonly InputSpec[];
  readonly options: OptionSchema;
  /** Options holding paths of external files (resolved against the .scd file, fingerprinted by the runtime). */
  readonly fileOptions?: readonly string[];
  /** The result depends on the study's `seed` param (random init, sampling, k-means). */
  readonly seeded?: boolean;
  /** Type signature in words, for `scdx doc`: "(teacher: Model) -> Loss". */
  readonly signature: string;
  /** Model components: the facts of the model they make. */
  readonly model?: (ctx: CallContext) => ModelFacts | undefined;
  /** Data components: what the dataset yields. */
  readonly dataset?: (ctx: CallContext) => DatasetFacts | undefined;
  /** Losses: rules that need the stage (student and data), checked where the loss is used. */
  readonly checkInStage?: (ctx: StageContext) => void;
  /** Benches: rules on their model and dataset. */
  readonly checkBench?: (ctx: CallContext) => void;
  /** Benches: names of the metrics they report. */
  readonly metrics?: (options: JsonObject) => string[];
}
