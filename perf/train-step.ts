// Performance harness (not a test): one tiny-ViT training step and one forward pass on tfjs, next to
// the same model and step in PyTorch on CPU (perf/peer_torch.py), both on one thread, in this run.
//   model: batch 16, 64 px, patch 8, width 128, depth 4, 4 heads, MLP 512 (the toy teacher's tower)
//   step:  forward, 1 − cos(embedding, fixed target), backward, AdamW over the image tower
// Target (issue 3): tfjs-wasm step ≤ 4× PyTorch's. Skips the peer with a message when torch is absent.
// Run: node --import tsx perf/train-step.ts [--backend wasm|cpu] [--runs N] [--profile]
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend, type BackendName } from "../stdlib/tensor/backend.ts";
import { encodeImage } from "../stdlib/models/clip.ts";
import { archFromFacts } from "../stdlib/models/clip-arch.ts";
import { clipConfigs } from "../stdlib/models/configs.ts";
import { initClip } from "../stdlib/models/clip-params.ts";
import { adamwInit, adamwStep } from "../stdlib/optim/adamw.ts";
import { l2normalize } from "../stdlib/tensor/nn.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : d;
};
const backend = arg("--backend", "wasm") as BackendName,
  runs = Number(arg("--runs", "10"));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
function timed(f: () => void, warm = 3): number {
  for (let i = 0; i < warm; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

await initBackend(backend);
const p = clipConfigs["vit_tiny"]!;
const arch = {
  ...archFromFacts({
    family: "clip",
    arch: "vit_tiny",
    width: p.width,
    layers: p.layers,
    heads: p.heads,
    patch: p.patch,
    imageSize: p.imageSize,
    embedDim: p.embedDim,
    text: null,
    groups: [],
    defaultTrainable: [],
    frozen: false,
  }),
  text: null,
};
const all = initClip(arch, 0);
const vars: Record<string, tf.Variable> = {};
for (const [k, v] of Object.entries(all))
  if (k.startsWith("vision") || k === "visual_projection.weight") vars[k] = tf.variable(v, true, `perf/${k}`);
const params = { ...all, ...vars };
const state = adamwInit(vars, "perf/adam");
const x = tf.randomNormal([16, 64, 64, 3], 0, 1, "float32", 1);
const target = l2normalize(tf.randomNormal([16, 64], 0, 1, "float32", 2));
const keys = Object.keys(vars);

const step = () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sub(1, tf.mean(tf.sum(tf.mul(l2normalize(encodeImage(params, arch, x)), target), -1))) as tf.Scalar,
      keys.map((k) => vars[k]!),
    );
    const byKey = Object.fromEntries(keys.map((k) => [k, grads[vars[k]!.name]!]));
    adamwStep(vars, byKey, state, { lr: 1e-4, weight_decay: 0.1, betas: [0.9, 0.999], eps: 1e-8 }, 1e-4, () => true);
    value.dataSync();
  });
const forward = () =>
  tf.tidy(() => {
    encodeImage(params, arch, x).dataSync();
  });

const stepMs = timed(step),
  fwdMs = timed(forward);
if (process.argv.includes("--profile")) {
  const prof = await tf.profile(() => {
    step();
  });
  const byKernel = new Map<string, number>();
  for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  console.log(
    "kernel time by op (ms):",
    [...byKernel]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([n, t]) => `${n} ${t.toFixed(1)}`)
      .join(", "),
  );
}
console.log(
  `tfjs-${backend}: step ${stepMs.toFixed(1)} ms (${(16000 / stepMs).toFixed(1)} img/s), forward ${fwdMs.toFixed(1)} ms`,
);

const py = spawnSync("/usr/bin/python3", [path.join(root, "perf", "peer_torch.py"), String(runs)], {
  encoding: "utf8",
});
if (py.status !== 0) {
  console.log(
    `PyTorch peer skipped: ${(py.stderr || py.error?.message || "").trim().split("\n").pop()} (install python3-torch and libopenblas0-pthread)`,
  );
} else {
  const r = JSON.parse(py.stdout.trim().split("\n").pop()!) as {
    torch: string;
    matmul_gflops: number;
    step_ms: number;
    forward_ms: number;
  };
  if (r.matmul_gflops < 30)
    console.log(
      `warning: torch's 1024³ matMul runs at ${r.matmul_gflops.toFixed(1)} GFLOP/s — the reference BLAS; install libopenblas0-pthread for a fair peer`,
    );
  console.log(
    `pytorch ${r.torch} (1024³ matMul ${r.matmul_gflops.toFixed(0)} GFLOP/s, 1 thread): step ${r.step_ms.toFixed(1)} ms, forward ${r.forward_ms.toFixed(1)} ms`,
  );
  console.log(
    `ratio tfjs/pytorch: step ${(stepMs / r.step_ms).toFixed(2)}×, forward ${(fwdMs / r.forward_ms).toFixed(2)}×   (target: step ≤ 4×)`,
  );
}
