// `scdx lsp` driven over stdio by a real JSON-RPC client (vscode-languageserver-protocol): the
// examples opened, then hover, completion, definition and rename, with positions and texts asserted
// (part 2, protocol-edits.test.ts: formatting, diagnostics after edits, quick fixes, symbols, tokens).
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CompletionItem, Hover, Location, WorkspaceEdit } from "vscode-languageserver-protocol";
import { describeComponent } from "../../../runtime/lsp/describe.ts";
import { registry } from "../../../stdlib/registry.ts";
import { repoRoot } from "../../support/golden.ts";
import { type LspSession, positionOf, startLsp, uriOf } from "../../support/lsp-client.ts";

const SWEEP = "examples/shapes/sweep.scd";
const COMMON = "examples/shapes/common.scd";
const sweepText = fs.readFileSync(path.join(repoRoot, SWEEP), "utf8");
const sweepUri = uriOf(SWEEP);
let s: LspSession;

test.before(async () => {
  s = await startLsp();
});
test.after(async () => {
  await s.close();
});

const hover = async (needle: string, n = 0, delta = 1) =>
  (await s.request<Hover | null>("textDocument/hover", {
    textDocument: { uri: sweepUri },
    position: positionOf(sweepText, needle, n, delta),
  })) as { contents: { kind: string; value: string } } | null;
const complete = (text: string, needle: string, delta: number, uri = sweepUri) =>
  s.request<CompletionItem[]>("textDocument/completion", {
    textDocument: { uri },
    position: positionOf(text, needle, 0, delta),
  });

test("an example without mistakes opens with no diagnostics", async () => {
  assert.equal(await s.open(SWEEP), []);
});

test("hover on a component shows the `scdx doc` text", async () => {
  const h = await hover("scd(refine");
  assert.is(h?.contents.kind, "markdown");
  assert.is(h?.contents.value, "```\n" + describeComponent(registry.get("scd")!, false).trimEnd() + "\n```");
});

test("hover on an option shows its type, default and doc", async () => {
  const h = await hover("tau: tau");
  assert.is(
    h?.contents.value,
    "**tau** — option of `scd`\n\ntype: `number > 0`  \ndefault: `0.2`\n\nsoftmax temperature τ",
  );
});

test("hover on a param shows its default, interval and the sweep's values", async () => {
  const v = (await hover("lambda *"))!.contents.value;
  assert.ok(v.startsWith("```\nparam lambda = 0.5 in [0, 4]\n```"), v);
  assert.match(v, "default: `0.5`");
  assert.match(v, "interval: `[0, 4]`");
  assert.match(v, "swept: `0`, `0.25`, `0.5`, `1` (8 trials)");
});

test("hover on an imported param names its file; on a stage, its checked facts", async () => {
  const p = (await hover("refine_steps"))!.contents.value;
  assert.match(p, "declared in `examples/shapes/common.scd`");
  assert.match(p, "interval: `[1, 100000]`");
  const st = (await hover("stage distill", 0, 7))!.contents.value;
  assert.match(st, "- arch: `vit_tiny`");
  assert.match(st, "- width: `128`");
  assert.match(st, "- grid: `8×8`");
  assert.match(st, "- trains: `blocks`");
  assert.match(st, "`steps = 400`, `batch = 16`");
  assert.match(st, "- tokens: `[B=16, 1+h*w=65, D=128]`");
});

test("hover on an enum symbol lists the enumeration; nothing on a comment", async () => {
  const h = await hover("objective: infonce", 0, 13);
  assert.is(h?.contents.value, "`infonce`: a value of option `objective` of `refiner_ssl` (infonce | cosine)");
  assert.is(await hover("// Same Refiner", 0, 4), null);
});

test("completion in a call offers the options not given yet, with type and default", async () => {
  const items = await complete(sweepText, "tau: tau, ", 10);
  const byLabel = new Map(items.map((i) => [i.label, i]));
  assert.is(byLabel.get("direction")?.detail, "source_to_student | student_to_source = source_to_student");
  for (const given of ["tau", "k", "minmax", "divergence", "stop_grad"])
    assert.not.ok(byLabel.get(given)?.kind === 10, `${given} is given already`);
  assert.ok(byLabel.has("teacher"), "declared names may stand as inputs");
  assert.not.ok(byLabel.has("source"), "the input `source` is given by position (refine.model)");
});

