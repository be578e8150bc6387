// `scdx lsp` driven over stdio by a real JSON-RPC client (vscode-languageserver-protocol), part 2:
// formatting, diagnostics after edits and their quick fixes, re-checks across imports, symbols and
// semantic tokens (part 1, protocol.test.ts: hover, completion, navigation).
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Diagnostic, TextEdit, WorkspaceEdit } from "vscode-languageserver-protocol";
import { format } from "../../../lang/format.ts";
import { repoRoot } from "../../support/golden.ts";
import { type LspSession, positionOf, startLsp, uriOf } from "../../support/lsp-client.ts";

const SWEEP = "examples/shapes/sweep.scd";
const COMMON = "examples/shapes/common.scd";
const sweepText = fs.readFileSync(path.join(repoRoot, SWEEP), "utf8");
const sweepUri = uriOf(SWEEP);
let s: LspSession;

/** `text` with one LSP edit applied. */
function applyEdit(text: string, e: TextEdit): string {
  const lines = text.split("\n");
  const at = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, at(e.range.start)) + e.newText + text.slice(at(e.range.end));
}

test.before(async () => {
  s = await startLsp();
});
test.after(async () => {
  await s.close();
});

test("an example without mistakes opens with no diagnostics", async () => {
  assert.equal(await s.open(SWEEP), []);
});

test("formatting gives the `scdx fmt` layout, for the document and for a range", async () => {
  const messy = "experiment   m\nparam lambda=0.5 in [0,4]\nparam tau =  0.2\n";
  const uri = uriOf("examples/shapes/messy.scd");
  await s.conn.sendNotification("textDocument/didOpen", {
    textDocument: { uri, languageId: "scd", version: 1, text: messy },
  });
  const whole = await s.request<TextEdit[]>("textDocument/formatting", {
    textDocument: { uri },
    options: { tabSize: 2, insertSpaces: true },
  });
  assert.is(whole.length, 1);
  assert.is(whole[0]!.newText, format(messy, "messy.scd").output);
  assert.is(whole[0]!.newText, "experiment m\nparam lambda = 0.5 in [0, 4]\nparam tau = 0.2\n");
  const part = await s.request<TextEdit[]>("textDocument/rangeFormatting", {
    textDocument: { uri },
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } },
    options: { tabSize: 2, insertSpaces: true },
  });
  assert.equal(part, [
    {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 25 } },
      newText: "param lambda = 0.5 in [0, 4]",
    },
  ]);
  await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
});

test("an edit is re-checked: the diagnostic of `scdx check`, then its quick fix, then none", async () => {
  const broken = sweepText.replace("scd(refine.model", "sdc(refine.model");
  const diags = await s.change(sweepUri, 4, broken);
  assert.is(diags.length, 1);
  const d = diags[0]!;
  assert.is(d.code, "SCD2001");
  assert.is(d.message, "Unknown name `sdc`.\nhelp: did you mean `scd`?");
  assert.equal(d.range, { start: { line: 23, character: 17 }, end: { line: 23, character: 20 } });
  const actions = await s.request<{ title: string; edit: WorkspaceEdit }[]>("textDocument/codeAction", {
    textDocument: { uri: sweepUri },
    range: d.range,
    context: { diagnostics: [d] },
  });
  assert.is(actions.length, 1);
  assert.is(actions[0]!.title, "Replace with `scd`");
  assert.equal(actions[0]!.edit.changes![sweepUri], [{ range: d.range, newText: "scd" }]);
  assert.equal(await s.change(sweepUri, 5, sweepText), []);
});

test("a missing option's quick fix inserts it, and the diagnostic goes", async () => {
  const withClip = sweepText.replace("stage distill", "model extra = clip(width: 64)\n\nstage distill");
  const diags = await s.change(sweepUri, 6, withClip);
  const d = diags.find((x) => x.code === "SCD2007")!;
  assert.ok(d, JSON.stringify(diags));
  assert.is(d.message, "`clip` needs the option `arch`.\nhelp: arch: architecture preset");
  const actions = await s.request<{ title: string; edit: WorkspaceEdit }[]>("textDocument/codeAction", {
    textDocument: { uri: sweepUri },
    range: d.range,
    context: { diagnostics: [d] },
  });
  assert.is(actions.length, 1);
  assert.is(actions[0]!.title, "Add `arch: vit_tiny`");
  const edits = actions[0]!.edit.changes![sweepUri]!;
  assert.equal(edits.length, 1);
  const fixed = applyEdit(withClip, edits[0]!);
  assert.match(fixed, "model extra = clip(width: 64, arch: vit_tiny)\n");
  assert.equal(await s.change(sweepUri, 7, fixed), []);
  assert.equal(await s.change(sweepUri, 8, sweepText), []);
});

