// Golden diagnostics: each test/fixtures/check/CASE.scd has CASE.errors.txt with its pretty
// diagnostics (colour off) and CASE.short.txt with the one-line form.
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../lang/compile.ts";
import { sourceLookup } from "../../lang/program.ts";
import { renderDiagnostics } from "../../lang/render.ts";
import { golden, repoHost, repoRoot, scdFiles } from "../support/golden.ts";

const dir = path.join(repoRoot, "test/fixtures/check");

function run(file: string, sets: string[] = []) {
  const r = compile(file, repoHost, { sets });
  const look = sourceLookup(r.loaded);
  return {
    r,
    pretty: renderDiagnostics(r.diagnostics, look, { format: "pretty", color: false }),
    short: renderDiagnostics(r.diagnostics, look, { format: "short" }),
  };
}

for (const file of scdFiles(dir)) {
  const name = path.basename(file, ".scd");
  test(`diagnostics of ${name}.scd match the golden files`, () => {
    const { r, pretty, short } = run(file);
    assert.ok(r.diagnostics.length > 0, "every check fixture has mistakes");
    assert.is(r.study, undefined, "no IR for a study with errors");
    golden(path.join(dir, `${name}.errors.txt`), pretty);
    golden(path.join(dir, `${name}.short.txt`), short);
  });
}

test("three independent mistakes are all reported, with their codes and positions", () => {
  const { short } = run(path.join(dir, "three-mistakes.scd"));
  const lines = short.trim().split("\n");
  assert.equal(
    lines.map((l) => l.replace(/^.*?:(\d+:\d+): error (SCD\d+).*$/, "$1 $2")),
    ["9:29 SCD1004", "18:10 SCD2001", "24:27 SCD2006"],
  );
});

test("a trial-specific error names the trial and its param values", () => {
  const { r } = run(path.join(dir, "sweep-k.scd"));
  const k = r.diagnostics.filter((d) => d.code === "SCD2101");
  assert.is(k.length, 1, "one diagnostic for the span, not one per trial");
  assert.match(k[0]!.notes!.join("\n"), /in trial 4 of 5 \(k = 12\), and 1 more trial: 5 \(k = 16\)/);
});

test("--set overrides a param in every trial and merges equal trials", () => {
  const file = path.join(dir, "sweep-k.scd");
  const r = compile(file, repoHost, { sets: ["k=3"] });
  assert.equal(r.diagnostics, []);
  assert.is(r.study!.trials.length, 1);
  assert.is(r.study!.trials[0]!.params["k"], 3);
  const bad = compile(file, repoHost, { sets: ["kk=3"] });
  assert.match(bad.usageErrors[0]!, /no param `kk`; did you mean `k`\?/);
  const range = compile(file, repoHost, { sets: ["k=99"] });
  assert.match(range.diagnostics[0]!.message, /`k` \(from --set\) = 99 is outside its interval \[1, 16\]/);
});

test.run();
