// The only place that prints diagnostics: `pretty` (rustc style), `short` (file:line:col) and `json`.
// Rendering never throws: missing sources or bad spans degrade to a header without a snippet.
import { Chalk, type ChalkInstance } from "chalk";
import type { Diagnostic, Severity, Span } from "../core/diagnostics.ts";

export interface SourceText {
  readonly file: string; // display path
  readonly text: string;
}
/** The text of a file, or undefined when it is not available. */
export type SourceLookup = (file: string) => string | undefined;
export type RenderFormat = "pretty" | "short" | "json";
export interface RenderOptions {
  readonly format: RenderFormat;
  readonly color?: boolean;
}

/** A lookup over a fixed set of sources. */
export function lookupFrom(sources: Iterable<SourceText>): SourceLookup {
  const m = new Map<string, string>();
  for (const s of sources) m.set(s.file, s.text);
  return (file) => m.get(file);
}

// ---- line table: offsets where each line starts, cached per text ----

let lastText: string | undefined;
let lastStarts: number[] = [0];
const startsCache = new Map<string, number[]>();

function lineStarts(text: string): number[] {
  if (text === lastText) return lastStarts;
  let starts = startsCache.get(text);
  if (!starts) {
    starts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    if (startsCache.size >= 8) startsCache.delete(startsCache.keys().next().value as string);
    startsCache.set(text, starts);
  }
  lastText = text;
  lastStarts = starts;
  return starts;
}

/** 0-based index of the line containing `offset` (binary search). */
function lineIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 1-based line and column; the column counts UTF-16 units. Lines end at `\n`. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const o = Number.isFinite(offset) ? Math.max(0, Math.min(Math.trunc(offset), text.length)) : 0;
  const starts = lineStarts(text);
  const i = lineIndex(starts, o);
  return { line: i + 1, col: o - starts[i]! + 1 };
}

/** Clamp a span into the text; undefined if it cannot point anywhere sensible. A span at the end of a
 * text ending in a newline is moved onto that newline, i.e. just past the last character of the last line. */
function normalize(text: string, span: Span | undefined): { start: number; end: number } | undefined {
  if (!span || !Number.isInteger(span.start) || !Number.isInteger(span.end)) return undefined;
  let { start, end } = span;
  if (start < 0 || start > text.length) return undefined;
  end = Math.max(start, Math.min(end, text.length));
  if (start === text.length && text.endsWith("\n")) start = end = text.length - (text.endsWith("\r\n") ? 2 : 1);
  return { start, end };
}

/** Text of 0-based line `i` without its line break. */
function lineText(text: string, starts: readonly number[], i: number): string {
  const end = i + 1 < starts.length ? starts[i + 1]! - 1 : text.length;
  const s = text.slice(starts[i]!, end);
  return s.endsWith("\r") ? s.slice(0, -1) : s;
}

function safeLookup(sources: SourceLookup, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    const t = sources(file);
    return typeof t === "string" ? t : undefined;
  } catch {
    return undefined;
  }
}

