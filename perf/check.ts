// Performance harness for `scdx check` (not a test: it never fails on a time, it only reports).
//   (a) warm in-process `compile` of a generated, clean 10,000-line study      target ≤ 100 ms
//   (b) warm in-process `compile` of a 1,000-trial sweep over design.scd       target ≤ 1 s
//   (c) cold CLI `node bin/scdx.js check examples/shapes/design.scd`          target ≤ 500 ms
//       next to its floor, `node -e 0` (the cost of starting Node at all)
// Medians after warm-up: ≥ 7 runs in process, ≥ 5 spawned processes.
// Run: node --import tsx perf/check.ts      (or npm run perf:check)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileResult } from "../lang/compile.ts";
import type { Host } from "../lang/program.ts";
import { renderDiagnostics } from "../lang/render.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WARMUP = 3,
  RUNS = 9,
  CLI_RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function timeIt(f: () => void, warmup = WARMUP, runs = RUNS): number {
  for (let i = 0; i < warmup; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}
let ok = true;
/** Reports (does not throw) when a workload is not what it claims to be: the times would be meaningless. */
function expect(cond: boolean, what: string, r?: CompileResult): void {
  if (cond) return;
  ok = false;
  console.error(`!! ${what}`);
  if (r) {
    const texts = new Map([...r.loaded.files.values()].map((f) => [f.display, f.text]));
    console.error(
      renderDiagnostics(r.diagnostics.slice(0, 20), (p) => texts.get(p), { format: "pretty", color: false }),
    );
    if (r.usageErrors.length) console.error(r.usageErrors.join("\n"));
  }
}

/** A large study in the style of examples/: blocks of params, data, a model, a pretrain → refine →
 * distill chain with `rla(…) + lambda * scd(…)` losses, and benches. Each block's teacher is the
 * previous block's student, in chains of 8, so names reference each other across blocks. */
function bigStudy(minLines: number): string {
  const out = ["experiment perf_big", "", "data val = shapes(images: 500, size: 64, seed: 2)", ""];
  for (let i = 0; out.length < minLines; i++) {
    const teacher = i % 8 === 0 ? `frozen(pretrain_${i}.model)` : `frozen(distill_${i - 1}.model)`;
    out.push(
      `// block ${i}: λ·SCD with a refined target, its teacher ${i % 8 === 0 ? "pretrained here" : `distilled by block ${i - 1}`}`,
      `param lambda_${i} = ${(i % 9) * 0.5} in [0, 4]`,
      `param tau_${i}    = ${((i % 10) + 1) / 10} in (0, 1]`,
      `param steps_${i}  = ${100 + i} in [1, 100000]`,
      `data train_${i} = shapes(images: ${1000 + i}, size: 64, seed: ${i + 10})`,
      `model base_${i} = clip(arch: vit_tiny)`,
      `stage pretrain_${i} = train(base_${i}) {`,
      `  data  = train_${i}`,
      `  loss  = clip_contrastive()`,
      `  optim = adamw(lr: 1e-3, weight_decay: 0.1, warmup: 100, schedule: cosine)`,
      `  steps = steps_${i}`,
      `  batch = 64`,
      `}`,
      `let teacher_${i} = ${teacher}`,
      `stage refine_${i} = train(refiner(teacher_${i}, depth: 2)) {`,
      `  data  = train_${i}`,
      `  loss  = refiner_ssl(teacher_${i}, tau: 0.2, objective: infonce)`,
      `  optim = adamw(lr: 3e-4, weight_decay: 0.1, warmup: 50, schedule: cosine)`,
      `  steps = steps_${i}`,
      `  batch = 32`,
      `}`,
      `stage distill_${i} = train(teacher_${i}) {`,
      `  trainable = blocks`,
      `  data = train_${i}`,
      `  loss = rla(teacher_${i}, grid: 1..4, max_boxes: 8)`,
      `       + lambda_${i} * scd(refine_${i}.model, tau: tau_${i}, k: 4, minmax: true, divergence: ce, stop_grad: source)`,
      `  optim = adamw(lr: 2e-4, weight_decay: 0.1, warmup: 40, schedule: cosine)`,
      `  steps = steps_${i}`,
      `  batch = 16`,
      `  ensemble = 0.7`,
      `}`,
      `bench regions_${i} = region_classification(distill_${i}.model, val, pool: [box, mask], topk: [1, 5])`,
      `bench spatial_${i} = unsupervised_segmentation(distill_${i}.model, val)`,
      "",
    );
  }
  return out.join("\n") + "\n";
}

const rows: { name: string; ms: number; target: number; peer?: string }[] = [];

// (a) ---------------------------------------------------------------------------------------------
const bigText = bigStudy(10_000);
const bigPath = path.join(root, "perf", "big.scd");
const memHost: Host = {
  readFile: (p) => (p === bigPath ? bigText : undefined),
  display: (p) => path.relative(root, p),
};
const big = compile(bigPath, memHost);
expect(!!big.study && big.diagnostics.length === 0, "the generated study does not check clean", big);
const lines = bigText.split("\n").length - 1;
rows.push({
  name: `(a) compile, generated study, ${lines} lines, ${Object.keys(big.study?.nodes ?? {}).length} nodes`,
  ms: timeIt(() => compile(bigPath, memHost)),
  target: 100,
});

// (b) ---------------------------------------------------------------------------------------------
const designPath = path.join(root, "examples/shapes/design.scd");
const design = fs.readFileSync(designPath, "utf8");
const grid = (xs: number[]) => `[${xs.map((x) => String(+x.toFixed(6))).join(", ")}]`;
const range10 = (f: (i: number) => number) => Array.from({ length: 10 }, (_, i) => f(i));
const sweep = `sweep grid(lambda: ${grid(range10((i) => i * 0.4))}, tau: ${grid(range10((i) => (i + 1) / 10))}, seed: ${grid(range10((i) => i + 1))})`;
const sweptText = design.replace(/^sweep\b[^\n]*(\n[ \t]+[^\n]*)*/m, sweep);
expect(sweptText.includes(sweep), "could not find the sweep of design.scd to replace");
const swept = compile(designPath, undefined, { text: sweptText });
expect(
  swept.study?.trials.length === 1000,
  `the sweep has ${swept.study?.trials.length ?? "no"} trials, not 1000`,
  swept,
);
rows.push({
  name: `(b) compile, design.scd with a ${swept.study?.trials.length ?? "?"}-trial sweep, ${Object.keys(swept.study?.nodes ?? {}).length} nodes`,
  ms: timeIt(() => compile(designPath, undefined, { text: sweptText })),
  target: 1000,
});

// (c) ---------------------------------------------------------------------------------------------
function spawnMs(args: string[]): number {
  const run = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const ms = performance.now() - t0;
    expect(
      r.status === 0,
      `\`node ${args.join(" ")}\` exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    );
    return ms;
  };
  run(); // warm the OS file cache; each run is still a fresh (cold) Node process
  return median(Array.from({ length: CLI_RUNS }, run));
}
const floor = spawnMs(["-e", "0"]);
const cli = spawnMs(["bin/scdx.js", "check", "examples/shapes/design.scd"]);
rows.push({
  name: "(c) cold CLI: node bin/scdx.js check examples/shapes/design.scd",
  ms: cli,
  target: 500,
  peer: `node -e 0: ${floor.toFixed(0)} ms, so ${(cli - floor).toFixed(0)} ms is scdx's own`,
});

// ---- report --------------------------------------------------------------------------------------
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)).padStart(7) + " ms";
console.log(
  `scdx check performance — node ${process.version}, ${process.platform}/${process.arch}; medians of ${RUNS} warm runs (${WARMUP} warm-up), ${CLI_RUNS} processes for (c)\n`,
);
console.log(`${"workload".padEnd(72)} ${"median".padStart(10)} ${"target".padStart(10)}  ratio`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(72)} ${fmt(r.ms)} ${fmt(r.target)}  ${(r.ms / r.target).toFixed(2)}${r.ms > r.target ? "  over target" : ""}`,
  );
  if (r.peer) console.log(`${"".padEnd(4)}peer: ${r.peer}`);
}
if (!ok)
  console.log("\nnote: some workloads were not what they should be (see the messages above); their times mean little.");
