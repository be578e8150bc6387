// Did-you-mean fixes are data (span + replacement): applying one must make its diagnostic go away,
// which is what an editor's code action relies on.
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../lang/compile.ts";
import { format } from "../../lang/format.ts";
import { placeholder, sourceOf } from "../../lang/option-fix.ts";
import { repoHost, repoRoot, scdFiles } from "../support/golden.ts";

const dir = path.join(repoRoot, "test/fixtures/check");

test("the fixtures carry the expected fixes", () => {
  const found: string[] = [];
  for (const file of scdFiles(dir)) {
    const r = compile(file, repoHost);
    for (const d of r.diagnostics)
      for (const f of d.fixes ?? []) found.push(`${path.basename(file)} ${d.code} ${f.replacement}`);
  }
  assert.equal(found.sort(), [
    "missing-option.scd SCD2007   arch: vit_tiny,\n",
    'missing-option.scd SCD2007   images: "…",\n  annotations: "…",\n  masks: "…",\n',
    "missing-option.scd SCD2007  arch: vit_tiny",
    "missing-option.scd SCD2007 ,\n  arch: vit_tiny\n",
    "missing-option.scd SCD2007 , arch: vit_tiny",
    'missing-option.scd SCD2007 , images: "…"',
    "missing-option.scd SCD2007 arch: vit_tiny",
    'missing-option.scd SCD2007 images: "…", annotations: "…"',
    "options.scd SCD2005 tau",
    "options.scd SCD2006 hard",
    "sweep-random.scd SCD3001 lambda",
    "sweep-shape.scd SCD3001 lambda",
    "three-mistakes.scd SCD2001 train",
    "types.scd SCD2018 steps",
  ]);
});

test("applying a fix removes its diagnostic", () => {
  let applied = 0;
  for (const file of scdFiles(dir)) {
    const r = compile(file, repoHost);
    const text = r.loaded.main.text;
    for (const d of r.diagnostics) {
      if (d.file !== r.loaded.main.display) continue;
      for (const f of d.fixes ?? []) {
        const fixed = text.slice(0, f.span.start) + f.replacement + text.slice(f.span.end);
        const after = compile(file, repoHost, { text: fixed }).diagnostics;
        // Still there: the same diagnostic where it was (fixes edit at or after its start). A missing
        // option's message lists every option missing, so any SCD2007 left there is one left unfixed.
        const at = (x: typeof d) =>
          x.code === d.code &&
          x.file === d.file &&
          x.span?.start === d.span?.start &&
          (x.message === d.message || d.code === "SCD2007");
        assert.not.ok(after.some(at), `${path.basename(file)}: ${d.code} still reported after "${f.title}"`);
        applied++;
      }
    }
  }
  assert.is(applied, 14);
});

/** `decl = call` is laid out as fmt lays it out, gets one SCD2007 with one fix, and the fixed text
 * is still fmt's layout and checks clean; returns the diagnostic and its fix. */
function fixKeepsLayout(decl: string, call: string) {
  const text = `experiment e\n\n${decl} = ${call}\n`;
  assert.is(format(text, "e.scd").output, text, "the case is laid out as fmt lays it out");
  const file = path.join(repoRoot, "e.scd");
  const d = compile(file, repoHost, { text }).diagnostics;
  assert.is(d.length, 1, "one diagnostic for all the missing options");
  assert.is(d[0]!.code, "SCD2007");
  assert.is(d[0]!.fixes!.length, 1, "one fix");
  const f = d[0]!.fixes![0]!;
  const fixed = text.slice(0, f.span.start) + f.replacement + text.slice(f.span.end);
  assert.is(format(fixed, "e.scd").output, fixed, `fmt moves nothing in:\n${fixed}`);
  assert.equal(compile(file, repoHost, { text: fixed }).diagnostics, [], `a clean check of:\n${fixed}`);
  return { diagnostic: d[0]!, fix: f };
}

test("a missing option's fix keeps a call in the `scdx fmt` layout", () => {
  for (const call of [
    "clip()",
    "clip(width: 64)",
    "clip(\n  width: 64, // a comment keeps it one argument per line\n  layers: 2,\n)",
    "clip(\n  width: 64,\n  /* long */ layers: 2, // a comment\n  // before the parenthesis\n)",
  ])
    fixKeepsLayout("model m", call);
});

test("several missing options: one diagnostic, whose one fix adds them all in the `scdx fmt` layout", () => {
  for (const call of [
    "coco()",
    "coco(size: 64)",
    "coco(\n  size: 64, // a comment keeps it one argument per line\n  limit: 2,\n)",
    "coco_panoptic(\n  min_area: 8,\n  /* long */ size: 64, // a comment\n  // before the parenthesis\n)",
  ]) {
    const { diagnostic, fix } = fixKeepsLayout("data d", call);
    const missing = call.startsWith("coco_panoptic") ? ["images", "annotations", "masks"] : ["images", "annotations"];
    for (const m of missing) assert.match(diagnostic.message, `\`${m}\``);
    for (const m of missing) assert.match(fix.title, `\`${m}: "…"\``);
  }
});

test("a missing option's placeholder: its default, else the least value of its type", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ type: "integer", minimum: 8, default: 224 }, "224"],
    [{ enum: ["cosine", "constant"] }, "cosine"],
    [{ enum: ["ViT-B/16"] }, '"ViT-B/16"'],
    [{ enum: ["data"] }, '"data"'],
    [{ type: "integer", minimum: 8 }, "8"],
    [{ type: "integer", exclusiveMinimum: 0 }, "1"],
    [{ type: "number", exclusiveMinimum: 0, maximum: 0.5 }, "0.5"],
    [{ type: "number" }, "0"],
    [{ type: "number", maximum: -2 }, "-2"],
    [{ type: "string", description: "a path" }, '""'],
    [{ type: "string", minLength: 1, description: "a path that must be given" }, '"…"'],
    [{ type: "boolean" }, "false"],
    [{ type: "array", items: { type: "integer", minimum: 1 }, minItems: 2 }, "[1, 1]"],
    [{ type: "array", items: { enum: ["a", "b"] } }, "[]"],
  ];
  for (const [schema, want] of cases) {
    const e = (schema["enum"] ?? []) as string[];
    assert.is(sourceOf(placeholder(schema as never)!, e), want, JSON.stringify(schema));
  }
});

test.run();
