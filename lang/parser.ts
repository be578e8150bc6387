// The grammar, and nothing but the grammar: no actions, so recovery can re-sync freely and the
// rules read like grammar.md, whose EBNF names these rules one for one (test/lang/grammar-doc.test.ts).
// lang/build-ast.ts turns the CST into the AST.
import type { CstNode, IRecognitionException, ILexingError, IToken } from "chevrotain";
import { CstParser, Lexer } from "./chevrotain.ts";
import * as T from "./tokens.ts";

class ScdParser extends CstParser {
  // Closures and alternative arrays handed to OR/MANY/OPTION are built once and reused: built
  // inside a rule body they would be allocated on every invocation, which made a 10,000-line
  // study spend ~40% of its parse in the garbage collector (Chevrotain's own performance advice).
  // The `??=` keeps each one next to the grammar it belongs to.
  // biome-ignore lint/suspicious/noExplicitAny: closures and Chevrotain ALT arrays of differing types, cached by name
  private readonly c: Record<string, any> = {};

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "onlyOffset" });
    this.performSelfAnalysis();
  }

  program = this.RULE("program", () => {
    this.MANY((this.c["program1"] ??= () => this.SUBRULE(this.statement)));
  });

  statement = this.RULE("statement", () => {
    this.OR(
      (this.c["statement1"] ??= [
        { ALT: () => this.SUBRULE(this.experimentDecl) },
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.paramDecl) },
        { ALT: () => this.SUBRULE(this.bindingDecl) },
        { ALT: () => this.SUBRULE(this.stageDecl) },
        { ALT: () => this.SUBRULE(this.sweepDecl) },
      ]),
    );
  });

  experimentDecl = this.RULE("experimentDecl", () => {
    this.CONSUME(T.Experiment);
    this.CONSUME(T.Identifier);
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral);
  });

  paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
    this.OPTION(
      (this.c["paramDecl1"] ??= () => {
        this.CONSUME(T.In);
        this.SUBRULE(this.interval);
      }),
    );
  });

  interval = this.RULE("interval", () => {
    this.OR((this.c["interval1"] ??= [{ ALT: () => this.CONSUME(T.LBracket) }, { ALT: () => this.CONSUME(T.LParen) }]));
    this.SUBRULE(this.expression);
    this.CONSUME(T.Comma);
    this.SUBRULE2(this.expression);
    this.OR2(
      (this.c["interval2"] ??= [{ ALT: () => this.CONSUME(T.RBracket) }, { ALT: () => this.CONSUME2(T.RParen) }]),
    );
  });

  bindingDecl = this.RULE("bindingDecl", () => {
    this.OR(
      (this.c["bindingDecl1"] ??= [
        { ALT: () => this.CONSUME(T.Data) },
        { ALT: () => this.CONSUME(T.Model) },
        { ALT: () => this.CONSUME(T.Let) },
        { ALT: () => this.CONSUME(T.Bench) },
      ]),
    );
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  stageDecl = this.RULE("stageDecl", () => {
    this.CONSUME(T.Stage);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.stageBody);
  });

  stageBody = this.RULE("stageBody", () => {
    this.CONSUME(T.LCurly);
    this.MANY(
      (this.c["stageBody1"] ??= () => {
        this.SUBRULE(this.stageField);
        this.OPTION((this.c["stageBody2"] ??= () => this.CONSUME(T.Semicolon)));
      }),
    );
    this.CONSUME(T.RCurly);
  });

  stageField = this.RULE("stageField", () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  sweepDecl = this.RULE("sweepDecl", () => {
    this.CONSUME(T.Sweep);
    this.SUBRULE(this.expression);
  });

  expression = this.RULE("expression", () => {
    this.SUBRULE(this.additive);
    this.OPTION(
      (this.c["expression1"] ??= () => {
        this.CONSUME(T.DotDot);
        this.SUBRULE2(this.additive);
      }),
    );
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(
      (this.c["additive1"] ??= () => {
        this.OR((this.c["additive2"] ??= [{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]));
        this.SUBRULE2(this.multiplicative);
      }),
    );
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary);
    this.MANY(
      (this.c["multiplicative1"] ??= () => {
        this.OR(
          (this.c["multiplicative2"] ??= [{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]),
        );
        this.SUBRULE2(this.unary);
      }),
    );
  });

  unary = this.RULE("unary", () => {
    this.OR(
      (this.c["unary1"] ??= [
        {
          ALT: () => {
            this.CONSUME(T.Minus);
            this.SUBRULE(this.unary);
          },
        },
        { ALT: () => this.SUBRULE(this.postfix) },
      ]),
    );
  });

  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(
      (this.c["postfix1"] ??= () => {
        this.OR(
          (this.c["postfix2"] ??= [
            {
              ALT: () => {
                this.CONSUME(T.Dot);
                this.CONSUME(T.Name);
              },
            },
            { ALT: () => this.SUBRULE(this.arguments) },
          ]),
        );
      }),
    );
  });

  arguments = this.RULE("arguments", () => {
    this.CONSUME(T.LParen);
    // Items separated by commas, with an optional trailing comma: LL(2) tells `, item` from `, )`.
    this.OPTION(
      (this.c["arguments1"] ??= () => {
        this.SUBRULE(this.argument);
        this.MANY(
          (this.c["arguments2"] ??= () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.argument);
          }),
        );
        this.OPTION2((this.c["arguments3"] ??= () => this.CONSUME2(T.Comma)));
      }),
    );
    this.CONSUME(T.RParen);
  });

  argument = this.RULE("argument", () => {
    this.OPTION(
      (this.c["argument1"] ??= () => {
        this.CONSUME(T.Name);
        this.CONSUME(T.Colon);
      }),
    );
    this.SUBRULE(this.expression);
  });

  primary = this.RULE("primary", () => {
    this.OR(
      (this.c["primary1"] ??= [
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.record) },
        { ALT: () => this.SUBRULE(this.parenthesized) },
      ]),
    );
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    // Items separated by commas, with an optional trailing comma: LL(2) tells `, item` from `, )`.
    this.OPTION(
      (this.c["list1"] ??= () => {
        this.SUBRULE(this.expression);
        this.MANY(
          (this.c["list2"] ??= () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.expression);
          }),
        );
        this.OPTION2((this.c["list3"] ??= () => this.CONSUME2(T.Comma)));
      }),
    );
    this.CONSUME(T.RBracket);
  });

  record = this.RULE("record", () => {
    this.CONSUME(T.LCurly);
    // Items separated by commas, with an optional trailing comma: LL(2) tells `, item` from `, )`.
    this.OPTION(
      (this.c["record1"] ??= () => {
        this.SUBRULE(this.recordField);
        this.MANY(
          (this.c["record2"] ??= () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.recordField);
          }),
        );
        this.OPTION2((this.c["record3"] ??= () => this.CONSUME2(T.Comma)));
      }),
    );
    this.CONSUME(T.RCurly);
  });

  recordField = this.RULE("recordField", () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  parenthesized = this.RULE("parenthesized", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });
}

