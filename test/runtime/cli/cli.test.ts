// The CLI as a user meets it: exit codes, help, and each command's output. Most cases call
// main() in-process; two spawn the real binary to prove `bin/scdx.js` works after `npm ci`.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scdx } from "../../support/cli.ts";
import { repoRoot } from "../../support/golden.ts";

test("check: clean example exits 0 and says how many trials", async () => {
  const r = await scdx("check", "examples/shapes/sweep.scd");
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /examples\/shapes\/sweep\.scd: ok — 8 trials/);
});

test("check: errors exit 1 with carets; short format is one line each", async () => {
  const r = await scdx("check", "test/fixtures/check/three-mistakes.scd");
  assert.is(r.code, 1);
  assert.match(r.err, /error\[SCD2001\]: Unknown name `trian`\./);
  assert.match(r.err, /\^+ not declared/);
  const s = await scdx("check", "--format", "short", "test/fixtures/check/three-mistakes.scd");
  assert.is(s.err.trim().split("\n").length, 3);
});

test("check: json format lists diagnostics per file on stdout", async () => {
  const r = await scdx("check", "--format", "json", "test/fixtures/check/shapes.scd");
  assert.is(r.code, 1);
  const j = JSON.parse(r.out) as Record<string, { code: string; line: number }[]>;
  assert.equal(
    j["test/fixtures/check/shapes.scd"]!.map((d) => d.code),
    ["SCD2102", "SCD2103", "SCD2101", "SCD2104", "SCD2106", "SCD2108"],
  );
});

test("check: json format carries a missing option's fix", async () => {
  const r = await scdx("check", "--format", "json", "test/fixtures/check/missing-option.scd");
  assert.is(r.code, 1);
  type Fix = { title: string; span: { start: number; end: number }; replacement: string };
  const j = JSON.parse(r.out) as Record<string, { code: string; line: number; fixes?: Fix[] }[]>;
  const d = j["test/fixtures/check/missing-option.scd"]!.find((x) => x.line === 5)!;
  assert.is(d.code, "SCD2007");
  assert.equal(d.fixes, [
    { title: "Add `arch: vit_tiny`", span: { start: 181, end: 181 }, replacement: ", arch: vit_tiny" },
  ]);
  // two options missing: one diagnostic, one fix adding both
  const both = j["test/fixtures/check/missing-option.scd"]!.filter((x) => x.line === 20);
  assert.equal(
    both.map((x) => [x.code, x.fixes]),
    [
      [
        "SCD2007",
        [
          {
            title: 'Add `images: "…"` and `annotations: "…"`',
            span: { start: 492, end: 492 },
            replacement: 'images: "…", annotations: "…"',
          },
        ],
      ],
    ],
  );
});

test("usage errors exit 2 and point to --help", async () => {
  for (const argv of [
    ["check"],
    ["check", "--nope", "x.scd"],
    ["check", "no/such/file.scd"],
    ["plan", "--trials", "x", "examples/shapes/ci.scd"],
    ["frobnicate"],
    ["check", "--set", "nope=1", "examples/shapes/ci.scd"],
  ]) {
    const r = await scdx(...argv);
    assert.is(r.code, 2, `${argv.join(" ")}: ${r.err}`);
    assert.ok(r.err.length > 0);
    assert.not.match(r.err, /at .*\.ts:\d+/, "no stack trace");
  }
  assert.match((await scdx("chek")).err, /did you mean `check`\?/);
});

test("--help answers for every command", async () => {
  const top = await scdx("--help");
  assert.is(top.code, 0);
  for (const name of ["check", "plan", "graph", "fmt", "doc"]) {
    assert.match(top.out, new RegExp(`\\n  ${name}\\s`));
    const r = await scdx(name, "--help");
    assert.is(r.code, 0);
    assert.match(r.out, new RegExp(`^Usage: scdx ${name}`));
  }
});

