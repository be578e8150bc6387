// The hand-written scanner (lang/scan.ts) must give exactly Chevrotain's tokens and comments
// wherever Chevrotain lexes without an error, and give up wherever it does not (a lexing error, an
// unterminated string or block comment): compared on every .scd in the repository, the generated
// perf study, seeded mutations of them, and hand-picked edges of the token patterns.
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { lexText } from "../../lang/parser.ts";
import { scan } from "../../lang/scan.ts";
import * as T from "../../lang/tokens.ts";
import { bigStudy } from "../../perf/big-study.ts";
import { bases, mulberry32, mutate, snippets } from "../support/fuzz-corpus.ts";
import { repoRoot, scdFiles } from "../support/golden.ts";

// the tokens whose text the scanner hands over (the parser reads no other token's text)
const withText = new Set([T.Identifier, T.NumberLiteral, ...T.keywords]);

interface Tokens {
  tokens: string[];
  comments: string[];
}

/** Chevrotain's view, or undefined where it reports something. */
function chevrotain(text: string, base: number): Tokens | undefined {
  const l = lexText(text, base);
  if (l.errors.length) return undefined;
  if (l.tokens.some((t) => t.tokenType === T.UnterminatedString)) return undefined;
  if (l.comments.some((t) => t.tokenType === T.UnterminatedComment)) return undefined;
  return {
    tokens: l.tokens.map(
      (t) =>
        `${t.tokenType.name} ${t.startOffset}-${t.startOffset + t.image.length}${withText.has(t.tokenType) ? ` ${t.image}` : ""}`,
    ),
    comments: l.comments.map(
      (t) => `${t.image.startsWith("/*")} ${t.startOffset}-${t.startOffset + t.image.length} ${t.image}`,
    ),
  };
}

function scanner(text: string, base: number): Tokens | undefined {
  const s = scan(text, base);
  if (!s) return undefined;
  const tokens: string[] = [];
  for (let i = 0; i < s.count; i++)
    tokens.push(`${s.types[i]!.name} ${s.starts[i]}-${s.ends[i]}${s.texts[i] === undefined ? "" : ` ${s.texts[i]}`}`);
  return { tokens, comments: s.comments.map((c) => `${c.block} ${c.span.start}-${c.span.end} ${c.text}`) };
}

function same(text: string, what: string, base = 0): boolean {
  const want = chevrotain(text, base);
  assert.equal(scanner(text, base), want, what);
  return want !== undefined;
}

test("the scanner gives Chevrotain's tokens for every .scd file and the generated study", () => {
  const files = ["examples", "test/fixtures"].flatMap((d) => scdFiles(path.join(repoRoot, d), true));
  assert.ok(files.length > 20);
  let clean = 0;
  for (const f of files) if (same(fs.readFileSync(f, "utf8"), f)) clean++;
  // the fixtures include texts with lexing errors; most files lex cleanly
  assert.ok(clean > files.length / 2, `${clean} of ${files.length}`);
  assert.ok(same(bigStudy(300), "the generated study", 1234));
});

test("the scanner agrees on mutated text, lexing cleanly or not", () => {
  const texts = [...bases.map((b) => b.text), ...Object.values(snippets)];
  let clean = 0;
  for (let i = 0; i < 3000; i++) {
    const { text } = mutate(texts[i % texts.length]!, mulberry32(0x5ca + i));
    if (same(text, `variant ${i}:\n${text}`, i % 7)) clean++;
  }
  // both outcomes are exercised
  assert.ok(clean > 300 && clean < 2900, `${clean} of 3000 lexed cleanly`);
});

test("the edges of the token patterns", () => {
  const edges = [
    "",
    "  \t\r\n\f\v\u00a0\ufeff",
    "\u2028",
    "x\u3000y",
    "é",
    "data database data2 _data in int import imports",
    "experimentx experiment",
    "1 1. 1.5 1..4 1...4 .5 1e5 1e 1e+ 1E-3 2abc 1.5e-3x 0009",
    "a.b ..",
    "a / b // c\r\nd",
    "/* a */ /*/ b */ /**/ /* * / */ x",
    "/* never closed",
    "/*/",
    "// only",
    "//\r",
    '"a" "" "\\"" "\\\\" "\\n"',
    '"a\\',
    '"a\\\nb"',
    '"a\u2028b"',
    '"a\\\u2028b"',
    '"a\nb"',
    '"open',
    '"x"y"',
    "a+-*/=;:,()[]{}b",
    "#",
    "@x",
    "\0",
    "`",
    "a!",
    "~",
    "x\u00a0=\ufeff1",
    "$",
    "?",
    "'a'",
    "\\",
  ];
  for (const e of edges) {
    same(e, JSON.stringify(e));
    same(e, `${JSON.stringify(e)} at 50`, 50);
  }
  // a long text after a short one: the scanner's scratch arrays grow
  same(bigStudy(40), "after growing");
});

test.run();