// One instance of each for the process, built on first use: Chevrotain resets their state for each
// input, building them (the parser's lookahead tables above all, performSelfAnalysis) costs ~40 ms,
// and a text without syntax errors needs neither (scan.ts and direct-parse.ts parse it) — so
// `scdx check` of a clean study never pays for them.
let theParser: ScdParser | undefined;
const parser = (): ScdParser => (theParser ??= new ScdParser());
// "onlyOffset": line and column tracking made lexing ~5× slower (most of a 10,000-line check's
// lexing), and nothing reads them — diagnostics are rendered from offsets (render.ts). The CST's node
// locations need tokens' end offsets, which `place` adds.
let theLexer: InstanceType<typeof Lexer> | undefined;
const lexer = (): InstanceType<typeof Lexer> =>
  (theLexer ??= new Lexer(T.allTokens, { ensureOptimizations: true, positionTracking: "onlyOffset" }));

export interface ParseOutput {
  readonly cst: CstNode;
  readonly tokens: readonly IToken[];
  readonly comments: readonly IToken[];
  readonly lexErrors: readonly ILexingError[];
  readonly parseErrors: readonly IRecognitionException[];
}

/** Moves tokens by `base`: a piece of a file lexed alone (incremental-parse.ts) then carries the
 * offsets of the whole file. */
function place(tokens: IToken[], base: number): void {
  if (base) for (const t of tokens) t.startOffset += base;
}

/** Gives each token its end offset, which the CST parser's node locations read. Only on that
 * path: the direct parser reads the image's length, and a new field on every token of a long
 * study (Chevrotain's tokens have none with offset-only tracking) cost more garbage than the
 * tokens' own strings. */
function withEnds(tokens: IToken[]): void {
  for (const t of tokens) if (t.endOffset === undefined) t.endOffset = t.startOffset + t.image.length - 1;
}

export interface Lexed {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly errors: ILexingError[];
}

/** The tokens and comments of `text`; with `base`, offsets are those of `text` placed at `base`
 * in a longer file. */
export function lexText(text: string, base = 0): Lexed {
  const r = lexer().tokenize(text);
  const comments = r.groups["comments"] ?? [];
  place(r.tokens, base);
  place(comments, base);
  if (base) for (const e of r.errors) e.offset += base;
  return { tokens: r.tokens, comments, errors: r.errors };
}

/** The tokens of `text` and its comments, as the parser sees them (one tokeniser for every view). */
export function tokenize(text: string): { tokens: IToken[]; comments: IToken[] } {
  const { tokens, comments } = lexText(text, 0);
  withEnds(tokens);
  withEnds(comments);
  return { tokens, comments };
}

/** The CST of lexed text. */
export function parseTokens(lexed: Lexed): ParseOutput {
  withEnds(lexed.tokens);
  withEnds(lexed.comments);
  const p = parser();
  p.input = lexed.tokens;
  const cst = p.program();
  return {
    cst,
    tokens: lexed.tokens,
    comments: lexed.comments,
    lexErrors: lexed.errors,
    parseErrors: p.errors,
  };
}

/** The CST of `text`; with `base`, offsets are those of `text` placed at `base` in a longer file. */
export function parseText(text: string, base = 0): ParseOutput {
  return parseTokens(lexText(text, base));
}

/** The rule names, in definition order, for the grammar.md sync test. */
export function ruleNames(): string[] {
  const productions = parser().getGAstProductions();
  return productions instanceof Map
    ? [...(productions as unknown as Map<string, unknown>).keys()]
    : Object.keys(productions);
}