test("run: a weights path that does not exist is an error at its option, before anything runs; check lets it pass", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-missing-"));
  try {
    const file = path.join(dir, "m.scd");
    fs.writeFileSync(
      file,
      'experiment m\ndata val = shapes(images: 4)\nmodel t = clip(arch: vit_tiny, weights: "nowhere")\nbench b = unsupervised_segmentation(t, val)\n',
    );
    const r = await scdx("run", file, "--cache", path.join(dir, "cache"), "--reporter", "plain");
    assert.is(r.code, 1);
    assert.match(r.err, "error[SCD2107]: `weights` names a path that does not exist");
    assert.match(r.err, /m\.scd:3:41/);
    assert.not.ok(fs.existsSync(path.join(dir, ".scdx", "runs")), "no run started");
    assert.is((await scdx("check", file)).code, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("graph: dot and mermaid name every node once", async () => {
  const dot = await scdx("graph", "examples/shapes/sweep.scd");
  assert.is(dot.code, 0);
  assert.match(dot.out, /^digraph "shapes_ablation" \{/);
  assert.is((dot.out.match(/\\ntrain train/g) ?? []).length, 9, "1 refine + 8 distill");
  const mm = await scdx("graph", "--format", "mermaid", "examples/shapes/sweep.scd");
  assert.match(mm.out, /^flowchart LR/);
  assert.match(mm.out, /-\. scd\.source \.->/);
});

test("doc: lists components and describes one from the registry", async () => {
  const all = await scdx("doc");
  assert.match(all.out, /scd\s+loss\s+Spatial Correlation Distillation/);
  const scd = await scdx("doc", "scd");
  assert.match(scd.out, /tau\s+number > 0\s+0\.2/);
  assert.match(scd.out, /source\s+model/);
  const train = await scdx("doc", "train");
  assert.match(train.out, /steps\s+integer ≥ 1\s+required/);
  assert.is((await scdx("doc", "sdc")).code, 2);
});

test("fmt: --check reports, fmt rewrites, and a second run changes nothing", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-fmt-"));
  const f = path.join(dir, "a.scd");
  fs.writeFileSync(f, "data   train=shapes( images:10 )  // the data\nmodel m = clip(arch: vit_tiny)\n");
  assert.is((await scdx("fmt", "--check", f)).code, 1);
  assert.is((await scdx("fmt", f)).code, 0);
  assert.is(
    fs.readFileSync(f, "utf8"),
    "data train = shapes(images: 10) // the data\nmodel m = clip(arch: vit_tiny)\n",
  );
  assert.is((await scdx("fmt", "--check", f)).code, 0);
  fs.writeFileSync(f, "data train = shapes(\n");
  const bad = await scdx("fmt", f);
  assert.is(bad.code, 1);
  assert.is(fs.readFileSync(f, "utf8"), "data train = shapes(\n", "a broken file is left alone");
});

test("every example is in the canonical layout", async () => {
  const files = (fs.readdirSync(path.join(repoRoot, "examples"), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".scd"))
    .map((f) => path.join("examples", f));
  assert.ok(files.length >= 10);
  const r = await scdx("fmt", "--check", ...files);
  assert.is(r.code, 0, r.out + r.err);
});

test("the real binary runs from a plain install and honours NO_COLOR", () => {
  const ok = spawnSync(process.execPath, [path.join(repoRoot, "bin/scdx.js"), "check", "examples/shapes/ci.scd"], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  assert.is(ok.status, 0, ok.stderr);
  const bad = spawnSync(
    process.execPath,
    [path.join(repoRoot, "bin/scdx.js"), "check", "test/fixtures/check/options.scd"],
    { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1", FORCE_COLOR: "" } },
  );
  assert.is(bad.status, 1);
  assert.not.match(bad.stderr, /\x1b\[/);
  assert.match(bad.stderr, /did you mean `hard`\?/);
});

test.run();
