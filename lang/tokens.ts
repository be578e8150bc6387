// The token vocabulary of .scd. Order in `allTokens` matters to Chevrotain: the first pattern that
// matches wins, so keywords precede Identifier (with `longer_alt` so `database` is one Identifier),
// `..` precedes `.`, and the unterminated-string catch-all follows the proper string literal.
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.ts";

/** Any word usable as a field, option or member name: identifiers and every keyword alike, so that
 * `distill.model`, `data = train` and `f(data: x)` parse although `model` and `data` are keywords. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name] });

function keyword(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: word,
    longer_alt: Identifier,
    categories: [Name],
  });
}

export const Experiment = keyword("experiment");
export const Import = keyword("import");
export const Param = keyword("param");
export const Data = keyword("data");
export const Model = keyword("model");
export const Stage = keyword("stage");
export const Let = keyword("let");
export const Bench = keyword("bench");
export const Sweep = keyword("sweep");
export const In = keyword("in");
export const True = keyword("true");
export const False = keyword("false");

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
// Comments live in their own group: the parser never sees them, `scdx fmt` puts them back.
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});
// A `/*` that never closes would otherwise lex as `/` `*`: catch it to say what is wrong.
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  group: "comments",
  line_breaks: true,
});

// Digits, optional fraction, optional exponent. No leading or trailing dot, so `1..4` is 1 `..` 4.
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*/ });

export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/ });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });

export const keywords = [Experiment, Import, Param, Data, Model, Stage, Let, Bench, Sweep, In, True, False];

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  ...keywords,
  Identifier,
  Name,
  DotDot,
  Dot,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Colon,
  Semicolon,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
];

export const keywordNames: ReadonlySet<string> = new Set(keywords.map((k) => k.PATTERN as string));
