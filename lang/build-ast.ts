// CST → AST, plus the conversion of Chevrotain's lexing and recognition errors into diagnostics.
// Recovery can leave rules half-filled; every reader here tolerates a missing child and yields a
// `missing` expression, which later phases skip without reporting again.
import type { CstNode, IToken, IRecognitionException, ILexingError } from "chevrotain";
import type * as A from "./ast.ts";
import type { Diagnostic, Span } from "../core/diagnostics.ts";
import { parseDirect } from "./direct-parse.ts";
import { scan } from "./scan.ts";
import { numberLiteral, stringLiteral } from "./literals.ts";
import { lexText, parseTokens } from "./parser.ts";

type Children = Record<string, (CstNode | IToken)[] | undefined>;

function kids(n: CstNode): Children {
  return n.children as Children;
}
function tok(c: Children, name: string, i = 0): IToken | undefined {
  const t = c[name]?.[i] as IToken | undefined;
  return t && !t.isInsertedInRecovery && Number.isFinite(t.startOffset) ? t : undefined;
}
function node(c: Children, name: string, i = 0): CstNode | undefined {
  return c[name]?.[i] as CstNode | undefined;
}
function tokSpan(t: IToken): Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}
function nodeSpan(n: CstNode | undefined, fallback: number): Span {
  const l = n?.location;
  if (!l || !Number.isFinite(l.startOffset)) return { start: fallback, end: fallback };
  const end = Number.isFinite(l.endOffset) ? (l.endOffset as number) + 1 : l.startOffset + 1;
  return { start: l.startOffset, end: Math.max(end, l.startOffset) };
}
function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

class Builder {
  constructor(
    readonly file: string,
    readonly diags: Diagnostic[],
    readonly base = 0,
  ) {}

  program(cst: CstNode, start: number, end: number, cs: readonly IToken[]): A.Program {
    const decls: A.Decl[] = [];
    for (const s of (kids(cst)["statement"] ?? []) as CstNode[]) {
      const d = this.statement(s);
      if (d) decls.push(d);
    }
    return { file: this.file, decls, comments: comments(cs), span: { start, end } };
  }

  statement(s: CstNode): A.Decl | undefined {
    const c = kids(s);
    const [key] = Object.keys(c);
    const inner = key ? node(c, key) : undefined;
    if (!inner) return undefined;
    const k = kids(inner);
    const span = nodeSpan(inner, this.base);
    const name = tok(k, "Identifier");
    switch (key) {
      case "experimentDecl":
        return name && { kind: "experiment", name: name.image, nameSpan: tokSpan(name), span };
      case "importDecl": {
        const p = tok(k, "StringLiteral");
        return (
          p && {
            kind: "import",
            path: stringLiteral(p.image, p.startOffset, this.diags, this.file),
            pathSpan: tokSpan(p),
            span,
          }
        );
      }
      case "paramDecl": {
        if (!name) return undefined;
        const iv = node(k, "interval");
        return {
          kind: "param",
          name: name.image,
          nameSpan: tokSpan(name),
          value: this.expr(node(k, "expression"), span.end),
          range: iv && this.interval(iv),
          span,
        };
      }
      case "bindingDecl": {
        if (!name) return undefined;
        const kw = (["data", "model", "let", "bench"] as const).find((w) => tok(k, w[0]!.toUpperCase() + w.slice(1)));
        if (!kw) return undefined;
        return {
          kind: "binding",
          keyword: kw,
          name: name.image,
          nameSpan: tokSpan(name),
          value: this.expr(node(k, "expression"), span.end),
          span,
        };
      }
      case "stageDecl": {
        const op = tok(k, "Identifier", 1);
        const body = node(k, "stageBody");
        if (!name || !op) return undefined;
        const fields = ((body && kids(body)["stageField"]) ?? [])
          .map((f) => this.field(f as CstNode))
          .filter((f): f is A.Field => !!f);
        return {
          kind: "stage",
          name: name.image,
          nameSpan: tokSpan(name),
          op: op.image,
          opSpan: tokSpan(op),
          base: this.expr(node(k, "expression"), span.end),
          fields,
          bodySpan: nodeSpan(body, span.end),
          span,
        };
      }
      case "sweepDecl":
        return { kind: "sweep", value: this.expr(node(k, "expression"), span.end), span };
    }
    return undefined;
  }

