// `scdx fmt`: the canonical layout of a .scd file. The AST drops parentheses, separators and
// comments' attachment, so the printer re-derives them: parentheses only where precedence needs
// them, and comments put back by position. Everything is printed in source order, so one cursor
// over the (sorted) comments suffices: before printing anything that starts at offset p, every
// comment before p is emitted, either as a leading/trailing line of a list-like construct (the file,
// a stage body, a broken call/list/record) or, inside an expression, inline where it stood.
import type * as A from "./ast.ts";
import { parse } from "./build-ast.ts";
import { hasErrors, type Diagnostic, type Span } from "../core/diagnostics.ts";

const WIDTH = 100;

export interface FormatResult {
  readonly output?: string;
  readonly diagnostics: Diagnostic[];
}

/** Formats a file; a file with any syntax error is never formatted (no output, its diagnostics). */
export function format(text: string, file: string): FormatResult {
  const first = parse(text, file);
  if (hasErrors(first.diagnostics)) return { diagnostics: first.diagnostics };
  const norm = text.replace(/\r\n?/g, "\n");
  const { program, diagnostics } = norm === text ? first : parse(norm, file);
  if (hasErrors(diagnostics)) return { diagnostics };
  const body = new Printer(norm, program.comments).file(program.decls);
  const output = body
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n*$/, "");
  return { output: output === "" ? "" : output + "\n", diagnostics };
}

/** A string literal in the lexer's syntax: `"`, `\`, newline and tab escaped; other control
 * characters and lone surrogates as `\u{…}`, since they could not stand in a source file. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029)
      out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

// Broken layouts end every item with a comma, the last one too, so adding an item is a one-line diff.
function trailingComma(): string {
  return ",";
}

/** Binding strength: range < additive < multiplicative < unary < postfix < atoms. */
function prec(e: A.Expr): number {
  switch (e.kind) {
    case "range":
      return 1;
    case "binary":
      return e.op === "+" || e.op === "-" ? 2 : 3;
    case "unary":
      return 4;
    case "member":
    case "call":
      return 5;
    default:
      return 6;
  }
}

/** The column just after `s` when it is printed starting at column `col`. */
function colAfter(col: number, s: string): number {
  const nl = s.lastIndexOf("\n");
  return nl < 0 ? col + s.length : s.length - nl - 1;
}

/** One entry of a list-like construct: its source span and how to print it at an indent and column. */
interface Item {
  readonly span: Span;
  print(ind: string, col: number, flat: boolean): string;
}

class Printer {
  private ci = 0;
  constructor(
    private readonly text: string,
    private readonly comments: readonly A.Comment[],
  ) {}

  private nl(a: number, b: number): boolean {
    return b > a && this.text.slice(a, b).includes("\n");
  }
  private blank(a: number, b: number): boolean {
    return b > a && /\n[^\S\n]*\n/.test(this.text.slice(a, b));
  }
  private peek(before: number): A.Comment | undefined {
    const c = this.comments[this.ci];
    return c && c.span.start < before ? c : undefined;
  }
  private hasComment(s: Span): boolean {
    return this.comments.some((c) => c.span.start >= s.start && c.span.start < s.end);
  }

  /** Comments before `pos` met inside an expression or declaration: kept where they stood. */
  private inline(pos: number, ind: string): string {
    let s = "";
    for (let c: A.Comment | undefined; (c = this.peek(pos)); this.ci++)
      s += c.block ? c.text + " " : c.text + "\n" + ind + "  ";
    return s;
  }

  file(decls: readonly A.Decl[]): string {
    const items = decls.map((d): Item => ({ span: d.span, print: (ind, col) => this.decl(d, ind, col) }));
    return this.block(items, 0, Infinity, "", "", true, false).lines.join("\n");
  }

