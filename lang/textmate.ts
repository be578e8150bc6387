// The TextMate grammar of .scd (editors/vscode/syntaxes/scd.tmLanguage.json), derived from the one
// tokeniser (tokens.ts): its keywords, number, string and comment patterns are the lexer's own, so
// an editor colours as a keyword exactly what the compiler reads as one (test/lang/textmate.test.ts
// checks every token of the examples). On top, what a lexer cannot see but a regex can: component
// and built-in names from the registry, option names (`name:`), declared names after a keyword.
import { builtins, components } from "../stdlib/registry.ts";
import * as T from "./tokens.ts";

const source = (t: { PATTERN?: unknown }) => (t.PATTERN as RegExp).source;
const words = (ws: readonly string[]) => `\\b(?:${[...ws].sort().join("|")})\\b`;

export function textmateGrammar(): object {
  const keywords = T.keywords.map((k) => k.PATTERN as string);
  const literals = ["true", "false"];
  const decl = keywords.filter((k) => !literals.includes(k) && k !== "in");
  const callable = [...components.map((c) => c.name), ...Object.keys(builtins)];
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    name: "scd",
    scopeName: "source.scd",
    fileTypes: ["scd"],
    comment:
      "Generated from lang/tokens.ts by lang/textmate.ts; do not edit (UPDATE=1 npx uvu test/lang textmate regenerates).",
    patterns: [
      { include: "#comments" },
      { include: "#strings" },
      { include: "#declarations" },
      { include: "#keywords" },
      { include: "#numbers" },
      { include: "#calls" },
      { include: "#options" },
      { include: "#operators" },
      { include: "#names" },
    ],
    repository: {
      comments: {
        patterns: [
          { name: "comment.block.scd", begin: "/\\*", end: "\\*/" },
          { name: "comment.line.double-slash.scd", match: source(T.LineComment) },
        ],
      },
      strings: {
        patterns: [
          { name: "string.quoted.double.scd", match: source(T.StringLiteral) },
          { name: "invalid.illegal.unterminated-string.scd", match: source(T.UnterminatedString) },
        ],
      },
      // `stage distill`, `param lambda`: the keyword, then the name it declares
      declarations: {
        match: `\\b(${decl.join("|")})\\s+([A-Za-z_][A-Za-z0-9_]*)`,
        captures: { 1: { name: "keyword.other.declaration.scd" }, 2: { name: "entity.name.declaration.scd" } },
      },
      keywords: {
        patterns: [
          { name: "constant.language.boolean.scd", match: words(literals) },
          { name: "keyword.operator.word.scd", match: "\\bin\\b" },
          { name: "keyword.other.declaration.scd", match: words(decl) },
        ],
      },
      numbers: { name: "constant.numeric.scd", match: source(T.NumberLiteral) },
      calls: { name: "support.function.component.scd", match: `${words(callable)}(?=\\s*\\()` },
      options: {
        match: "\\b([A-Za-z_][A-Za-z0-9_]*)\\s*(?=:)",
        captures: { 1: { name: "variable.parameter.option.scd" } },
      },
      // any other word, whole: so that the digits of `lambda_10` are never read as a number
      names: { name: "variable.other.scd", match: source(T.Identifier) },
      operators: {
        patterns: [
          { name: "keyword.operator.range.scd", match: "\\.\\." },
          { name: "keyword.operator.arithmetic.scd", match: "[-+*/]" },
          { name: "keyword.operator.assignment.scd", match: "=" },
          { name: "punctuation.accessor.scd", match: "\\." },
        ],
      },
    },
  };
}
