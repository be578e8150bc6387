// Formatting is `scdx fmt`'s layout (lang/format.ts). A document with syntax errors is left alone,
// as `fmt` leaves it. A range is widened to the whole declarations it touches, which are formatted
// as a program of their own and put back in place.
import type { TextEdit } from "vscode-languageserver";
import { format } from "../../lang/format.ts";
import type * as A from "../../lang/ast.ts";
import type { Span } from "../../core/diagnostics.ts";
import { LineMap } from "./text.ts";

export function formatDocument(text: string, file: string): TextEdit[] {
  const r = format(text, file);
  if (r.output === undefined || r.output === text) return [];
  const lines = new LineMap(text);
  return [{ range: lines.range({ start: 0, end: text.length }), newText: r.output }];
}

export function formatRange(text: string, file: string, program: A.Program, range: Span): TextEdit[] {
  const touched = program.decls.filter((d) => d.span.end >= range.start && d.span.start <= range.end);
  if (!touched.length) return [];
  // whole lines, so comments before or after a declaration on its lines move with it
  const start = text.lastIndexOf("\n", touched[0]!.span.start - 1) + 1;
  const nl = text.indexOf("\n", touched[touched.length - 1]!.span.end);
  const end = nl === -1 ? text.length : nl;
  const slice = text.slice(start, end);
  const r = format(slice, file);
  if (r.output === undefined) return [];
  const out = r.output.endsWith("\n") ? r.output.slice(0, -1) : r.output;
  if (out === slice) return [];
  return [{ range: new LineMap(text).range({ start, end }), newText: out }];
}
