// The quick fix for missing required options (SCD2007): insert `name: value` for each into the call,
// laid out as `scdx fmt` would leave it, with a value that parses and, where the schema allows it,
// validates. The user then edits the value; the point is a call that checks so far.
import { type Fix, listed } from "../core/diagnostics.ts";
import type { Json, JsonObject } from "../core/ir.ts";
import type * as A from "./ast.ts";
import { keywordNames } from "./tokens.ts";

/** The call a diagnostic is about and the text of its file, to place an inserted argument. */
export interface CallSite {
  readonly text: string;
  readonly call: A.Call;
}

/** A value for option schema `p`: its default, else the first value its schema admits of an
 * obvious kind (first enum symbol, the least allowed number, `""` or `"…"` where it may not be
 * empty, `false`, an empty list). */
export function placeholder(p: JsonObject): Json | undefined {
  if (p["default"] !== undefined) return p["default"];
  if (p["const"] !== undefined) return p["const"];
  const e = p["enum"] as Json[] | undefined;
  if (e?.length) return e[0];
  const type = Array.isArray(p["type"]) ? (p["type"] as Json[])[0] : p["type"];
  switch (type) {
    case "integer":
    case "number":
      return leastNumber(p, type === "integer");
    case "string":
      // an ellipsis per character a non-empty string needs (a path): it validates and reads as "fill in"
      return "…".repeat(typeof p["minLength"] === "number" ? p["minLength"] : 0);
    case "boolean":
      return false;
    case "array": {
      const n = typeof p["minItems"] === "number" ? p["minItems"] : 0;
      const item = placeholder((p["items"] as JsonObject | undefined) ?? {});
      return item === undefined ? (n ? undefined : []) : Array.from({ length: n }, () => item);
    }
    case "object":
      return {};
    default:
      return undefined;
  }
}

function leastNumber(p: JsonObject, integer: boolean): number {
  const num = (k: string) => (typeof p[k] === "number" ? (p[k] as number) : undefined);
  const min = num("minimum");
  const exMin = num("exclusiveMinimum");
  const max = num("maximum");
  const exMax = num("exclusiveMaximum");
  let v = min ?? (exMin !== undefined ? (integer ? Math.floor(exMin) + 1 : exMin + 1) : 0);
  if (max !== undefined && v > max) v = max;
  if (exMax !== undefined && v >= exMax) v = integer ? Math.ceil(exMax) - 1 : exMax - 1;
  return integer ? Math.ceil(v) : v;
}

/** `j` as .scd source. Strings among `symbols` (the option's enumeration) are bare words where
 * the lexer reads them as one identifier; any other string is a string literal, since a bare word
 * would name a declaration. */
export function sourceOf(j: Json, symbols: readonly string[] = []): string {
  if (Array.isArray(j)) return `[${j.map((x) => sourceOf(x, symbols)).join(", ")}]`;
  if (j !== null && typeof j === "object")
    return `{${Object.entries(j)
      .map(([k, v]) => `${k}: ${sourceOf(v)}`)
      .join(", ")}}`;
  if (typeof j === "string")
    return symbols.includes(j) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(j) && !keywordNames.has(j) ? j : JSON.stringify(j);
  return String(j);
}

/** Skips whitespace and comments from `i`; the offset of the next significant character. */
function skipTrivia(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") i++;
    else if (text.startsWith("//", i)) while (i < end && text[i] !== "\n") i++;
    else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? end : close + 2;
    } else break;
  }
  return i;
}

const lineStart = (text: string, i: number) => text.lastIndexOf("\n", i - 1) + 1;

/** The edit that adds `name: value` items (in order) as the call's last arguments: after the last one
 * on its line (`f(a, name: v, other: w)`), or, when the call is laid out one argument per line, as
 * lines of their own before the closing parenthesis, indented and comma-terminated like their
 * siblings. One edit for all of them: a call missing several required options is one diagnostic,
 * and one code action makes it check. */
export function addOptionFix(site: CallSite, items: readonly (readonly [string, string])[]): Fix[] | undefined {
  const { text, call } = site;
  const close = call.span.end - 1;
  // A call the parser recovered without its `)` has no safe place to insert into.
  if (text[close] !== ")" || !items.length) return undefined;
  const written = items.map(([name, value]) => `${name}: ${value}`);
  const title = `Add ${listed(written.map((w) => `\`${w}\``))}`;
  const inline = written.join(", ");
  const last = call.args[call.args.length - 1];
  if (!last) return [{ title, span: { start: close, end: close }, replacement: inline }];
  const after = skipTrivia(text, last.span.end, close);
  const trailingComma = text[after] === ",";
  const closeLine = lineStart(text, close);
  const ownLine = closeLine > last.span.end && text.slice(closeLine, close).trim() === "";
  if (!ownLine) {
    const at = trailingComma ? after + 1 : last.span.end;
    return [{ title, span: { start: at, end: at }, replacement: trailingComma ? ` ${inline}` : `, ${inline}` }];
  }
  const argLine = lineStart(text, last.span.start);
  const indent = /^[ \t]*/.exec(text.slice(argLine, last.span.start))![0];
  const lines = written.map((w, i) => `${indent}${w}${i < written.length - 1 || trailingComma ? "," : ""}\n`).join("");
  if (trailingComma) return [{ title, span: { start: closeLine, end: closeLine }, replacement: lines }];
  // No comma after the last argument: one edit adds it and the new lines, keeping what lay between.
  const between = text.slice(last.span.end, closeLine);
  return [{ title, span: { start: last.span.end, end: closeLine }, replacement: `,${between}${lines}` }];
}