  interval(n: CstNode): A.Interval {
    const k = kids(n);
    const span = nodeSpan(n, this.base);
    return {
      lo: this.expr(node(k, "expression", 0), span.end),
      hi: this.expr(node(k, "expression", 1), span.end),
      loClosed: !!k["LBracket"],
      hiClosed: !!k["RBracket"],
      span,
    };
  }

  field(n: CstNode): A.Field | undefined {
    const k = kids(n);
    const nm = tok(k, "Name");
    if (!nm) return undefined;
    const span = nodeSpan(n, nm.startOffset);
    return { name: nm.image, nameSpan: tokSpan(nm), value: this.expr(node(k, "expression"), span.end), span };
  }

  missing(at: number): A.Missing {
    return { kind: "missing", span: { start: at, end: at } };
  }

  expr(n: CstNode | undefined, at: number): A.Expr {
    if (!n) return this.missing(at);
    const k = kids(n);
    const left = this.additive(node(k, "additive", 0), at);
    if (!k["DotDot"]) return left;
    const right = this.additive(node(k, "additive", 1), left.span.end);
    return { kind: "range", lo: left, hi: right, span: join(left.span, right.span) };
  }

  binaryChain(
    n: CstNode | undefined,
    at: number,
    sub: string,
    ops: string[],
    next: (n: CstNode | undefined, at: number) => A.Expr,
  ): A.Expr {
    if (!n) return this.missing(at);
    const k = kids(n);
    const operands = (k[sub] ?? []) as CstNode[];
    // Most chains have one operand: skip gathering operators (a quarter of a long study's parse).
    if (operands.length === 1) return next(operands[0], at);
    const opToks = ops
      .flatMap((o) => ((k[o] ?? []) as IToken[]).filter((t) => Number.isFinite(t.startOffset)))
      .sort((a, b) => a.startOffset - b.startOffset);
    let acc = next(operands[0], at);
    for (let i = 1; i < operands.length; i++) {
      const opTok = opToks[i - 1];
      const right = next(operands[i], acc.span.end);
      if (!opTok) break;
      acc = {
        kind: "binary",
        op: opTok.image as A.Binary["op"],
        left: acc,
        right,
        opSpan: tokSpan(opTok),
        span: join(acc.span, right.span),
      };
    }
    return acc;
  }

  additive = (n: CstNode | undefined, at: number): A.Expr =>
    this.binaryChain(n, at, "multiplicative", ["Plus", "Minus"], this.multiplicative);
  multiplicative = (n: CstNode | undefined, at: number): A.Expr =>
    this.binaryChain(n, at, "unary", ["Star", "Slash"], this.unary);

  unary = (n: CstNode | undefined, at: number): A.Expr => {
    if (!n) return this.missing(at);
    const k = kids(n);
    const minus = tok(k, "Minus");
    if (minus) {
      const operand = this.unary(node(k, "unary"), minus.endOffset! + 1);
      return { kind: "unary", op: "-", operand, span: join(tokSpan(minus), operand.span) };
    }
    return this.postfix(node(k, "postfix"), at);
  };

  postfix(n: CstNode | undefined, at: number): A.Expr {
    if (!n) return this.missing(at);
    const k = kids(n);
    let acc = this.primary(node(k, "primary"), at);
    if (!k["Dot"] && !k["arguments"]) return acc;
    // Member accesses and calls interleave; the CST keeps them in separate arrays, so merge by offset.
    const steps: { at: number; f: () => void }[] = [];
    const dots = (k["Dot"] ?? []) as IToken[];
    const names = (k["Name"] ?? []) as IToken[];
    dots.forEach((d, i) => {
      const nm = names[i];
      if (!Number.isFinite(d.startOffset)) return;
      steps.push({
        at: d.startOffset,
        f: () => {
          if (!nm || nm.isInsertedInRecovery || !Number.isFinite(nm.startOffset)) return;
          acc = {
            kind: "member",
            object: acc,
            name: nm.image,
            nameSpan: tokSpan(nm),
            span: join(acc.span, tokSpan(nm)),
          };
        },
      });
    });
    for (const a of (k["arguments"] ?? []) as CstNode[]) {
      const span = nodeSpan(a, acc.span.end);
      steps.push({
        at: span.start,
        f: () => {
          const args = ((kids(a)["argument"] ?? []) as CstNode[]).map((x) => this.argument(x, span.end));
          acc = { kind: "call", callee: acc, args, span: join(acc.span, span) };
        },
      });
    }
    for (const s of steps.sort((x, y) => x.at - y.at)) s.f();
    return acc;
  }

