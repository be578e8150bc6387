// The parser, through the AST: precedence as fully parenthesised prints, spans, and recovery.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { printExpr, type Decl } from "../../lang/ast.ts";
import { parse } from "../../lang/build-ast.ts";

function expr(src: string): string {
  const r = parse(`let x = ${src}`, "t.scd");
  assert.equal(r.diagnostics, [], src);
  const d = r.program.decls[0] as Extract<Decl, { kind: "binding" }>;
  return printExpr(d.value);
}

test("precedence and associativity", () => {
  const cases: [string, string][] = [
    ["a + b * c", "(a + (b * c))"],
    ["a - b - c", "((a - b) - c)"],
    ["a / b * c", "((a / b) * c)"],
    ["-a * b", "((-a) * b)"],
    ["-a.b", "(-a.b)"],
    ["f(x).model", "f(x).model"],
    ["1..n + 1", "(1..(n + 1))"],
    [
      "rla(t, grid: 1..4) + lambda * scd(r.model, tau: tau)",
      "(rla(t, grid: (1..4)) + (lambda * scd(r.model, tau: tau)))",
    ],
    ["[1, 2,]", "[1, 2]"],
    ["{a: 1, b: [x, y]}", "{a: 1, b: [x, y]}"],
    ["f(data: d, model: m)", "f(data: d, model: m)"],
    ["1e-3 + 2.5E+2", "(1e-3 + 2.5E+2)"],
    ['"a\\"b\\n"', '"a\\"b\\n"'],
  ];
  for (const [src, want] of cases) assert.is(expr(src), want, src);
});

test("keywords are fine as field, option and member names", () => {
  const r = parse("stage s = train(m) { data = d; model = x.model }\nlet y = f(data: d, in: 1)", "t.scd");
  assert.equal(r.diagnostics, []);
});

test("spans are half-open offsets of the source", () => {
  const src = "param lambda = 0.5 in [0, 4)";
  const d = parse(src, "t.scd").program.decls[0]!;
  assert.is(d.kind, "param");
  if (d.kind !== "param") return;
  assert.is(src.slice(d.nameSpan.start, d.nameSpan.end), "lambda");
  assert.is(src.slice(d.value.span.start, d.value.span.end), "0.5");
  assert.ok(d.range && d.range.loClosed && !d.range.hiClosed);
});

test("recovery reports independent syntax errors and keeps the good declarations", () => {
  const src =
    "data a = f(1,\nmodel m = clip(arch: vit_tiny)\nlet z = 1 +* 2\nbench b = g(m)\nstage s = train(m) { steps = }\nlet ok = 3";
  const r = parse(src, "t.scd");
  const lines = r.diagnostics.map((d) => src.slice(0, d.span!.start).split("\n").length);
  assert.equal(lines, [2, 3, 5]);
  assert.ok(r.diagnostics.every((d) => d.code === "SCD1004"));
  const names = r.program.decls.map((d) => ("name" in d ? d.name : d.kind));
  assert.ok(names.includes("ok") && names.includes("b"), names.join(","));
});

test("lexical errors: stray characters, unterminated strings and comments, bad escapes", () => {
  const codes = (s: string) => parse(s, "t.scd").diagnostics.map((d) => d.code);
  assert.equal(codes("let a = 1 # 2"), ["SCD1001", "SCD1004"]);
  assert.equal(codes('let a = "abc'), ["SCD1002"]);
  assert.equal(codes("let a = 1 /* open"), ["SCD1003"]);
  assert.equal(codes('let a = "\\q"'), ["SCD1006"]);
  assert.equal(codes("let a = 1e999"), ["SCD1005"]);
});

test.run();
