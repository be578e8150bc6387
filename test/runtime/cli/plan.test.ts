// `scdx plan` shows what `scdx run --dry-run` shows: per stage the shared, cached and to-run node
// counts and the memory estimate, ✓/▶ per node in the trial table; and a stage that cannot fit
// the wasm heap is refused by run before anything starts. Every case points --cache at a fresh
// folder, so the developer's own .scdx/cache never changes what these tests see.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scdx } from "../../support/cli.ts";
import { repoRoot } from "../../support/golden.ts";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "scdx-plan-"));
  dirs.push(d);
  return d;
}

/** The trial table as records, stage or param name → cell (`1a2b3c4d ✓`, `1a2b3c4d ▶`, `= trial 1`). */
function trialTable(out: string): Record<string, string>[] {
  const lines = out.split("\n");
  const at = lines.findIndex((l) => l.startsWith("trial "));
  assert.ok(at > 0, out);
  const head = lines[at]!.split(/\s{2,}/);
  const rows: Record<string, string>[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!/^\d/.test(l)) break;
    const cells = l.split(/\s{2,}/);
    assert.is(cells.length, head.length, l);
    rows.push(Object.fromEntries(head.map((h, i) => [h, cells[i]!])));
  }
  return rows;
}

const TO_RUN = /^[0-9a-f]{8} ▶$/,
  CACHED = /^[0-9a-f]{8} ✓$/;

test("plan: shared stages are marked, later trials refer to the first; nothing is cached in an empty cache", async () => {
  const cache = path.join(tmp(), "cache");
  const r = await scdx("plan", "examples/shapes/sweep.scd", "--cache", cache, "--backend", "wasm");
  assert.is(r.code, 0, r.err);
  assert.match(
    r.out,
    /^shapes_ablation: 8 trials \(sweep over lambda × tau\); 27 distinct stages for 48 trial×stage uses \(21 shared\)\n/,
  );
  assert.match(r.out, /\nstage\s+kind\s+nodes\s+trials per node\s+cached\s+to run\s+memory\s+reached by\n/);
  assert.match(r.out, /\nrefine\s+train\s+1\s+8 \(shared\)\s+0\s+1\s+\d+ MiB\s+refine_steps, seed\n/);
  assert.match(r.out, /\ndistill\s+train\s+8\s+1\s+0\s+8\s+\d+ MiB\s/);
  assert.match(r.out, /\nspatial\s+bench unsupervised_segmentation\s+8\s+1\s+0\s+8\s+\d+ MiB\s/);
  const rows = trialTable(r.out);
  assert.is(rows.length, 8);
  assert.match(rows[0]!["refine"]!, TO_RUN);
  for (const row of rows.slice(1)) assert.is(row["refine"], "= trial 1");
  for (const row of rows) assert.match(row["distill"]!, TO_RUN);
  assert.is(new Set(rows.map((row) => row["distill"])).size, 8, "8 distinct distill nodes");
  assert.match(r.out, /\n0 cached \(✓\), 27 to run \(▶\) on wasm; memory is the estimated peak of one stage\.\n$/);
  const j = await scdx("plan", "--json", "--cache", cache, "examples/shapes/sweep.scd");
  assert.is(j.code, 0, j.err);
  assert.is((JSON.parse(j.out) as { trials: unknown[] }).trials.length, 8);
});

test("plan --set shrinks a study without editing it", async () => {
  const r = await scdx("plan", "--json", "--set", "lambda=0.5", "--set", "tau=0.1", "examples/shapes/sweep.scd");
  assert.is(r.code, 0, r.err);
  assert.is((JSON.parse(r.out) as { trials: unknown[] }).trials.length, 1);
});

test("plan: bad --backend is a usage error", async () => {
  const r = await scdx("plan", "--backend", "gpu", "examples/shapes/ci.scd");
  assert.is(r.code, 2);
  assert.match(r.err, /--backend must be one of tensorflow, native, wasm, cpu, got `gpu`/);
});