  argument(n: CstNode, at: number): A.Arg {
    const k = kids(n);
    const nm = tok(k, "Name");
    const value = this.expr(node(k, "expression"), at);
    const span = nodeSpan(n, value.span.start);
    return nm ? { name: nm.image, nameSpan: tokSpan(nm), value, span } : { value, span };
  }

  primary(n: CstNode | undefined, at: number): A.Expr {
    if (!n) return this.missing(at);
    const k = kids(n);
    const span = nodeSpan(n, at);
    let t: IToken | undefined;
    if ((t = tok(k, "NumberLiteral")))
      return {
        kind: "number",
        value: numberLiteral(t.image, t.startOffset, this.diags, this.file),
        text: t.image,
        span: tokSpan(t),
      };
    if ((t = tok(k, "StringLiteral")))
      return { kind: "string", value: stringLiteral(t.image, t.startOffset, this.diags, this.file), span: tokSpan(t) };
    if ((t = tok(k, "True"))) return { kind: "bool", value: true, span: tokSpan(t) };
    if ((t = tok(k, "False"))) return { kind: "bool", value: false, span: tokSpan(t) };
    if ((t = tok(k, "Identifier"))) return { kind: "ident", name: t.image, span: tokSpan(t) };
    const list = node(k, "list");
    if (list) {
      const items = ((kids(list)["expression"] ?? []) as CstNode[]).map((x) => this.expr(x, span.end));
      return { kind: "list", items, span };
    }
    const rec = node(k, "record");
    if (rec) {
      const fields = ((kids(rec)["recordField"] ?? []) as CstNode[])
        .map((x) => this.field(x))
        .filter((f): f is A.Field => !!f);
      return { kind: "record", fields, span };
    }
    const par = node(k, "parenthesized");
    if (par) return this.expr(node(kids(par), "expression"), span.end);
    return this.missing(at);
  }
}

function describe(t: IToken | undefined): string {
  if (!t || t.tokenType.name === "EOF") return "the end of the file";
  if (t.tokenType.name === "Identifier") return `\`${t.image}\``;
  return `\`${t.image}\``;
}

function lexDiagnostic(e: ILexingError, text: string, base: number, file: string): Diagnostic {
  const ch = text.slice(e.offset - base, e.offset - base + Math.max(1, e.length));
  return {
    code: "SCD1001",
    severity: "error",
    file,
    span: { start: e.offset, end: e.offset + Math.max(1, e.length) },
    message: `Unexpected character ${JSON.stringify(ch)}.`,
    label: "not part of the language",
  };
}

function parseDiagnostic(e: IRecognitionException, textLength: number, file: string): Diagnostic {
  const t = e.token;
  const atEof = !t || t.tokenType?.name === "EOF" || !Number.isFinite(t.startOffset);
  const start = atEof ? textLength : t.startOffset;
  const span = { start, end: atEof ? textLength : (t.endOffset ?? t.startOffset) + 1 };
  const expected = expectedFrom(e);
  const rule = e.context?.ruleStack?.at(-1);
  return {
    code: "SCD1004",
    severity: "error",
    file,
    span,
    message: `Unexpected ${describe(atEof ? undefined : t)}${expected ? `; expected ${expected}` : ""}.`,
    label: expected ? `expected ${expected}` : "unexpected here",
    notes: rule ? [`while reading ${ruleDescription[rule] ?? rule}`] : undefined,
  };
}

const ruleDescription: Record<string, string> = {
  program: "the file",
  statement: "a declaration",
  experimentDecl: "an `experiment` header",
  importDecl: "an `import`",
  paramDecl: "a `param` declaration",
  interval: "a param's interval",
  bindingDecl: "a declaration",
  stageDecl: "a `stage` declaration",
  stageBody: "a stage body",
  stageField: "a stage field",
  sweepDecl: "a `sweep`",
  expression: "an expression",
  arguments: "call arguments",
  argument: "an argument",
  primary: "a value",
  list: "a list",
  record: "a record",
  recordField: "a record field",
  postfix: "an expression",
  parenthesized: "a parenthesized expression",
  additive: "an expression",
  multiplicative: "an expression",
  unary: "an expression",
};

