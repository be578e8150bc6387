// The tokens of text that lexes cleanly, for the direct parser (direct-parse.ts): the same tokens
// Chevrotain's lexer (tokens.ts) makes, as flat arrays of types and offsets instead of one object
// and one image string per token. On a 10,000-line study the token objects were ~10 MB of garbage
// per parse, and reading a span back through each token and its image was the parser's hottest
// line. Anything this scanner does not take plainly — a character the vocabulary lacks, an
// unterminated string or block comment — makes it give up, and the caller lexes with Chevrotain,
// which reports it. test/lang/scan.test.ts holds it equal to Chevrotain's lexer wherever that one
// lexes without an error, on every .scd file in the repository and on seeded mutations of them.
import type { TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import * as T from "./tokens.ts";

/** The tokens of one text. The arrays are shared scratch space, valid until the next `scan`: the
 * direct parser reads them at once and keeps only what it builds from them. */
export interface Scanned {
  readonly text: string;
  /** Where `text` starts in its file: every offset below is one of the file. */
  readonly base: number;
  readonly count: number;
  readonly types: readonly TokenType[];
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** A name's or number's text (undefined for other tokens), one string per distinct text. */
  readonly texts: readonly (string | undefined)[];
  readonly comments: A.Comment[];
}

const keywordTypes = new Map<string, TokenType>(T.keywords.map((k) => [k.PATTERN as string, k]));
// The punctuation tokens.ts defines as one character (`/\(/`, `/=/`, …), read from the vocabulary
// itself so a token added there is scanned too. `.` and `/` also start longer tokens (`..`, comments)
// and are tested before this table is.
const single = new Map<number, TokenType>();
for (const t of T.allTokens) {
  // one escaped punctuation character, or one character that is no regex syntax
  const m = t.PATTERN instanceof RegExp ? /^(?:\\([^A-Za-z0-9])|([^\\.^$|?*+()[\]{}]))$/.exec(t.PATTERN.source) : null;
  const ch = m?.[1] ?? m?.[2];
  if (ch) single.set(ch.charCodeAt(0), t);
}
const NO_COMMENTS: A.Comment[] = [];

// One string per distinct name and number text: the AST keeps them, and a long study's AST kept
// tens of thousands of copies alive; equal names are then also the same object, which the
// checker's many look-ups by name compare first.
const interned = new Map<string, string>();
function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size > 100_000) interned.clear();
  interned.set(s, s);
  return s;
}

const types: TokenType[] = [];
const texts: (string | undefined)[] = [];
let starts = new Int32Array(1024);
let ends = new Int32Array(1024);
let count = 0;
let at = 0;
function push(type: TokenType, start: number, end: number, text?: string): void {
  types[count] = type;
  texts[count] = text;
  starts[count] = at + start;
  ends[count++] = at + end;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isWord = (c: number) => isWordStart(c) || isDigit(c);
// tokens.ts's WhiteSpace: [ \t\r\n\f\v\u00a0\ufeff]
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff;
// what a regex `.` does not match, so an escape cannot take it (tokens.ts's StringLiteral)
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** The tokens and comments of `text` placed at `base` in its file, or undefined where Chevrotain's
 * lexer would report something (then it should lex the text, and say what). */
export function scan(text: string, base: number): Scanned | undefined {
  const n = text.length;
  // every token is at least one character long
  if (starts.length < n) {
    starts = new Int32Array(Math.max(n, 2 * starts.length));
    ends = new Int32Array(starts.length);
  }
  count = 0;
  at = base;
  let comments = NO_COMMENTS;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    let j = i + 1;
    if (isSpace(c)) {
      i = j;
      continue;
    }
    if (isWordStart(c)) {
      while (j < n && isWord(text.charCodeAt(j))) j++;
      const word = intern(text.slice(i, j));
      // a keyword only as a whole word: Chevrotain's `longer_alt: Identifier`
      push(keywordTypes.get(word) ?? T.Identifier, i, j, word);
    } else if (isDigit(c)) {
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1)))
        for (j += 2; j < n && isDigit(text.charCodeAt(j)); ) j++;
      const e = text.charCodeAt(j);
      if (e === 101 || e === 69) {
        let k = j + 1;
        const sign = text.charCodeAt(k);
        if (sign === 43 || sign === 45) k++;
        if (isDigit(text.charCodeAt(k))) for (j = k + 1; j < n && isDigit(text.charCodeAt(j)); ) j++;
      }
      push(T.NumberLiteral, i, j, intern(text.slice(i, j)));
    } else if (c === 34) {
      for (;;) {
        if (j >= n) return undefined;
        const d = text.charCodeAt(j);
        if (d === 34) break;
        if (d === 10 || d === 13) return undefined;
        if (d === 92) {
          if (j + 1 >= n || isLineEnd(text.charCodeAt(j + 1))) return undefined;
          j++;
        }
        j++;
      }
      push(T.StringLiteral, i, ++j);
    } else if (c === 47) {
      const d = text.charCodeAt(j);
      if (d === 47) {
        while (j < n && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j++;
      } else if (d === 42) {
        const close = text.indexOf("*/", i + 2);
        if (close === -1) return undefined;
        j = close + 2;
      } else {
        push(T.Slash, i, j);
        i = j;
        continue;
      }
      if (comments === NO_COMMENTS) comments = [];
      comments.push({ text: text.slice(i, j), span: { start: base + i, end: base + j }, block: d === 42 });
    } else if (c === 46) {
      if (text.charCodeAt(j) === 46) push(T.DotDot, i, ++j);
      else push(T.Dot, i, j);
    } else {
      const type = single.get(c);
      if (!type) return undefined;
      push(type, i, j);
    }
    i = j;
  }
  return { text, base, count, types, starts, ends, texts, comments };
}
