// Re-parsing a file after an edit, parsing again only the declarations whose text changed: what an
// editor needs on every keystroke in a long study. The text is cut where a declaration keyword
// starts a line outside a block comment; each piece is parsed alone (or found unchanged from the
// previous parse, its spans moved if the edit moved it) with the offsets of the whole file.
//
// The result equals `parse(text)` (test/lang/incremental-parse.test.ts compares them on the
// examples and fuzz mutations): a cut inside a construct (a stage field `data = …` written at the
// start of a line, say) leaves the piece before it unfinished, which is a syntax error; and
// whenever any piece has a diagnostic the whole text is parsed at once instead, so error recovery
// and syntax diagnostics are always those of the one-shot parse, as in `scdx check`.
import type * as A from "./ast.ts";
import { parse, parseClean, type ParseResult } from "./build-ast.ts";

/** Pieces of the previous parse by their text, each with the offset its spans are placed at. */
export type Pieces = ReadonlyMap<string, Piece>;
export interface Piece {
  readonly at: number;
  readonly decls: readonly A.Decl[];
  readonly comments: readonly A.Comment[];
}

// Sticky: tested where a line starts, without slicing the line out.
const DECL = /(?:experiment|import|param|data|model|let|stage|bench|sweep)\b/y;

/** Offsets of the lines that start with a declaration keyword outside a block comment, and 0. */
export function cuts(text: string): number[] {
  const out = [0];
  let inBlock = false;
  for (let i = 0; i < text.length; ) {
    const eol = text.indexOf("\n", i);
    const end = eol === -1 ? text.length : eol;
    if (!inBlock && i > 0) {
      DECL.lastIndex = i;
      if (DECL.test(text)) out.push(i);
    }
    // follow block comments through the line; strings and line comments may hide `/*`
    for (let j = i; j < end; j++) {
      const c = text[j];
      if (inBlock) {
        if (c === "*" && text[j + 1] === "/") [inBlock, j] = [false, j + 1];
      } else if (c === '"') {
        for (j++; j < end && text[j] !== '"'; j++) if (text[j] === "\\") j++;
      } else if (c === "/" && text[j + 1] === "/") break;
      else if (c === "/" && text[j + 1] === "*") [inBlock, j] = [true, j + 1];
    }
    i = end + 1;
  }
  return out;
}

/** Every `span` / `…Span` in a node tree moved by `by`; other fields shared. A hot loop on a long
 * study (every node of every declaration), hence `for…in` rather than `Object.entries`. */
function shift<T>(node: T, by: number): T {
  if (by === 0 || node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((n) => shift(n, by)) as T;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    const v = src[k];
    if (typeof v !== "object" || v === null) out[k] = v;
    else if (k === "span" || k.endsWith("Span")) {
      const sp = v as { start: number; end: number };
      out[k] = { start: sp.start + by, end: sp.end + by };
    } else out[k] = shift(v, by);
  }
  return out as T;
}

export function parseIncremental(
  text: string,
  file: string,
  previous: Pieces,
): { result: ParseResult; pieces: Pieces } {
  const at = cuts(text);
  const pieces = new Map<string, Piece>();
  const decls: A.Decl[] = [];
  const comments: A.Comment[] = [];
  for (let k = 0; k < at.length; k++) {
    const start = at[k]!;
    const piece = text.slice(start, at[k + 1] ?? text.length);
    // A piece is parsed where it stands (no shift); one found again is moved only if it moved.
    const old = previous.get(piece) ?? pieces.get(piece);
    const r = !old
      ? parseClean(piece, file, start)
      : old.at === start
        ? old
        : { at: start, decls: shift(old.decls, start - old.at), comments: shift(old.comments, start - old.at) };
    if (!r) {
      // Keep what parsed cleanly, so the keystroke that fixes the error finds its pieces again.
      const kept = previous.size + pieces.size > 4 * at.length + 64 ? pieces : new Map([...previous, ...pieces]);
      return { result: parse(text, file), pieces: kept };
    }
    if (!pieces.has(piece)) pieces.set(piece, r);
    for (const d of r.decls) decls.push(d);
    for (const c of r.comments) comments.push(c);
  }
  return {
    result: { program: { file, decls, comments, span: { start: 0, end: text.length } }, diagnostics: [] },
    pieces,
  };
}
