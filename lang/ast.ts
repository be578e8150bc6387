// The AST: immutable plain data, no methods, a span on every node. Where error recovery left a hole,
// the field holds a `missing` expression (or is undefined) so later phases can skip it quietly
// instead of reporting cascades.
import type { Span } from "../core/diagnostics.ts";

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | Ident
  | Member
  | Call
  | ListLit
  | RecordLit
  | Binary
  | Unary
  | RangeExpr
  | Missing;

export interface NumberLit {
  readonly kind: "number";
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}
export interface StringLit {
  readonly kind: "string";
  readonly value: string;
  readonly span: Span;
}
export interface BoolLit {
  readonly kind: "bool";
  readonly value: boolean;
  readonly span: Span;
}
/** A bare word: a declared name, or an enum symbol where the option it fills is an enum. */
export interface Ident {
  readonly kind: "ident";
  readonly name: string;
  readonly span: Span;
}
export interface Member {
  readonly kind: "member";
  readonly object: Expr;
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
}
export interface Call {
  readonly kind: "call";
  readonly callee: Expr;
  readonly args: readonly Arg[];
  readonly span: Span;
}
export interface Arg {
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly value: Expr;
  readonly span: Span;
}
export interface ListLit {
  readonly kind: "list";
  readonly items: readonly Expr[];
  readonly span: Span;
}
export interface RecordLit {
  readonly kind: "record";
  readonly fields: readonly Field[];
  readonly span: Span;
}
export interface Binary {
  readonly kind: "binary";
  readonly op: "+" | "-" | "*" | "/";
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}
export interface Unary {
  readonly kind: "unary";
  readonly op: "-";
  readonly operand: Expr;
  readonly span: Span;
}
/** `lo..hi`, inclusive on both ends. */
export interface RangeExpr {
  readonly kind: "range";
  readonly lo: Expr;
  readonly hi: Expr;
  readonly span: Span;
}
/** A hole left by error recovery; already reported as a syntax error. */
export interface Missing {
  readonly kind: "missing";
  readonly span: Span;
}

/** `name = value` in a stage body, or `name: value` in a record. */
export interface Field {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Expr;
  readonly span: Span;
}

export type Decl = ExperimentDecl | ImportDecl | ParamDecl | BindingDecl | StageDecl | SweepDecl;

export interface ExperimentDecl {
  readonly kind: "experiment";
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
}
export interface ImportDecl {
  readonly kind: "import";
  readonly path: string;
  readonly pathSpan: Span;
  readonly span: Span;
}

/** Interval bounds of `param x = v in [lo, hi)`: `closed` says whether each end is included. */
export interface Interval {
  readonly lo: Expr;
  readonly hi: Expr;
  readonly loClosed: boolean;
  readonly hiClosed: boolean;
  readonly span: Span;
}
export interface ParamDecl {
  readonly kind: "param";
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Expr;
  readonly range?: Interval;
  readonly span: Span;
}

/** `data`, `model`, `let` and `bench` share one shape: a keyword, a name and a value. */
export type BindingKeyword = "data" | "model" | "let" | "bench";
export interface BindingDecl {
  readonly kind: "binding";
  readonly keyword: BindingKeyword;
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Expr;
  readonly span: Span;
}

/** `stage NAME = OP(base) { fields }`; OP is `train` today. */
export interface StageDecl {
  readonly kind: "stage";
  readonly name: string;
  readonly nameSpan: Span;
  readonly op: string;
  readonly opSpan: Span;
  readonly base: Expr;
  readonly fields: readonly Field[];
  readonly bodySpan: Span;
  readonly span: Span;
}
export interface SweepDecl {
  readonly kind: "sweep";
  readonly value: Expr;
  readonly span: Span;
}

export interface Comment {
  readonly text: string;
  readonly span: Span;
  readonly block: boolean;
}

export interface Program {
  readonly file: string;
  readonly decls: readonly Decl[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}

/** Names a declaration introduces, or undefined for experiment, import and sweep. */
export function declName(d: Decl): string | undefined {
  return d.kind === "param" || d.kind === "binding" || d.kind === "stage" ? d.name : undefined;
}

/** Canonical fully parenthesised form of an expression, for parser tests and messages. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "string":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "ident":
      return e.name;
    case "member":
      return `${printExpr(e.object)}.${e.name}`;
    case "call":
      return `${printExpr(e.callee)}(${e.args.map((a) => (a.name ? `${a.name}: ` : "") + printExpr(a.value)).join(", ")})`;
    case "list":
      return `[${e.items.map(printExpr).join(", ")}]`;
    case "record":
      return `{${e.fields.map((f) => `${f.name}: ${printExpr(f.value)}`).join(", ")}}`;
    case "binary":
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case "unary":
      return `(-${printExpr(e.operand)})`;
    case "range":
      return `(${printExpr(e.lo)}..${printExpr(e.hi)})`;
    case "missing":
      return "<missing>";
  }
}