  /** Items one per line at `ind`, each preceded by its own-line comments and followed by the
   * comments on its last line. `head` collects comments on the opening line (after `openPos`). */
  private block(
    items: readonly Item[],
    openPos: number,
    closePos: number,
    ind: string,
    sep: string,
    blanks: boolean,
    headOk: boolean,
  ): { head: string; lines: string[] } {
    const lines: string[] = [];
    let head = "";
    let prevEnd = openPos;
    let sameLine = headOk;
    const gap = (at: number) => (blanks && lines.length > 0 && this.blank(prevEnd, at) ? "\n" : "");
    for (let i = 0; i <= items.length; i++) {
      const it = items[i];
      const stop = it ? it.span.start : closePos;
      let pre = "";
      let itemGap: string | undefined;
      for (let c: A.Comment | undefined; (c = this.peek(stop)); this.ci++) {
        if (sameLine && !this.nl(prevEnd, c.span.start)) {
          if (lines.length) lines[lines.length - 1] += " " + c.text;
          else head += " " + c.text;
          sameLine = c.block; // nothing can follow a line comment on its line
        } else if (it && c.block && !this.nl(c.span.end, stop)) {
          itemGap ??= gap(c.span.start);
          pre += c.text + " ";
          sameLine = false;
        } else {
          lines.push(gap(c.span.start) + ind + c.text);
          sameLine = false;
        }
        prevEnd = Math.max(prevEnd, c.span.end);
      }
      if (!it) break;
      itemGap ??= gap(it.span.start);
      const body = it.print(ind, colAfter(ind.length, pre), false);
      lines.push(itemGap + ind + pre + body + (i < items.length - 1 ? sep : sep && trailingComma()));
      prevEnd = it.span.end;
      sameLine = true;
    }
    return { head, lines };
  }

  /** A call's arguments, a list or a record: one line if it fits and holds no comment, else one item per line. */
  private bracketed(
    open: string,
    close: string,
    items: readonly Item[],
    span: Span,
    openPos: number,
    ind: string,
    col: number,
    flat: boolean,
  ): string {
    if (flat || !this.hasComment(span)) {
      const save = this.ci;
      let s = open;
      items.forEach((it, i) => {
        s += (i ? ", " : "") + it.print(ind, col + s.length, true);
      });
      s += close;
      if (flat || items.length === 0 || (!s.includes("\n") && col + s.length <= WIDTH)) return s;
      this.ci = save;
    }
    const { head, lines } = this.block(items, openPos, span.end - 1, ind + "  ", ",", false, true);
    return open + head + "\n" + lines.map((l) => l + "\n").join("") + ind + close;
  }

  /** `e` at column `col` of a line indented `ind`. `top`: `e` is a whole value (of a declaration,
   * field, argument, list item), the one place where a too-long operator chain may break. */
  private expr(e: A.Expr, ind: string, col: number, flat: boolean, top = false): string {
    const pre = this.inline(e.span.start, ind);
    const at = colAfter(col, pre);
    return pre + (top && !flat && e.kind === "binary" ? this.chain(e, ind, at) : this.exprBody(e, ind, at, flat));
  }

  /** A whole-value operator chain: on one line if that fits and holds no line comment, else broken
   * before each top-level operator (`a` / `+ b` / `- c`), the continuation lines indented 4 more than
   * the line the value started on. Operands that still do not fit break as usual (their calls, lists,
   * records one item per line, indented from the continuation line). */
  private chain(e: A.Binary, ind: string, col: number): string {
    const save = this.ci;
    // Without comments the one-line form is the flat one; with them, as printed in place (a
    // bracketed construct holding a comment always breaks, a line comment ends the line).
    const one = this.exprBody(e, ind, col, !this.hasComment(e.span));
    if (!one.includes("\n") && col + one.length <= WIDTH) return one;
    this.ci = save;
    const p = prec(e);
    const links: A.Binary[] = [];
    let first: A.Expr = e;
    for (; first.kind === "binary" && prec(first) === p; first = first.left) links.unshift(first);
    const cont = ind + "    ";
    let s = this.operand(first, p, ind, col, false);
    for (const b of links) {
      // Comments between an operand and the next operator end the operand's line, or stand on
      // their own line when they did in the source. So do those after the operator, unless they
      // are all block comments on its line (`+ /* c */ b` stays): a `+ // c` line would read badly.
      let stop = b.opSpan.start;
      for (
        let k = this.ci, c: A.Comment | undefined;
        (c = this.comments[k]) && c.span.start < b.right.span.start;
        k++
      ) {
        if (c.span.start > b.opSpan.start && (!c.block || this.nl(b.opSpan.end, c.span.start)))
          stop = b.right.span.start;
      }
      let prevEnd = b.left.span.end;
      for (let c: A.Comment | undefined; (c = this.peek(stop)); this.ci++) {
        s += (this.nl(prevEnd, c.span.start) ? "\n" + cont : " ") + c.text;
        prevEnd = c.span.end;
      }
      s += "\n" + cont + b.op + " ";
      s += this.operand(b.right, p + 1, cont, cont.length + b.op.length + 1, false);
    }
    return s;
  }

