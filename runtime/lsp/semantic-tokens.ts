// Semantic tokens from the one tokeniser (lang/highlight.ts, which the report's colouring uses too),
// refined by the check: a word is a component, a param, another declared name, an option or field
// name (it precedes `:` or `=`), or else an enum symbol.
import type { SemanticTokensLegend } from "vscode-languageserver";
import { classifyTokens } from "../../lang/highlight.ts";
import type { LoadedStudy } from "../../lang/program.ts";
import { builtins, registry } from "../../stdlib/registry.ts";
import { LineMap } from "./text.ts";

const TYPES = [
  "keyword",
  "number",
  "string",
  "comment",
  "function",
  "variable",
  "parameter",
  "property",
  "enumMember",
] as const;
export const legend: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: ["declaration"] };
const T = Object.fromEntries(TYPES.map((t, i) => [t, i])) as Record<(typeof TYPES)[number], number>;

export function semanticTokens(text: string, loaded: LoadedStudy): number[] {
  const spans = classifyTokens(text);
  const lines = new LineMap(text);
  const declStarts = new Set(loaded.main.program.decls.flatMap((d) => ("nameSpan" in d ? [d.nameSpan.start] : [])));
  const out: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  const push = (start: number, end: number, type: number, mods: number) => {
    // one token per line: clients need not support multi-line tokens (block comments)
    for (let s = start; s < end; ) {
      const nl = text.indexOf("\n", s);
      const e = nl === -1 || nl >= end ? end : nl;
      if (e > s) {
        const p = lines.position(s);
        out.push(p.line - prevLine, p.line === prevLine ? p.character - prevChar : p.character, e - s, type, mods);
        prevLine = p.line;
        prevChar = p.character;
      }
      s = e + 1;
    }
  };
  spans.forEach((sp, i) => {
    let type: number | undefined;
    if (sp.cls === "keyword") type = T.keyword;
    else if (sp.cls === "number") type = T.number;
    else if (sp.cls === "string") type = T.string;
    else if (sp.cls === "comment") type = T.comment;
    else if (sp.cls === "name") {
      const word = text.slice(sp.start, sp.end);
      const next = spans[i + 1] ? text.slice(spans[i + 1]!.start, spans[i + 1]!.end) : "";
      const b = loaded.scope.get(word);
      if (declStarts.has(sp.start)) type = b?.decl.kind === "param" ? T.parameter : T.variable;
      else if (next === ":" || next === "=") type = T.property;
      else if (b) type = b.decl.kind === "param" ? T.parameter : T.variable;
      else if (registry.has(word) || builtins[word] || word === "seed")
        type = word === "seed" ? T.parameter : T.function;
      else type = T.enumMember;
    }
    if (type !== undefined) push(sp.start, sp.end, type, declStarts.has(sp.start) ? 1 : 0);
  });
  return out;
}
