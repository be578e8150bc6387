// Did-you-mean fixes are data (span + replacement): applying one must make its diagnostic go away,
// which is what an editor's code action relies on.
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../lang/compile.ts";
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
        const at = (x: typeof d) =>
          x.code === d.code && x.message === d.message && x.file === d.file && x.span?.start === f.span.start;
        assert.not.ok(after.some(at), `${path.basename(file)}: ${d.code} still reported after "${f.title}"`);
        applied++;
      }
    }
  }
  assert.is(applied, 6);
});

test.run();
