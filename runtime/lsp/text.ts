// Offsets (the compiler's spans, UTF-16 units) ↔ LSP positions (line, UTF-16 character), for any
// text: open documents and imported files the editor has not opened alike. Out-of-range positions
// from a client are clamped, never thrown on.
import type { Position, Range } from "vscode-languageserver";
import type { Span } from "../../core/diagnostics.ts";

export class LineMap {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(Number.isFinite(offset) ? Math.trunc(offset) : 0, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }

  offset(p: Position): number {
    const line = Number.isFinite(p?.line) ? Math.trunc(p.line) : 0;
    if (line < 0) return 0;
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[line]!;
    const end = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    const ch = Number.isFinite(p.character) ? Math.trunc(p.character) : 0;
    return Math.max(start, Math.min(start + ch, end));
  }

  range(span: Span | undefined): Range {
    if (!span) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { start: this.position(span.start), end: this.position(span.end) };
  }
}

/** The identifier-like word around `offset` (`[A-Za-z0-9_]`), or an empty span at it. */
export function wordAt(text: string, offset: number): Span {
  let s = offset;
  let e = offset;
  while (s > 0 && /\w/.test(text[s - 1]!)) s--;
  while (e < text.length && /\w/.test(text[e]!)) e++;
  return { start: s, end: e };
}