test("plan after a run of pretrain alone: pretrain cached (✓), everything else to run (▶)", async () => {
  // A copy of the study in its own folder, so the run directory lands there and not in the repo.
  const dir = tmp();
  const file = path.join(dir, "ci.scd");
  copyFileSync(path.join(repoRoot, "examples/shapes/ci.scd"), file);
  const cache = path.join(dir, "cache");
  const set = ["--set", "pretrain_steps=2"];
  const run = await scdx(
    "run",
    file,
    "--only",
    "pretrain",
    ...set,
    "--cache",
    cache,
    "--backend",
    "wasm",
    "--reporter",
    "plain",
    "--jobs",
    "1",
  );
  assert.is(run.code, 0, run.err + run.out);
  const r = await scdx("plan", file, ...set, "--cache", cache, "--backend", "wasm");
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\npretrain\s+train\s+1\s+2 \(shared\)\s+1\s+0\s+\d+ MiB\s/);
  assert.match(r.out, /\nrefine\s+train\s+1\s+2 \(shared\)\s+0\s+1\s/);
  assert.match(r.out, /\ndistill\s+train\s+2\s+1\s+0\s+2\s/);
  const rows = trialTable(r.out);
  assert.equal(
    rows.map((row) => row["lambda"]),
    ["0", "0.5"],
  );
  assert.match(rows[0]!["pretrain"]!, CACHED);
  assert.is(rows[1]!["pretrain"], "= trial 1");
  for (const stage of ["refine", "distill", "teacher_regions", "teacher_spatial", "regions", "spatial"])
    assert.match(rows[0]![stage]!, TO_RUN, stage);
  for (const stage of ["distill", "regions", "spatial"]) assert.match(rows[1]![stage]!, TO_RUN, stage);
  assert.match(r.out, /\n1 cached \(✓\), 9 to run \(▶\) on wasm;/);
  // run --dry-run says the same.
  const dry = await scdx("run", file, ...set, "--cache", cache, "--backend", "wasm", "--dry-run");
  assert.is(dry.code, 0, dry.err);
  assert.is(dry.out, r.out);
});

// CLIP ViT-B/16 trained on 1024 px images at batch 64: (1024/16)² + 1 = 4097 tokens, so one layer's
// attention probabilities alone are 64 × 12 heads × 4097² floats ≈ 48 GiB — far beyond wasm's heap.
const BIG = `experiment big

data train = shapes(images: 64, size: 1024, seed: 1)

model base = clip(arch: vit_b16)

stage pretrain = train(base) {
  data = train
  loss = clip_contrastive()
  optim = adamw(lr: 1e-3)
  steps = 1
  batch = 64
}
`;

test("a stage that cannot fit the wasm heap: run refuses it before anything runs; cpu does not; plan says why", async () => {
  const dir = tmp();
  const file = path.join(dir, "big.scd");
  writeFileSync(file, BIG);
  const cache = path.join(dir, "cache");
  assert.is((await scdx("check", file)).code, 0);
  const wasm = await scdx("run", file, "--dry-run", "--backend", "wasm", "--cache", cache);
  assert.is(wasm.code, 1, wasm.out);
  assert.is(wasm.out, "");
  assert.match(
    wasm.err,
    /^scdx run: 1 stage cannot fit the wasm backend; nothing was run:\n {2}pretrain: needs about (\d+\.\d) GiB \(/,
  );
  // Student activations, from memory.ts's per-layer count (16 floats per token and width, 3 per
  // attention entry) worked out here: 4 B × 12 layers × 64 × (4097 × 768 × 16 + 12 × 4097² × 3).
  const act = 4 * 12 * 64 * (4097 * 768 * 16 + 12 * 4097 ** 2 * 3);
  assert.ok(
    wasm.err.includes(`${(act / 1024 ** 3).toFixed(1)} GiB student activations (batch 64 at 1024 px)`),
    wasm.err,
  );
  assert.match(wasm.err, /the wasm backend's heap holds at most 4\.0 GiB/);
  const needs = Number(/needs about (\d+\.\d) GiB/.exec(wasm.err)![1]);
  assert.ok(
    needs > act / 1024 ** 3 && needs < act / 1024 ** 3 + 4,
    `${needs} GiB: activations plus a few GiB of parameters and AdamW state`,
  );

  const cpu = await scdx("run", file, "--dry-run", "--backend", "cpu", "--cache", cache);
  assert.is(cpu.code, 0, cpu.err);
  assert.match(
    cpu.out,
    new RegExp(`\\npretrain\\s+train\\s+1\\s+1\\s+0\\s+1\\s+${needs.toFixed(1).replace(".", "\\.")} GiB\\s`),
  );

  const plan = await scdx("plan", file, "--backend", "wasm", "--cache", cache);
  assert.is(plan.code, 0, plan.err);
  assert.match(
    plan.out,
    /\n1 stage cannot fit the wasm backend; `scdx run` would refuse:\n {2}pretrain: needs about \d+\.\d GiB/,
  );
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
