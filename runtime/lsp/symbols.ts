// The outline: one symbol per declaration, in source order.
import { type DocumentSymbol, SymbolKind } from "vscode-languageserver";
import type * as A from "../../lang/ast.ts";
import { printExpr } from "../../lang/ast.ts";
import type { Span } from "../../core/diagnostics.ts";
import type { LineMap } from "./text.ts";

const kinds = {
  param: SymbolKind.Variable,
  data: SymbolKind.Struct,
  model: SymbolKind.Class,
  let: SymbolKind.Constant,
  bench: SymbolKind.Event,
  stage: SymbolKind.Function,
} as const;

function describe(d: A.Decl): { name: string; detail: string; kind: SymbolKind; at: Span } {
  switch (d.kind) {
    case "experiment":
      return { name: d.name, detail: "experiment", kind: SymbolKind.Module, at: d.nameSpan };
    case "import":
      return { name: d.path, detail: "import", kind: SymbolKind.File, at: d.pathSpan };
    case "sweep":
      return { name: "sweep", detail: printExpr(d.value).slice(0, 80), kind: SymbolKind.Array, at: d.span };
    case "param":
      return { name: d.name, detail: `param = ${printExpr(d.value)}`, kind: kinds.param, at: d.nameSpan };
    case "binding":
      return { name: d.name, detail: d.keyword, kind: kinds[d.keyword], at: d.nameSpan };
    case "stage":
      return { name: d.name, detail: `stage ${d.op}`, kind: kinds.stage, at: d.nameSpan };
  }
}

export function documentSymbols(program: A.Program, lines: LineMap): DocumentSymbol[] {
  return program.decls.map((d) => {
    const { name, detail, kind, at } = describe(d);
    // a name the parser could not read is still an outline entry, never an empty (invalid) one
    return { name: name || "?", detail, kind, range: lines.range(d.span), selectionRange: lines.range(at) };
  });
}
