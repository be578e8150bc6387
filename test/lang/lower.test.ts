// Lowering: golden IR dumps of every example, and the properties of structural keys.
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../lang/compile.ts";
import { dumpStudy } from "../../lang/ir-dump.ts";
import type { Host } from "../../lang/program.ts";
import { golden, repoHost, repoRoot, scdFiles } from "../support/golden.ts";

const goldenDir = path.join(repoRoot, "test/fixtures/lower");
// Imported-only files (no stage or bench of their own) are not studies.
const studies = scdFiles(path.join(repoRoot, "examples"), true).filter(
  (f) => /^\s*(stage|bench)\s/m.test(fs.readFileSync(f, "utf8")) && !/common\.scd$/.test(f),
);

for (const file of studies) {
  const rel = path.relative(path.join(repoRoot, "examples"), file);
  test(`${rel} checks clean and lowers to its golden graph`, () => {
    const r = compile(file, repoHost);
    assert.equal(
      r.diagnostics.map((d) => `${d.code} ${d.message}`),
      [],
    );
    golden(path.join(goldenDir, rel.replace(/[\\/]/g, "__").replace(/\.scd$/, ".graph.txt")), dumpStudy(r.study!));
  });
}

function memHost(files: Record<string, string>): Host {
  return { readFile: (p) => files[p], display: (p) => p.slice(1) };
}
const base = `
param lambda = 0.5 in [0, 4]
param tau = 0.2 in (0, 1]
data train = shapes(images: 100)
model base = clip(arch: vit_tiny)
stage pretrain = train(base) { data = train; loss = clip_contrastive(); steps = 10 }
let teacher = frozen(pretrain.model)
stage refine = train(refiner(teacher)) { data = train; loss = refiner_ssl(teacher); steps = 10 }
stage distill = train(teacher) {
  trainable = blocks
  data = train
  loss = rla(teacher) + lambda * scd(refine.model, tau: tau)
  steps = 10
}
`;
const keysOf = (text: string, file = "/s.scd") => {
  const r = compile(file, memHost({ [file]: text }), { text });
  assert.equal(r.diagnostics, []);
  return r.study!.trials.map((t) => t.stages);
};

test("the 4×2 λ/τ sweep shares pretrain and refine and has 8 distinct distill nodes", () => {
  const trials = keysOf(base + "sweep grid(lambda: [0, 0.25, 0.5, 1], tau: [0.1, 0.2])");
  assert.is(trials.length, 8);
  assert.is(new Set(trials.map((t) => t["pretrain"])).size, 1);
  assert.is(new Set(trials.map((t) => t["refine"])).size, 1);
  assert.is(new Set(trials.map((t) => t["distill"])).size, 8);
});

test("keys ignore declaration names, file paths and layout", () => {
  const [a] = keysOf(base);
  const renamed = base.replace(/\bteacher\b/g, "frozen_clip").replace(/\btrain\b(?=\s*[;\n}]| =)/g, "train");
  const [b] = keysOf(renamed.replace(/\n\s*/g, "\n"), "/elsewhere/other-name.scd");
  assert.equal(a, b);
});

test("changing an option changes exactly the keys it reaches", () => {
  const [a] = keysOf(base);
  const [b] = keysOf(base.replace("scd(refine.model, tau: tau)", "scd(refine.model, tau: tau, k: 4)"));
  assert.is(a!["pretrain"], b!["pretrain"]);
  assert.is(a!["refine"], b!["refine"]);
  assert.is.not(a!["distill"], b!["distill"]);
  const [c] = keysOf(base.replace("shapes(images: 100)", "shapes(images: 101)"));
  assert.is.not(a!["pretrain"], c!["pretrain"]);
});

test("the seed reaches training and random init but not data; writing a default changes nothing", () => {
  const trials = keysOf(base + "sweep grid(seed: [1, 2])");
  assert.is.not(trials[0]!["pretrain"], trials[1]!["pretrain"]);
  const [a] = keysOf(base);
  const [b] = keysOf(base.replace("scd(refine.model, tau: tau)", "scd(refine.model, tau: tau, k: 7, minmax: true)"));
  assert.is(a!["distill"], b!["distill"], "defaults are filled in before keying");
});

test("term order and checkpoint frequency do not change a stage's key", () => {
  const [a] = keysOf(base);
  const [b] = keysOf(
    base.replace(
      "loss = rla(teacher) + lambda * scd(refine.model, tau: tau)",
      "loss = lambda * scd(refine.model, tau: tau) + rla(teacher)\n  checkpoint_every = 7",
    ),
  );
  assert.is(a!["distill"], b!["distill"]);
});

test("equal trials are one trial", () => {
  assert.is(keysOf(base + "sweep grid(lambda: [0.5, 0.5, 1])").length, 2);
  assert.is(keysOf(base + "sweep [{lambda: 0.5}, {}]").length, 1, "an explicit default equals the default");
});

test.run();