const tokenWords: Record<string, string> = {
  Identifier: "a name",
  Name: "a name",
  NumberLiteral: "a number",
  StringLiteral: "a string",
  LParen: "`(`",
  RParen: "`)`",
  LBracket: "`[`",
  RBracket: "`]`",
  LCurly: "`{`",
  RCurly: "`}`",
  Comma: "`,`",
  Colon: "`:`",
  Equals: "`=`",
  Semicolon: "`;`",
  DotDot: "`..`",
  Dot: "`.`",
  Plus: "`+`",
  Minus: "`-`",
  Star: "`*`",
  Slash: "`/`",
};

// Chevrotain's messages list token-type sequences; reduce them to a short English alternative list.
const valueStarts = new Set(["`-`", "a number", "a string", "`true`", "`false`", "a name", "`[`", "`{`", "`(`"]);

function expectedFrom(e: IRecognitionException): string | undefined {
  const m = e.message;
  const found = new Set<string>();
  for (const match of m.matchAll(/\[([A-Za-z]+)\]|-->\s*([A-Za-z]+)\s*<--|<([A-Za-z]+)>/g)) {
    const name = match[1] ?? match[2] ?? match[3];
    if (!name) continue;
    found.add(tokenWords[name] ?? `\`${name.toLowerCase()}\``);
  }
  let words = [...found];
  // A hole where any value may stand lists a dozen token kinds; say it in one word.
  if (found.has("a number") && found.has("a string")) words = ["a value", ...words.filter((w) => !valueStarts.has(w))];
  if (words.length === 0) return e.name === "NoViableAltException" ? "a declaration or value" : undefined;
  if (words.length > 4) return words.slice(0, 4).join(", ") + ", …";
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

const NO_COMMENTS: A.Comment[] = [];
function comments(cs: readonly IToken[]): A.Comment[] {
  if (cs.length === 0) return NO_COMMENTS;
  return cs.map((t) => ({
    text: t.image,
    span: { start: t.startOffset, end: t.startOffset + t.image.length },
    block: t.image.startsWith("/*"),
  }));
}

export interface ParseResult {
  readonly program: A.Program;
  readonly diagnostics: Diagnostic[];
}

/** The declarations and comments of a piece of a file at `base` (incremental-parse.ts), where it
 * parses cleanly the direct way; undefined where it does not (a syntax error, or a literal with a
 * diagnostic): the caller then parses the whole file as one. No result objects around them: a long
 * study has thousands of pieces, kept for the next edit. */
export function parseClean(
  text: string,
  file: string,
  base: number,
): { at: number; decls: A.Decl[]; comments: A.Comment[] } | undefined {
  const scanned = scan(text, base);
  if (!scanned) return undefined;
  const diags: Diagnostic[] = [];
  const decls = parseDirect(scanned, file, diags);
  return decls && !diags.length ? { at: base, decls, comments: scanned.comments } : undefined;
}

/** Source text → AST and syntax diagnostics. Never throws on any input. With `base`, `text` is a
 * piece of a longer file that starts at offset `base`, and every span is one of that file. */
export function parse(text: string, file: string, base = 0, direct = true): ParseResult {
  const diags: Diagnostic[] = [];
  const end = base + text.length;
  const scanned = direct ? scan(text, base) : undefined;
  if (scanned) {
    const decls = parseDirect(scanned, file, diags);
    if (decls)
      return { program: { file, decls, comments: scanned.comments, span: { start: base, end } }, diagnostics: diags };
  }
  const out = parseTokens(lexText(text, base));
  for (const e of out.lexErrors) diags.push(lexDiagnostic(e, text, base, file));
  for (const t of out.tokens) {
    if (t.tokenType.name === "UnterminatedString")
      diags.push({
        code: "SCD1002",
        severity: "error",
        file,
        span: tokSpan(t),
        message: "Unterminated string literal.",
        label: 'this string has no closing `"` on its line',
      });
  }
  for (const c of out.comments) {
    if (c.tokenType.name === "UnterminatedComment")
      diags.push({
        code: "SCD1003",
        severity: "error",
        file,
        span: { start: c.startOffset, end: c.startOffset + 2 },
        message: "Unterminated block comment.",
        label: "this `/*` has no closing `*/`",
      });
  }
  // Recovery re-syncs after an error and may report the same spot twice; keep the first per offset.
  const seen = new Set<number>(diags.map((d) => d.span!.start));
  for (const e of out.parseErrors) {
    const d = parseDiagnostic(e, end, file);
    if (seen.has(d.span!.start)) continue;
    seen.add(d.span!.start);
    diags.push(d);
  }
  const program = new Builder(file, diags, base).program(out.cst, base, end, out.comments);
  return { program, diagnostics: diags };
}
