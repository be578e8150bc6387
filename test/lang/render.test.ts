import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { lineCol, lookupFrom, renderDiagnostics, renderSummary } from "../../lang/render.ts";

const main = [
  "model teacher = clip()",
  "sweep lambda in [0, 1]",
  "loss = rla(teacher) + lambda * scd(refine.model, tau: 0)",
  "",
].join("\n");
const common = "// shared\nparam tau = 0.2 in (0, 1]\n";
const sources = lookupFrom([
  { file: "x.scd", text: main },
  { file: "common.scd", text: common },
]);
const at = (text: string, needle: string, len = needle.length) => {
  const start = text.indexOf(needle);
  return { start, end: start + len };
};

const tauDiag: Diagnostic = {
  code: "SCD2003",
  severity: "error",
  message: "Option `tau` of `scd` must be > 0, got 0.",
  file: "x.scd",
  span: at(main, "0)", 1),
  label: "must be > 0",
  labels: [{ file: "common.scd", span: at(common, "tau"), message: "declared here" }],
  notes: ["in trial 3 of 8 (lambda = 1, tau = 0)"],
  help: "did you mean `tau`?",
};

test("short output", () => {
  const diags: Diagnostic[] = [
    tauDiag,
    { code: "SCD3009", severity: "error", message: "No sweep named `x`." },
    { code: "SCD1001", severity: "warning", message: "Unused.", file: "x.scd" },
    { code: "SCD1002", severity: "note", message: "Missing file.", file: "gone.scd", span: { start: 3, end: 4 } },
  ];
  assert.is(
    renderDiagnostics(diags, sources, { format: "short" }),
    [
      "x.scd:3:55: error SCD2003: Option `tau` of `scd` must be > 0, got 0.",
      "scdx: error SCD3009: No sweep named `x`.",
      "x.scd: warning SCD1001: Unused.",
      "gone.scd: note SCD1002: Missing file.",
      "",
    ].join("\n"),
  );
  assert.is(renderDiagnostics([], sources, { format: "short" }), "");
});

test("pretty output with a secondary label in another file", () => {
  const out = renderDiagnostics([tauDiag], sources, { format: "pretty", color: false });
  assert.is(
    out,
    `error[SCD2003]: Option \`tau\` of \`scd\` must be > 0, got 0.
 --> x.scd:3:55
  |
3 | loss = rla(teacher) + lambda * scd(refine.model, tau: 0)
  |                                                       ^ must be > 0
  |
 ::: common.scd:2:7
  |
2 | param tau = 0.2 in (0, 1]
  |       --- declared here
  = note: in trial 3 of 8 (lambda = 1, tau = 0)
  = help: did you mean \`tau\`?
`,
  );
});

test("pretty: same-file labels, gaps, multi-line spans, two diagnostics", () => {
  const text = Array.from({ length: 12 }, (_, i) => `line${i + 1} = ${i}`).join("\n");
  const diags: Diagnostic[] = [
    {
      code: "SCD2001",
      severity: "warning",
      message: "Shadowed.",
      file: "y.scd",
      span: at(text, "line12"),
      label: "here",
      labels: [
        { span: at(text, "line1 "), message: "first" },
        { span: at(text, "line2 "), message: "second" },
      ],
    },
    {
      code: "SCD2002",
      severity: "note",
      message: "Spans lines.",
      file: "y.scd",
      span: { start: text.indexOf("= 2"), end: text.indexOf("line5") },
    },
  ];
  const out = renderDiagnostics(diags, lookupFrom([{ file: "y.scd", text }]), { format: "pretty" });
  assert.is(
    out,
    `warning[SCD2001]: Shadowed.
  --> y.scd:12:1
   |
 1 | line1 = 0
   | ------ first
 2 | line2 = 1
   | ------ second
...
12 | line12 = 11
   | ^^^^^^ here

note[SCD2002]: Spans lines.
 --> y.scd:3:7
  |
3 | line3 = 2
  |       ^^^...
`,
  );
});

test("span at end of file points just past the last character", () => {
  for (const text of ["a = 1\nb = 22", "a = 1\nb = 22\n", "a = 1\r\nb = 22\r\n"]) {
    const d: Diagnostic = {
      code: "SCD1003",
      severity: "error",
      message: "Unexpected end of file.",
      file: "e.scd",
      span: { start: text.length, end: text.length },
      label: "expected `)`",
    };
    const src = lookupFrom([{ file: "e.scd", text }]);
    assert.is(
      renderDiagnostics([d], src, { format: "pretty" }),
      `error[SCD1003]: Unexpected end of file.
 --> e.scd:2:7
  |
2 | b = 22
  |       ^ expected \`)\`
`,
    );
    assert.is(renderDiagnostics([d], src, { format: "short" }), "e.scd:2:7: error SCD1003: Unexpected end of file.\n");
  }
});

test("tabs are shown as one space so carets align", () => {
  const text = "\tx =\t\tfoo(1)\n";
  const d: Diagnostic = {
    code: "SCD2004",
    severity: "error",
    message: "Unknown `foo`.",
    file: "t.scd",
    span: at(text, "foo"),
    label: "unknown",
  };
  assert.is(
    renderDiagnostics([d], lookupFrom([{ file: "t.scd", text }]), { format: "pretty" }),
    `error[SCD2004]: Unknown \`foo\`.
 --> t.scd:1:7
  |
1 |  x =  foo(1)
  |       ^^^ unknown
`,
  );
});

