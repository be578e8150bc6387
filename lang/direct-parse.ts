// Tokens → AST in one pass, for text without syntax errors: the common case (every check of a
// saved study, every piece an edit did not touch). Chevrotain's CST costs most of a parse and most
// of its garbage (a 10,000-line study allocated ~120 MB parsing, the AST a small part of it).
// Recovery is not attempted here: at the first token the grammar does not allow, `parseDirect`
// gives up and the caller takes the CST path (parser.ts, build-ast.ts), which reports the error and
// recovers. So this file must accept exactly the text parser.ts accepts without errors, and build
// exactly the AST build-ast.ts builds from it (test/lang/direct-parse.test.ts compares the two).
// Tokens come from scan.ts, as indices into its arrays.
import type { TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import type { Diagnostic, Span } from "../core/diagnostics.ts";
import * as T from "./tokens.ts";
import { numberLiteral, stringLiteral } from "./literals.ts";
import type { Scanned } from "./scan.ts";
import { tight } from "../core/tight.ts";

/** The grammar does not allow the token at hand: take the CST path. */
class Reject {}
const REJECT = new Reject();

const bindingKeywords = new Map<TokenType, A.BindingKeyword>([
  [T.Data, "data"],
  [T.Model, "model"],
  [T.Let, "let"],
  [T.Bench, "bench"],
]);
const names: ReadonlySet<TokenType> = new Set([T.Identifier, ...T.keywords]);

const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

const LEVELS: readonly (readonly [TokenType, TokenType])[] = [
  [T.Plus, T.Minus],
  [T.Star, T.Slash],
];

/** A token: its index in the scan. */
type Tok = number;

class DirectParser {
  private i = 0;
  private readonly types: readonly TokenType[];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly texts: readonly (string | undefined)[];
  private readonly count: number;
  constructor(
    private readonly s: Scanned,
    private readonly file: string,
    private readonly diags: Diagnostic[],
  ) {
    this.types = s.types;
    this.starts = s.starts;
    this.ends = s.ends;
    this.texts = s.texts;
    this.count = s.count;
  }

  private peek(k = 0): TokenType | undefined {
    return this.i + k < this.count ? this.types[this.i + k] : undefined;
  }
  private take(type: TokenType): Tok {
    if (this.i >= this.count || this.types[this.i] !== type) throw REJECT;
    return this.i++;
  }
  private takeName(): Tok {
    if (this.i >= this.count || !names.has(this.types[this.i]!)) throw REJECT;
    return this.i++;
  }
  private span(t: Tok): Span {
    return { start: this.starts[t]!, end: this.ends[t]! };
  }
  /** A name's or number's text (scan.ts interns them). */
  private name(t: Tok): string {
    return this.texts[t]!;
  }
  private image(t: Tok): string {
    return this.s.text.slice(this.starts[t]! - this.s.base, this.ends[t]! - this.s.base);
  }
  /** The span from token `first` to the last token taken: a CST rule's location. */
  private from(first: Tok): Span {
    return this.upTo(this.starts[first]!);
  }
  /** The span from offset `start` to the last token taken. */
  private upTo(start: number): Span {
    return { start, end: this.ends[this.i - 1]! };
  }

  program(): A.Decl[] {
    const decls: A.Decl[] = [];
    while (this.i < this.count) decls.push(this.statement());
    return tight(decls);
  }

  private statement(): A.Decl {
    const first = this.i++;
    const type = this.types[first];
    if (type === T.Experiment) {
      const name = this.take(T.Identifier);
      return { kind: "experiment", name: this.name(name), nameSpan: this.span(name), span: this.from(first) };
    }
    if (type === T.Import) {
      const p = this.take(T.StringLiteral);
      const path = stringLiteral(this.image(p), this.starts[p]!, this.diags, this.file);
      return { kind: "import", path, pathSpan: this.span(p), span: this.from(first) };
    }
    if (type === T.Param) {
      const name = this.take(T.Identifier);
      this.take(T.Equals);
      const value = this.expr();
      let range: A.Interval | undefined;
      if (this.peek() === T.In) {
        this.i++;
        range = this.interval();
      }
      return {
        kind: "param",
        name: this.name(name),
        nameSpan: this.span(name),
        value,
        range,
        span: this.from(first),
      };
    }
    const keyword = type && bindingKeywords.get(type);
    if (keyword) {
      const name = this.take(T.Identifier);
      this.take(T.Equals);
      const value = this.expr();
      return {
        kind: "binding",
        keyword,
        name: this.name(name),
        nameSpan: this.span(name),
        value,
        span: this.from(first),
      };
    }
    if (type === T.Stage) return this.stage(first);
    if (type === T.Sweep) {
      const value = this.expr();
      return { kind: "sweep", value, span: this.from(first) };
    }
    throw REJECT;
  }

  private interval(): A.Interval {
    const open = this.i;
    const type = this.peek();
    if (type !== T.LBracket && type !== T.LParen) throw REJECT;
    this.i++;
    const lo = this.expr();
    this.take(T.Comma);
    const hi = this.expr();
    const close = this.peek();
    if (close !== T.RBracket && close !== T.RParen) throw REJECT;
    this.i++;
    return { lo, hi, loClosed: type === T.LBracket, hiClosed: close === T.RBracket, span: this.from(open) };
  }

  private stage(first: Tok): A.StageDecl {
    const name = this.take(T.Identifier);
    this.take(T.Equals);
    const op = this.take(T.Identifier);
    this.take(T.LParen);
    // build-ast.ts reads the body before the base: their diagnostics come in that order.
    const outer = this.diags.length;
    const base = this.expr();
    const baseDiags = this.diags.splice(outer);
    this.take(T.RParen);
    const open = this.take(T.LCurly);
    const fields: A.Field[] = [];
    while (this.peek() !== T.RCurly) {
      fields.push(this.field(T.Equals));
      if (this.peek() === T.Semicolon) this.i++;
    }
    this.i++;
    this.diags.push(...baseDiags);
    return {
      kind: "stage",
      name: this.name(name),
      nameSpan: this.span(name),
      op: this.name(op),
      opSpan: this.span(op),
      base,
      fields: tight(fields),
      bodySpan: this.from(open),
      span: this.from(first),
    };
  }

  private field(sep: TokenType): A.Field {
    const nm = this.takeName();
    this.take(sep);
    const value = this.expr();
    return { name: this.name(nm), nameSpan: this.span(nm), value, span: this.from(nm) };
  }

  private expr(): A.Expr {
    const left = this.additive();
    if (this.peek() !== T.DotDot) return left;
    this.i++;
    const right = this.additive();
    return { kind: "range", lo: left, hi: right, span: join(left.span, right.span) };
  }

  private additive(): A.Expr {
    return this.leftAssoc(0);
  }

  /** One precedence level of left-associative binary operators `a op b op c`: `+ -` (level 0)
   * over `* /` (level 1) over unary minus. A level number rather than a callback: no closure made
   * per expression. */
  private leftAssoc(level: 0 | 1): A.Expr {
    const ops = LEVELS[level]!;
    let acc = level === 0 ? this.leftAssoc(1) : this.unary();
    for (let type = this.peek(); type === ops[0] || type === ops[1]; type = this.peek()) {
      const t = this.i++;
      const right = level === 0 ? this.leftAssoc(1) : this.unary();
      acc = {
        kind: "binary",
        op: type === T.Plus ? "+" : type === T.Minus ? "-" : type === T.Star ? "*" : "/",
        left: acc,
        right,
        opSpan: this.span(t),
        span: join(acc.span, right.span),
      };
    }
    return acc;
  }

  private unary(): A.Expr {
    if (this.peek() !== T.Minus) return this.postfix();
    const t = this.i++;
    const operand = this.unary();
    // join(the minus, its operand), which comes after it
    return { kind: "unary", op: "-", operand, span: { start: this.starts[t]!, end: operand.span.end } };
  }

  private postfix(): A.Expr {
    let acc = this.primary();
    for (;;) {
      const type = this.peek();
      if (type === T.Dot) {
        this.i++;
        const nm = this.takeName();
        const nameSpan = this.span(nm);
        acc = { kind: "member", object: acc, name: this.name(nm), nameSpan, span: join(acc.span, nameSpan) };
      } else if (type === T.LParen) {
        const open = this.i++;
        const list: A.Arg[] = [];
        while (this.more(T.RParen, list.length === 0)) list.push(this.argument());
        const args = tight(list);
        // join(acc.span, this.from(open)) without the intermediate span
        acc = { kind: "call", callee: acc, args, span: this.upTo(Math.min(acc.span.start, this.starts[open]!)) };
      } else return acc;
    }
  }

  /** Whether another item of a comma-separated list comes before `close` (a trailing comma
   * allowed); `first` before the first item. Takes the comma, or `close` at the end. A loop
   * condition rather than a method taking a callback: no closure made per list. */
  private more(close: TokenType, first: boolean): boolean {
    if (!first && this.peek() !== close) this.take(T.Comma);
    if (this.peek() !== close) return true;
    this.i++;
    return false;
  }

  private argument(): A.Arg {
    const first = this.i;
    const type = this.peek();
    if (!type) throw REJECT;
    if (names.has(type) && this.peek(1) === T.Colon) {
      this.i += 2;
      const value = this.expr();
      return { name: this.name(first), nameSpan: this.span(first), value, span: this.from(first) };
    }
    const value = this.expr();
    const start = this.starts[first]!;
    const end = this.ends[this.i - 1]!;
    // unparenthesised, the argument spans exactly its value: one span object for both
    return { value, span: start === value.span.start && end === value.span.end ? value.span : { start, end } };
  }

  private primary(): A.Expr {
    if (this.i >= this.count) throw REJECT;
    const t = this.i++;
    switch (this.types[t]) {
      case T.NumberLiteral: {
        const text = this.name(t);
        return {
          kind: "number",
          value: numberLiteral(text, this.starts[t]!, this.diags, this.file),
          text,
          span: this.span(t),
        };
      }
      case T.StringLiteral:
        return {
          kind: "string",
          value: stringLiteral(this.image(t), this.starts[t]!, this.diags, this.file),
          span: this.span(t),
        };
      case T.True:
        return { kind: "bool", value: true, span: this.span(t) };
      case T.False:
        return { kind: "bool", value: false, span: this.span(t) };
      case T.Identifier:
        return { kind: "ident", name: this.name(t), span: this.span(t) };
      case T.LBracket: {
        const items: A.Expr[] = [];
        while (this.more(T.RBracket, items.length === 0)) items.push(this.expr());
        return { kind: "list", items: tight(items), span: this.from(t) };
      }
      case T.LCurly: {
        const fields: A.Field[] = [];
        while (this.more(T.RCurly, fields.length === 0)) fields.push(this.field(T.Colon));
        return { kind: "record", fields: tight(fields), span: this.from(t) };
      }
      case T.LParen: {
        const inner = this.expr();
        this.take(T.RParen);
        return inner;
      }
    }
    throw REJECT;
  }
}

/** The declarations of a scanned text, or undefined where the grammar does not allow them: then
 * the CST path parses the text and reports why. */
export function parseDirect(scanned: Scanned, file: string, diags: Diagnostic[]): A.Decl[] | undefined {
  const mark = diags.length;
  try {
    return new DirectParser(scanned, file, diags).program();
  } catch (e) {
    if (e !== REJECT) throw e;
    diags.length = mark;
    return undefined;
  }
}