test("an edit to an imported file re-checks the open studies importing it", async () => {
  const commonText = fs.readFileSync(path.join(repoRoot, COMMON), "utf8");
  await s.open(COMMON);
  const importer = s.nextDiagnostics(sweepUri);
  await s.change(uriOf(COMMON), 2, commonText.replace("param distill_steps", "param distil_steps"));
  const diags: Diagnostic[] = await importer;
  assert.equal(
    diags.map((d) => [d.code, String(d.message).split("\n")[0]]),
    [["SCD2001", "Unknown name `distill_steps`."]],
  );
  const back = s.nextDiagnostics(sweepUri);
  await s.change(uriOf(COMMON), 3, commonText);
  assert.equal(await back, []);
});

test("an edit re-checks only the studies it reaches: not an unrelated open one", async () => {
  const other = uriOf("examples/coco/scd.scd");
  await s.open("examples/coco/scd.scd");
  const before = s.published.get(other);
  await s.change(sweepUri, 10, sweepText.replace("param tau = 0.2", "param tau = 0.3"));
  await s.request("textDocument/hover", { textDocument: { uri: other }, position: { line: 0, character: 0 } });
  assert.is(s.published.get(other), before, "examples/coco/scd.scd imports nothing of examples/shapes/");
  assert.equal(await s.change(sweepUri, 11, sweepText), []);
});

test("several missing options: one diagnostic, one quick fix inserting them all, then none", async () => {
  const withCoco = sweepText.replace("stage distill", "data extra = coco(size: 64)\n\nstage distill");
  const diags = await s.change(sweepUri, 12, withCoco);
  const missing = diags.filter((x) => x.code === "SCD2007");
  assert.is(missing.length, 1, JSON.stringify(diags));
  const d = missing[0]!;
  assert.match(String(d.message), /^`coco` needs the options `images` and `annotations`\.\n/);
  const actions = await s.request<{ title: string; edit: WorkspaceEdit }[]>("textDocument/codeAction", {
    textDocument: { uri: sweepUri },
    range: d.range,
    context: { diagnostics: [d] },
  });
  assert.is(actions.length, 1);
  assert.is(actions[0]!.title, 'Add `images: "…"` and `annotations: "…"`');
  const edits = actions[0]!.edit.changes![sweepUri]!;
  assert.equal(edits.length, 1);
  const fixed = applyEdit(withCoco, edits[0]!);
  assert.match(fixed, 'data extra = coco(size: 64, images: "…", annotations: "…")\n');
  assert.equal(await s.change(sweepUri, 13, fixed), []);
  assert.equal(await s.change(sweepUri, 14, sweepText), []);
});

test("document symbols outline the declarations", async () => {
  const syms = await s.request<{ name: string; detail: string }[]>("textDocument/documentSymbol", {
    textDocument: { uri: sweepUri },
  });
  assert.equal(
    syms.map((x) => x.name),
    [
      "shapes_ablation",
      "common.scd",
      "lambda",
      "tau",
      "refine",
      "distill",
      "teacher_regions",
      "teacher_spatial",
      "regions",
      "spatial",
      "sweep",
    ],
  );
});

test("semantic tokens classify keywords, components, params and options", async () => {
  const r = await s.request<{ data: number[] }>("textDocument/semanticTokens/full", {
    textDocument: { uri: sweepUri },
  });
  assert.is(r.data.length % 5, 0);
  // decode the tokens of the line `param lambda = 0.5 in [0, 4]`
  let line = 0;
  let ch = 0;
  const onLine: [string, number][] = [];
  const types = [
    "keyword",
    "number",
    "string",
    "comment",
    "function",
    "variable",
    "parameter",
    "property",
    "enumMember",
  ];
  for (let i = 0; i < r.data.length; i += 5) {
    line += r.data[i]!;
    ch = r.data[i]! ? r.data[i + 1]! : ch + r.data[i + 1]!;
    if (line === 7) onLine.push([sweepText.split("\n")[7]!.slice(ch, ch + r.data[i + 2]!), r.data[i + 3]!]);
  }
  assert.equal(
    onLine.map(([t, k]) => `${t}:${types[k]}`),
    ["param:keyword", "lambda:parameter", "0.5:number", "in:keyword", "0:number", "4:number"],
  );
});

test("the server logged no internal error", () => {
  assert.equal(s.errors, []);
});

test.run();