test("missing sources and bad spans fall back to a header", () => {
  const diags: Diagnostic[] = [
    {
      code: "SCD2005",
      severity: "error",
      message: "A.",
      file: "gone.scd",
      span: { start: 1, end: 2 },
      label: "x",
      notes: ["n"],
    },
    { code: "SCD2006", severity: "error", message: "B.", file: "x.scd", span: { start: 99999, end: 100000 } },
    { code: "SCD2007", severity: "error", message: "C.", file: "x.scd", span: { start: 4, end: 2 } },
  ];
  const throwing = (f: string) => {
    if (f === "gone.scd") throw new Error("boom");
    return sources(f);
  };
  const out = renderDiagnostics(diags, throwing, { format: "pretty" });
  assert.is(
    out,
    `error[SCD2005]: A.
 --> gone.scd
  = label: x
  = note: n

error[SCD2006]: B.
 --> x.scd

error[SCD2007]: C.
 --> x.scd:1:5
  |
1 | model teacher = clip()
  |     ^
`,
  );
  assert.ok(renderDiagnostics(diags, throwing, { format: "json" }).startsWith("["));
});

test("json fields", () => {
  const out = renderDiagnostics([tauDiag, { code: "SCD3009", severity: "warning", message: "M." }], sources, {
    format: "json",
  });
  assert.ok(out.endsWith("]\n"));
  assert.ok(out.includes('\n  {\n    "code": "SCD2003"'));
  const [a, b] = JSON.parse(out);
  assert.equal(a, {
    code: "SCD2003",
    severity: "error",
    message: tauDiag.message,
    file: "x.scd",
    line: 3,
    col: 55,
    endLine: 3,
    endCol: 56,
    span: tauDiag.span,
    label: "must be > 0",
    labels: [{ file: "common.scd", line: 2, col: 7, endLine: 2, endCol: 10, message: "declared here" }],
    notes: tauDiag.notes,
    help: tauDiag.help,
  });
  assert.equal(b, { code: "SCD3009", severity: "warning", message: "M." });
  assert.is(renderDiagnostics([], sources, { format: "json" }), "[]\n");
});

test("lineCol on LF and CRLF text", () => {
  const lf = "ab\ncd\n\nef";
  assert.equal(lineCol(lf, 0), { line: 1, col: 1 });
  assert.equal(lineCol(lf, 2), { line: 1, col: 3 });
  assert.equal(lineCol(lf, 3), { line: 2, col: 1 });
  assert.equal(lineCol(lf, 6), { line: 3, col: 1 });
  assert.equal(lineCol(lf, 9), { line: 4, col: 3 });
  assert.equal(lineCol(lf, 100), { line: 4, col: 3 });
  assert.equal(lineCol(lf, -5), { line: 1, col: 1 });
  const crlf = "ab\r\ncd\r\nef";
  assert.equal(lineCol(crlf, 2), { line: 1, col: 3 }); // the \r
  assert.equal(lineCol(crlf, 4), { line: 2, col: 1 });
  assert.equal(lineCol(crlf, 5), { line: 2, col: 2 });
  assert.equal(lineCol(crlf, 8), { line: 3, col: 1 });
  assert.equal(lineCol("", 0), { line: 1, col: 1 });
});

test("lineCol is fast on large files", () => {
  const big = Array.from({ length: 10000 }, (_, i) => `let v${i} = ${i}`).join("\n");
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) lineCol(big, Math.floor((big.length * i) / 1000));
  const diags: Diagnostic[] = Array.from({ length: 1000 }, (_, i) => ({
    code: "SCD2000",
    severity: "warning",
    message: "w",
    file: "big.scd",
    span: { start: big.indexOf(`v${i * 10} `), end: big.indexOf(`v${i * 10} `) + 2 },
  }));
  const out = renderDiagnostics(diags, lookupFrom([{ file: "big.scd", text: big }]), { format: "pretty", color: true });
  assert.ok(out.includes("9991 |"));
  assert.equal(lineCol(big, big.indexOf("v9999 ")), { line: 10000, col: 5 });
  assert.ok(performance.now() - t0 < 1000, "too slow");
});

test("colour is controlled by the option", () => {
  const plain = renderDiagnostics([tauDiag], sources, { format: "pretty", color: false });
  const coloured = renderDiagnostics([tauDiag], sources, { format: "pretty", color: true });
  assert.not.ok(plain.includes("\u001b["));
  assert.ok(coloured.includes("\u001b[31m"));
  assert.is(coloured.replace(/\u001b\[[0-9;]*m/g, ""), plain);
});

test("summary", () => {
  assert.is(renderSummary([]), "no problems");
  const e: Diagnostic = { code: "A", severity: "error", message: "" };
  const w: Diagnostic = { code: "B", severity: "warning", message: "" };
  assert.is(renderSummary([e, w, e]), "2 errors, 1 warning");
  assert.is(renderSummary([w]), "1 warning");
  assert.ok(renderSummary([e], { color: true }).includes("\u001b["));
});

test.run();