test("completion of an enum option's value offers its symbols first", async () => {
  const items = await complete(sweepText, "objective: infonce", 11);
  assert.equal(
    items.slice(0, 2).map((i) => i.label),
    ["infonce", "cosine"],
  );
});

test("completion offers keywords at a line start, `model` after a stage and snippets for components", async () => {
  const text = `${sweepText}\nbench x = region_classification(refine.`;
  await s.change(sweepUri, 2, text);
  const member = await complete(text, "refine.", 7, sweepUri);
  assert.equal(
    member.map((i) => i.label),
    ["model"],
  );
  const kw = await complete(sweepText, "\nparam lambda", 1);
  assert.ok(["param", "stage", "sweep", "import"].every((k) => kw.some((i) => i.label === k && i.kind === 14)));
  const vals = await complete(sweepText, "teacher_spatial = ", 18);
  const refiner = vals.find((i) => i.label === "refiner");
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an LSP snippet, not a template
  assert.is(refiner?.insertText, "refiner(${1:base})$0");
  assert.is(refiner?.insertTextFormat, 2);
  await s.change(sweepUri, 3, sweepText);
});

test("completion in a sweep's grid offers the params not swept yet; in a stage body, the fields not written", async () => {
  const grid = await complete(sweepText, "sweep grid(", 11);
  assert.equal(
    grid.map((i) => i.label).sort(),
    ["distill_steps", "refine_steps", "seed"],
    "lambda and tau are swept already",
  );
  const fields = await complete(sweepText, "  steps = distill_steps", 0);
  const labels = fields.map((i) => i.label);
  assert.ok(labels.includes("checkpoint_every"), labels.join());
  assert.not.ok(labels.includes("steps"), "`steps` is already written");
  const groups = await complete(sweepText, "trainable = blocks", 12);
  assert.equal(
    groups.map((i) => i.label),
    ["all", "blocks", "image", "text"],
  );
});

test("definition of an imported name is its declaration in the imported file", async () => {
  const loc = await s.request<Location>("textDocument/definition", {
    textDocument: { uri: sweepUri },
    position: positionOf(sweepText, "refine_steps", 0, 3),
  });
  assert.equal(loc, {
    uri: uriOf(COMMON),
    range: { start: { line: 7, character: 6 }, end: { line: 7, character: 18 } },
  });
  const imp = await s.request<Location>("textDocument/definition", {
    textDocument: { uri: sweepUri },
    position: positionOf(sweepText, '"common.scd"', 0, 3),
  });
  assert.is(imp.uri, uriOf(COMMON));
});

test("rename across imports edits the declaration and every use in the studies that see it", async () => {
  const pos = positionOf(sweepText, "teacher,", 0, 2);
  const range = await s.request("textDocument/prepareRename", { textDocument: { uri: sweepUri }, position: pos });
  assert.equal(range, { start: { line: 11, character: 29 }, end: { line: 11, character: 36 } });
  const edit = await s.request<WorkspaceEdit>("textDocument/rename", {
    textDocument: { uri: sweepUri },
    position: pos,
    newName: "clip_teacher",
  });
  const common = edit.changes![uriOf(COMMON)]!;
  assert.equal(
    common.map((e) => e.range.start),
    [{ line: 24, character: 4 }],
  );
  assert.is(edit.changes![sweepUri]!.length, 6);
  assert.ok(edit.changes![uriOf("examples/shapes/scd.scd")]!.length > 0, "another importer is renamed too");
  assert.ok(Object.values(edit.changes!).every((es) => es.every((e) => e.newText === "clip_teacher")));
  // applied, the study has no mistakes: every use was found
  let text = sweepText;
  for (const e of [...edit.changes![sweepUri]!].sort(
    (a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character,
  )) {
    const lines = text.split("\n");
    const l = lines[e.range.start.line]!;
    lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
    text = lines.join("\n");
  }
  assert.match(text, "refiner(clip_teacher, depth: 2)");
  const refused = await s
    .request("textDocument/rename", { textDocument: { uri: sweepUri }, position: pos, newName: "stage" })
    .then(
      () => "accepted",
      (e: Error) => e.message,
    );
  assert.is(refused, "`stage` is not a name a declaration can have.");
  assert.is(
    await s.request("textDocument/prepareRename", {
      textDocument: { uri: sweepUri },
      position: positionOf(sweepText, "scd(refine", 0, 1),
    }),
    null,
  );
});

test("the server logged no internal error", () => {
  assert.equal(s.errors, []);
});

test.run();
