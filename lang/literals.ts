// Literal tokens to values, with their diagnostics: shared by both ways of building the AST
// (build-ast.ts from the CST, direct-parse.ts from the tokens), which must agree exactly.
import type { Diagnostic } from "../core/diagnostics.ts";

/** Reads a string literal's body; `\n`, `\t`, `\"`, `\\` and `\u{…}` are its escapes. */
function unquote(raw: string, at: number, diags: Diagnostic[], file: string): string {
  const body = raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw.slice(1);
  return body.replace(/\\(u\{[0-9a-fA-F]{1,6}\}|.)/g, (m, esc: string, off: number) => {
    switch (esc[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case '"':
        return '"';
      case "\\":
        return "\\";
      case "u": {
        const cp = parseInt(esc.slice(2, -1), 16);
        if (cp <= 0x10ffff) return String.fromCodePoint(cp);
        break;
      }
    }
    const s = at + 1 + off;
    diags.push({
      code: "SCD1006",
      severity: "error",
      file,
      span: { start: s, end: s + m.length },
      message: `Unknown escape sequence \`${m}\` in a string.`,
      help: 'the escapes are \\n, \\t, \\", \\\\ and \\u{hex}',
    });
    return m;
  });
}

/** The value of a number token (its text `image`, at offset `start`); a number too large for a
 * double is reported (SCD1005). */
export function numberLiteral(image: string, start: number, diags: Diagnostic[], file: string): number {
  const value = Number(image);
  if (!Number.isFinite(value))
    diags.push({
      code: "SCD1005",
      severity: "error",
      file,
      span: { start, end: start + image.length },
      message: `The number \`${image}\` is too large to represent.`,
    });
  return value;
}

/** The value of a string token (its text `image`, at offset `start`). */
export function stringLiteral(image: string, start: number, diags: Diagnostic[], file: string): string {
  return unquote(image, start, diags, file);
}