  /** `e` as an operand needing binding strength `min`, parenthesised if it binds more loosely. */
  private operand(e: A.Expr, min: number, ind: string, col: number, flat: boolean): string {
    if (prec(e) >= min) return this.expr(e, ind, col, flat);
    const pre = this.inline(e.span.start, ind);
    return pre + "(" + this.expr(e, ind, colAfter(col, pre) + 1, flat) + ")";
  }

  private exprBody(e: A.Expr, ind: string, col: number, flat: boolean): string {
    switch (e.kind) {
      case "number":
        return e.text;
      case "string":
        return quote(e.value);
      case "bool":
        return String(e.value);
      case "ident":
        return e.name;
      case "missing":
        return "<missing>";
      case "member": {
        const obj = this.operand(e.object, 5, ind, col, flat) + ".";
        return obj + this.inline(e.nameSpan.start, ind) + e.name;
      }
      case "unary":
        return "-" + this.operand(e.operand, 4, ind, col + 1, flat);
      case "binary": {
        const p = prec(e);
        const left = this.operand(e.left, p, ind, col, flat) + ` ${e.op} `;
        return left + this.operand(e.right, p + 1, ind, colAfter(col, left), flat);
      }
      case "range": {
        const lo = this.operand(e.lo, 2, ind, col, flat) + "..";
        return lo + this.operand(e.hi, 2, ind, colAfter(col, lo), flat);
      }
      case "call": {
        const callee = this.operand(e.callee, 5, ind, col, flat);
        const items = e.args.map(
          (a): Item => ({
            span: a.span,
            print: (ind, col, flat) => {
              const name = a.name ? this.inline(a.span.start, ind) + a.name + ": " : "";
              return name + this.expr(a.value, ind, colAfter(col, name), flat, true);
            },
          }),
        );
        return callee + this.bracketed("(", ")", items, e.span, e.callee.span.end, ind, colAfter(col, callee), flat);
      }
      case "list": {
        const items = e.items.map(
          (x): Item => ({ span: x.span, print: (ind, col, flat) => this.expr(x, ind, col, flat, true) }),
        );
        return this.bracketed("[", "]", items, e.span, e.span.start, ind, col, flat);
      }
      case "record": {
        const items = e.fields.map((f) => this.fieldItem(f, ": "));
        return this.bracketed("{", "}", items, e.span, e.span.start, ind, col, flat);
      }
    }
  }

  private fieldItem(f: A.Field, sep: string): Item {
    return {
      span: f.span,
      print: (ind, col, flat) => {
        const name = this.inline(f.nameSpan.start, ind) + f.name + sep;
        return name + this.expr(f.value, ind, colAfter(col, name), flat, true);
      },
    };
  }

  private decl(d: A.Decl, ind: string, col: number): string {
    let s = "";
    const at = (pos: number, word: string) => (s += this.inline(pos, ind) + word);
    const value = (e: A.Expr) => (s += this.expr(e, ind, colAfter(col, s), false, true));
    switch (d.kind) {
      case "experiment":
        s = "experiment ";
        at(d.nameSpan.start, d.name);
        break;
      case "import":
        s = "import ";
        at(d.pathSpan.start, quote(d.path));
        break;
      case "param":
        s = "param ";
        at(d.nameSpan.start, d.name + " = ");
        value(d.value);
        if (d.range) {
          s += " in ";
          at(d.range.span.start, d.range.loClosed ? "[" : "(");
          value(d.range.lo);
          s += ", ";
          value(d.range.hi);
          s += d.range.hiClosed ? "]" : ")";
        }
        break;
      case "binding":
        s = d.keyword + " ";
        at(d.nameSpan.start, d.name + " = ");
        value(d.value);
        break;
      case "sweep":
        s = "sweep ";
        value(d.value);
        break;
      case "stage": {
        s = "stage ";
        at(d.nameSpan.start, d.name + " = ");
        at(d.opSpan.start, d.op + "(");
        value(d.base);
        s += ") {";
        const fields = d.fields.map((f) => this.fieldItem(f, " = "));
        const { head, lines } = this.block(fields, d.bodySpan.start, d.bodySpan.end - 1, ind + "  ", "", true, true);
        if (!head && !lines.length) return s + "}";
        return s + head + "\n" + lines.map((l) => l + "\n").join("") + ind + "}";
      }
    }
    return s;
  }
}