interface Loc {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

function locate(text: string | undefined, span: Span | undefined): Loc | undefined {
  if (text === undefined) return undefined;
  const n = normalize(text, span);
  if (!n) return undefined;
  const a = lineCol(text, n.start);
  const b = lineCol(text, n.end);
  return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}

// ---- output ----

const chalkOn = new Chalk({ level: 1 });
const chalkOff = new Chalk({ level: 0 });

function sevColor(c: ChalkInstance, sev: Severity): ChalkInstance {
  return sev === "error" ? c.red.bold : sev === "warning" ? c.yellow.bold : c.cyan;
}

export function renderDiagnostics(diags: readonly Diagnostic[], sources: SourceLookup, opts: RenderOptions): string {
  const c = opts.color ? chalkOn : chalkOff;
  if (opts.format === "json")
    return (
      JSON.stringify(
        diags.map((d) => toJson(d, sources)),
        null,
        2,
      ) + "\n"
    );
  const out: string[] = [];
  for (const d of diags) {
    let s: string;
    try {
      s = opts.format === "short" ? renderShort(d, sources, c) : renderPretty(d, sources, c);
    } catch {
      s = `${d.file ?? "scdx"}: ${d.severity} ${d.code}: ${d.message}`;
    }
    out.push(s);
  }
  if (out.length === 0) return "";
  return out.join(opts.format === "short" ? "\n" : "\n\n") + "\n";
}

function toJson(d: Diagnostic, sources: SourceLookup): object {
  const loc = locate(safeLookup(sources, d.file), d.span);
  const labels = d.labels?.map((l) => {
    const file = l.file ?? d.file;
    return { file, ...locate(safeLookup(sources, file), l.span), message: l.message };
  });
  const { code, severity, message, file, span, label, notes, help, fixes } = d;
  return { code, severity, message, file, ...loc, span, label, labels, notes, help, fixes };
}

function renderShort(d: Diagnostic, sources: SourceLookup, c: ChalkInstance): string {
  const head = `${sevColor(c, d.severity)(d.severity)} ${d.code}: ${d.message}`;
  if (d.file === undefined) return `scdx: ${head}`;
  const loc = locate(safeLookup(sources, d.file), d.span);
  return loc ? `${d.file}:${loc.line}:${loc.col}: ${head}` : `${d.file}: ${head}`;
}

interface Mark {
  line: number;
  col: number;
  len: number;
  multi: boolean;
  primary: boolean;
  message?: string;
}
interface Snippet {
  file: string;
  text?: string;
  at?: string;
  marks: Mark[];
  unplaced: string[];
}

/** Width on screen, counting code points (a surrogate pair is one column). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function mark(text: string, span: Span, primary: boolean, message: string | undefined): Mark | undefined {
  const n = normalize(text, span);
  if (!n) return undefined;
  const starts = lineStarts(text);
  const line = lineIndex(starts, n.start);
  const src = lineText(text, starts, line);
  const col = n.start - starts[line]!;
  const multi = n.end > n.start && lineIndex(starts, n.end - 1) > line;
  const len = Math.max(1, width(src.slice(col, Math.min(src.length, col + (n.end - n.start)))));
  return { line, col: width(src.slice(0, col)), len, multi, primary, message };
}

function renderPretty(d: Diagnostic, sources: SourceLookup, c: ChalkInstance): string {
  const snippets: Snippet[] = [];
  const snippetFor = (file: string): Snippet => {
    let s = snippets.find((x) => x.file === file);
    if (!s) snippets.push((s = { file, text: safeLookup(sources, file), marks: [], unplaced: [] }));
    return s;
  };
  if (d.file !== undefined) {
    const s = snippetFor(d.file);
    const loc = locate(s.text, d.span);
    s.at = loc ? `${d.file}:${loc.line}:${loc.col}` : d.file;
    const m = d.span && s.text !== undefined ? mark(s.text, d.span, true, d.label) : undefined;
    if (m) s.marks.push(m);
    else if (d.label) s.unplaced.push(d.label);
  }
  const orphans: string[] = [];
  for (const l of d.labels ?? []) {
    const file = l.file ?? d.file;
    if (file === undefined) {
      orphans.push(l.message);
      continue;
    }
    const s = snippetFor(file);
    const m = s.text !== undefined ? mark(s.text, l.span, false, l.message) : undefined;
    if (m) s.marks.push(m);
    else s.unplaced.push(l.message);
    if (s.at === undefined) {
      const loc = locate(s.text, l.span);
      s.at = loc ? `${file}:${loc.line}:${loc.col}` : file;
    }
  }

  let maxLine = 1;
  for (const s of snippets) for (const m of s.marks) maxLine = Math.max(maxLine, m.line + 1);
  const w = String(maxLine).length;
  const pad = " ".repeat(w);
  const gutter = c.blue(`${pad} |`);
  const sc = sevColor(c, d.severity);

  const lines: string[] = [`${sc(`${d.severity}[${d.code}]`)}: ${c.bold(d.message)}`];
  snippets.forEach((s, k) => {
    const primary = k === 0 && s.file === d.file;
    if (k > 0) lines.push(gutter);
    lines.push(`${pad}${c.blue(primary ? "-->" : ":::")} ${s.at ?? s.file}`);
    if (s.marks.length > 0 && s.text !== undefined) {
      lines.push(gutter);
      const starts = lineStarts(s.text);
      const shown = [...new Set(s.marks.map((m) => m.line))].sort((a, b) => a - b);
      let prev = -1;
      for (const li of shown) {
        if (prev >= 0 && li > prev + 1) lines.push(c.blue("..."));
        prev = li;
        const src = lineText(s.text, starts, li).replace(/\t/g, " ");
        lines.push(`${c.blue(`${String(li + 1).padStart(w)} |`)}${src ? " " + src : ""}`);
        const here = s.marks
          .filter((m) => m.line === li)
          .sort((a, b) => Number(b.primary) - Number(a.primary) || a.col - b.col);
        for (const m of here) {
          const paint = m.primary ? sc : c.blue;
          const under = (m.primary ? "^" : "-").repeat(m.len) + (m.multi ? "..." : "");
          lines.push(`${gutter} ${" ".repeat(m.col)}${paint(under + (m.message ? " " + m.message : ""))}`);
        }
      }
    }
    for (const u of s.unplaced) lines.push(`${pad} ${c.blue("=")} ${c.bold("label:")} ${u}`);
  });
  for (const o of orphans) lines.push(`${pad} ${c.blue("=")} ${c.bold("label:")} ${o}`);
  for (const n of d.notes ?? []) lines.push(`${pad} ${c.blue("=")} ${c.bold("note:")} ${n}`);
  if (d.help) lines.push(`${pad} ${c.blue("=")} ${c.bold("help:")} ${d.help}`);
  return lines.join("\n");
}

/** "2 errors, 1 warning", or "no problems". */
export function renderSummary(diags: readonly Diagnostic[], opts: { color?: boolean } = {}): string {
  const c = opts.color ? chalkOn : chalkOff;
  const parts: string[] = [];
  for (const sev of ["error", "warning", "note"] as const) {
    const n = diags.filter((d) => d.severity === sev).length;
    if (n > 0) parts.push(sevColor(c, sev)(`${n} ${sev}${n === 1 ? "" : "s"}`));
  }
  return parts.length > 0 ? parts.join(", ") : "no problems";
}
