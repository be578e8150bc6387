// CLIP's text normalisation and word splitting, as OpenAI's simple_tokenizer does it before BPE:
// HTML entities decoded twice, whitespace runs collapsed to one space, lower-casing, then the
// pattern that cuts words (contractions, letter runs, single digits, runs of other characters).
// Python semantics matter here because the reference tokenizer is Python's: "whitespace" is exactly
// what Python's str.isspace() accepts (JS's \s differs, e.g. on U+FEFF and U+001C–U+001F).
// ftfy's mojibake repair is not reproduced; it leaves ordinary, well-formed text unchanged.

/** Code points for which Python's str.isspace() is true. */
const WS = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS_RUN = new RegExp(`[${WS}]+`, "gu");
const WS_EDGES = new RegExp(`^[${WS}]+|[${WS}]+$`, "gu");

export const START_OF_TEXT = "<|startoftext|>";
export const END_OF_TEXT = "<|endoftext|>";

/**
 * The word pattern of CLIP's tokenizer (applied to lower-cased text): the two special tokens, the
 * contractions 's 't 're 've 'm 'll 'd, a run of letters, one digit, or a run of anything else that is
 * not whitespace. Order matters: an apostrophe followed by s is a contraction, one after "!" is not.
 */
const WORD = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${WS}\\p{L}\\p{N}]+`,
  "gu",
);

/** Python's str.strip() (no arguments). */
export function pyStrip(s: string): string {
  return s.replace(WS_EDGES, "");
}

/** The cleanup before splitting: entities, whitespace, case (OpenAI: whitespace_clean(basic_clean(t)).lower()). */
export function cleanText(text: string): string {
  const unescaped = pyStrip(unescapeHtml(unescapeHtml(text)));
  return pyStrip(unescaped.replace(WS_RUN, " ")).toLowerCase();
}

/** The words of cleaned text, each to be BPE-encoded separately. */
export function splitWords(cleaned: string): string[] {
  return cleaned.match(WORD) ?? [];
}

// --- HTML character references, as Python's html.unescape decodes them -----------------------------
// Numeric references follow Python exactly (Windows-1252 for 0x80–0x9F, U+FFFD for surrogates and
// out-of-range values, control characters dropped). Of the 2,231 named references we decode only the
// ones captions realistically contain; any other name is left as written (Python would decode it).

const NAMED: Readonly<Record<string, string>> = {
  "amp;": "&",
  "lt;": "<",
  "gt;": ">",
  "quot;": '"',
  "apos;": "'",
  "nbsp;": "\u00a0",
  "AMP;": "&",
  "LT;": "<",
  "GT;": ">",
  "QUOT;": '"',
  // HTML's legacy names, valid without the semicolon (so "&amp" and "&ampx" decode too)
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  nbsp: "\u00a0",
  AMP: "&",
  LT: "<",
  GT: ">",
  QUOT: '"',
};
const CP1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const REF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function invalidCodePoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  );
}

function numeric(ref: string): string {
  const body = ref.endsWith(";") ? ref.slice(0, -1) : ref;
  const n = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
  if (n === 0) return "\ufffd";
  if (n === 0x0d) return "\r";
  if (n >= 0x80 && n <= 0x9f) return String.fromCodePoint(CP1252[n - 0x80]!);
  if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff) return "\ufffd";
  if (invalidCodePoint(n)) return "";
  return String.fromCodePoint(n);
}

export function unescapeHtml(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(REF, (whole, ref: string) => {
    if (ref[0] === "#") return numeric(ref);
    const hit = NAMED[ref];
    if (hit !== undefined) return hit;
    // the longest legacy name that prefixes the reference, as the HTML standard reads "&ampx"
    for (let x = ref.length - 1; x > 1; x--) {
      const v = NAMED[ref.slice(0, x)];
      if (v !== undefined) return v + ref.slice(x);
    }
    return whole;
  });
}

// --- bytes ↔ printable characters ---------------------------------------------------------------
/**
 * GPT-2/CLIP's reversible byte → character table: printable Latin-1 bytes map to themselves, the
 * other 68 bytes to U+0100 onwards, so every BPE symbol is a visible character and no byte is lost.
 */
export function bytesToUnicode(): string[] {
  const table: string[] = new Array(256);
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + next++);
  return table;
}

/** The base vocabulary in CLIP's order: the byte symbols (printable bytes first), as vocab.json lists them. */
export function byteSymbolsInVocabOrder(): string[] {
  const table = bytesToUnicode(),
    printable: string[] = [],
    rest: string[] = [];
  for (let b = 0; b < 256; b++) (table[b]!.codePointAt(0)! === b ? printable : rest).push(table[b]!);
  return [...printable, ...rest];
}
