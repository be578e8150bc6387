// What the check of one declaration sees of the evaluator running it. The evaluator (evaluate.ts)
// hands `stage` declarations to stage.ts, which calls back for their expressions; through this
// interface stage.ts does so without importing the evaluator, so the two files form no cycle.
import type * as A from "./ast.ts";
import type { Diagnostic, Span } from "../core/diagnostics.ts";
import type { Dependencies } from "./deps.ts";
import type { IrNode } from "../core/ir.ts";
import type { NodeSpec } from "./nodes.ts";
import type { SourceFile } from "./program.ts";
import type { Value } from "./values.ts";
import type { ReportOptions } from "../stdlib/component.ts";

/** Per-trial param values (after defaults, sweep point and --set). */
export type ParamValues = ReadonlyMap<string, Value>;

export interface DeclContext {
  /** Diagnostics of this declaration so far (checks compare the count to see whether a part failed). */
  readonly diags: Diagnostic[];
  readonly file: SourceFile;
  readonly params: ParamValues;
  /** The study-wide state: IR nodes made so far, and which params reach which declaration. */
  readonly ev: { readonly nodes: Map<string, IrNode>; readonly deps: Dependencies };
  /** Makes (or finds) an IR node: through here, so that the declaration's trace records it. */
  node(spec: NodeSpec): IrNode;
  report(code: string, span: Span, message: string, o?: Omit<ReportOptions, "at">): void;
  /** The value of an expression of this declaration (bare words read as `enumValues` where given). */
  expr(e: A.Expr, enumValues?: readonly string[]): Value;
}
