// Tokens → AST in one pass, for text without syntax errors: the common case (every check of a
// saved study, every piece an edit did not touch). Chevrotain's CST costs most of a parse and most
// of its garbage (a 10,000-line study allocated ~120 MB parsing, the AST a small part of it).
// Recovery is not attempted here: at the first token the grammar does not allow, `parseDirect`
// gives up and the caller takes the CST path (parser.ts, build-ast.ts), which reports the error and
// recovers. So this file must accept exactly the text parser.ts accepts without errors, and build
// exactly the AST build-ast.ts builds from it (test/lang/direct-parse.test.ts compares the two).
import type { IToken, TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import type { Diagnostic, Span } from "../core/diagnostics.ts";
import * as T from "./tokens.ts";
import { numberLiteral, stringLiteral } from "./literals.ts";
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

const tokSpan = (t: IToken): Span => ({ start: t.startOffset, end: t.startOffset + t.image.length });
// One string per distinct name (and number text): the tokens' images are copies, one per
// occurrence, and a long study's AST kept tens of thousands of them alive; equal names are then
// also the same object, which the checker's many look-ups by name compare first.
const interned = new Map<string, string>();
function name_(t: IToken): string {
  const s = t.image;
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size > 100_000) interned.clear();
  interned.set(s, s);
  return s;
}
const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

class DirectParser {
  private i = 0;
  constructor(
    private readonly toks: readonly IToken[],
    private readonly file: string,
    private readonly diags: Diagnostic[],
  ) {}

  private peek(k = 0): TokenType | undefined {
    return this.toks[this.i + k]?.tokenType;
  }
  private take(type: TokenType): IToken {
    const t = this.toks[this.i];
    if (t?.tokenType !== type) throw REJECT;
    this.i++;
    return t;
  }
  private takeName(): IToken {
    const t = this.toks[this.i];
    if (!t || !names.has(t.tokenType)) throw REJECT;
    this.i++;
    return t;
  }
  /** The span from `first` to the last token taken: a CST rule's location. */
  private from(first: IToken): Span {
    return this.upTo(first.startOffset);
  }
  /** The span from offset `start` to the last token taken. */
  private upTo(start: number): Span {
    const last = this.toks[this.i - 1]!;
    return { start, end: last.startOffset + last.image.length };
  }

  program(): A.Decl[] {
    const decls: A.Decl[] = [];
    while (this.i < this.toks.length) decls.push(this.statement());
    return tight(decls);
  }

  private statement(): A.Decl {
    const first = this.toks[this.i]!;
    const type = first.tokenType;
    this.i++;
    if (type === T.Experiment) {
      const name = this.take(T.Identifier);
      return { kind: "experiment", name: name_(name), nameSpan: tokSpan(name), span: this.from(first) };
    }
    if (type === T.Import) {
      const p = this.take(T.StringLiteral);
      const path = stringLiteral(p, this.diags, this.file);
      return { kind: "import", path, pathSpan: tokSpan(p), span: this.from(first) };
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
      return { kind: "param", name: name_(name), nameSpan: tokSpan(name), value, range, span: this.from(first) };
    }
    const keyword = bindingKeywords.get(type);
    if (keyword) {
      const name = this.take(T.Identifier);
      this.take(T.Equals);
      const value = this.expr();
      return { kind: "binding", keyword, name: name_(name), nameSpan: tokSpan(name), value, span: this.from(first) };
    }
    if (type === T.Stage) return this.stage(first);
    if (type === T.Sweep) {
      const value = this.expr();
      return { kind: "sweep", value, span: this.from(first) };
    }
    throw REJECT;
  }

  private interval(): A.Interval {
    const open = this.toks[this.i];
    if (open?.tokenType !== T.LBracket && open?.tokenType !== T.LParen) throw REJECT;
    this.i++;
    const lo = this.expr();
    this.take(T.Comma);
    const hi = this.expr();
    const close = this.peek();
    if (close !== T.RBracket && close !== T.RParen) throw REJECT;
    this.i++;
    const loClosed = open.tokenType === T.LBracket;
    return { lo, hi, loClosed, hiClosed: close === T.RBracket, span: this.from(open) };
  }

  private stage(first: IToken): A.StageDecl {
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
      name: name_(name),
      nameSpan: tokSpan(name),
      op: name_(op),
      opSpan: tokSpan(op),
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
    return { name: name_(nm), nameSpan: tokSpan(nm), value, span: this.from(nm) };
  }

