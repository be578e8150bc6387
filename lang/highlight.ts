// Token classes for syntax colouring, from the one tokeniser (tokens.ts): the report colours a
// run's source with it, and the editor's TextMate grammar is derived from the same token list, so
// what the compiler calls a keyword is what every view colours as one.
import type { IToken } from "chevrotain";
import { tokenize } from "./parser.ts";
import * as T from "./tokens.ts";

export type TokenClass = "keyword" | "number" | "string" | "comment" | "name" | "punctuation" | "error";

export interface ClassedSpan {
  /** Offsets into the text, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly cls: TokenClass;
}

const KEYWORDS: ReadonlySet<string> = new Set(T.keywords.map((k) => k.name));

function classOf(t: IToken): TokenClass {
  const n = t.tokenType.name;
  if (KEYWORDS.has(n)) return "keyword";
  if (n === "NumberLiteral") return "number";
  if (n === "StringLiteral") return "string";
  if (n === "LineComment" || n === "BlockComment") return "comment";
  if (n === "Identifier") return "name";
  if (n === "UnterminatedString" || n === "UnterminatedComment") return "error";
  return "punctuation";
}

/** Every token of `text` (comments included, whitespace left out) with its class, in order. */
export function classifyTokens(text: string): ClassedSpan[] {
  const r = tokenize(text);
  const all = [...r.tokens, ...r.comments].sort((a, b) => a.startOffset - b.startOffset);
  return all.map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length, cls: classOf(t) }));
}