  private expr(): A.Expr {
    const left = this.additive();
    if (this.peek() !== T.DotDot) return left;
    this.i++;
    const right = this.additive();
    return { kind: "range", lo: left, hi: right, span: join(left.span, right.span) };
  }

  private additive(): A.Expr {
    return this.leftAssoc(T.Plus, T.Minus, () => this.multiplicative());
  }

  private multiplicative(): A.Expr {
    return this.leftAssoc(T.Star, T.Slash, () => this.unary());
  }

  /** One precedence level of left-associative binary operators `a op b op c`. */
  private leftAssoc(opA: TokenType, opB: TokenType, operand: () => A.Expr): A.Expr {
    let acc = operand();
    for (let t = this.toks[this.i]; t && (t.tokenType === opA || t.tokenType === opB); t = this.toks[this.i]) {
      this.i++;
      const right = operand();
      acc = {
        kind: "binary",
        op: t.image as "+",
        left: acc,
        right,
        opSpan: tokSpan(t),
        span: join(acc.span, right.span),
      };
    }
    return acc;
  }

  private unary(): A.Expr {
    const t = this.toks[this.i];
    if (t?.tokenType !== T.Minus) return this.postfix();
    this.i++;
    const operand = this.unary();
    return { kind: "unary", op: "-", operand, span: { start: t.startOffset, end: operand.span.end } };
  }

  private postfix(): A.Expr {
    let acc = this.primary();
    for (;;) {
      const type = this.peek();
      if (type === T.Dot) {
        this.i++;
        const nm = this.takeName();
        const nameSpan = tokSpan(nm);
        acc = { kind: "member", object: acc, name: name_(nm), nameSpan, span: join(acc.span, nameSpan) };
      } else if (type === T.LParen) {
        const open = this.toks[this.i++]!;
        let args: A.Arg[] = [];
        this.items(T.RParen, () => args.push(this.argument()));
        args = tight(args);
        // join(acc.span, this.from(open)) without the intermediate span: the callee starts first
        acc = { kind: "call", callee: acc, args, span: this.upTo(Math.min(acc.span.start, open.startOffset)) };
      } else return acc;
    }
  }

  /** Comma-separated items up to `close`, a trailing comma allowed; takes `close`. */
  private items(close: TokenType, item: () => void): void {
    while (this.peek() !== close) {
      item();
      if (this.peek() === close) break;
      this.take(T.Comma);
    }
    this.i++;
  }

  private argument(): A.Arg {
    const first = this.toks[this.i];
    if (!first) throw REJECT;
    if (names.has(first.tokenType) && this.peek(1) === T.Colon) {
      this.i += 2;
      const value = this.expr();
      return { name: name_(first), nameSpan: tokSpan(first), value, span: this.from(first) };
    }
    const value = this.expr();
    const span = this.from(first);
    // unparenthesised, the argument spans exactly its value: one span object for both
    return { value, span: span.start === value.span.start && span.end === value.span.end ? value.span : span };
  }

  private primary(): A.Expr {
    const t = this.toks[this.i];
    if (!t) throw REJECT;
    this.i++;
    switch (t.tokenType) {
      case T.NumberLiteral:
        return { kind: "number", value: numberLiteral(t, this.diags, this.file), text: name_(t), span: tokSpan(t) };
      case T.StringLiteral:
        return { kind: "string", value: stringLiteral(t, this.diags, this.file), span: tokSpan(t) };
      case T.True:
        return { kind: "bool", value: true, span: tokSpan(t) };
      case T.False:
        return { kind: "bool", value: false, span: tokSpan(t) };
      case T.Identifier:
        return { kind: "ident", name: name_(t), span: tokSpan(t) };
      case T.LBracket: {
        const items: A.Expr[] = [];
        this.items(T.RBracket, () => items.push(this.expr()));
        return { kind: "list", items: tight(items), span: this.from(t) };
      }
      case T.LCurly: {
        const fields: A.Field[] = [];
        this.items(T.RCurly, () => fields.push(this.field(T.Colon)));
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

/** The declarations of `tokens` (a lexed text without lexing errors), or undefined where the
 * grammar does not allow them: then the CST path parses the text and reports why. */
export function parseDirect(tokens: readonly IToken[], file: string, diags: Diagnostic[]): A.Decl[] | undefined {
  const mark = diags.length;
  try {
    return new DirectParser(tokens, file, diags).program();
  } catch (e) {
    if (e !== REJECT) throw e;
    diags.length = mark;
    return undefined;
  }
}
