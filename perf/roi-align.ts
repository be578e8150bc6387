// Timing of roiAlign forward + backward on the training shapes, and forward on evaluation shapes
// (not a test: it only reports medians). Boxes are CLIPSelf-style grid cells, 20 per image.
// Times the JS kernels and the matMul path (with its planned strategy); roiAlign's default picks the
// cheaper by estimate. --sweep also times
// every matMul strategy and chunk size (for planRoiAlign's constants).
// Run: node --import tsx perf/roi-align.ts [wasm|cpu] [--sweep]
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendName } from "../stdlib/tensor/backend.ts";
import { roiAlign, planRoiAlign, type RoiAlignOptions } from "../stdlib/ops/roi-align.ts";
import { mulberry32 } from "../stdlib/tensor/random.ts";

const backend = (process.argv[2] ?? "wasm") as BackendName;
const sweep = process.argv.includes("--sweep");

function gridBoxes(
  B: number,
  H: number,
  W: number,
  perImage: number,
  seed: number,
): { boxes: number[]; index: number[] } {
  const rand = mulberry32(seed),
    boxes: number[] = [],
    index: number[] = [];
  for (let b = 0; b < B; b++) {
    const m = 1 + Math.floor(rand() * 6),
      n = 1 + Math.floor(rand() * 6);
    const cells = Array.from({ length: m * n }, (_, i) => i)
      .sort(() => rand() - 0.5)
      .slice(0, perImage);
    for (const c of cells) {
      const r = Math.floor(c / n),
        q = c % n;
      boxes.push((q * W) / n, (r * H) / m, ((q + 1) * W) / n, ((r + 1) * H) / m);
      index.push(b);
    }
    // CLIPSelf draws up to 20 cells; pad with random sub-boxes so every image has `perImage`
    while (index.length < (b + 1) * perImage) {
      const x0 = rand() * W * 0.8,
        y0 = rand() * H * 0.8;
      boxes.push(x0, y0, x0 + 1 + rand() * (W - x0 - 1), y0 + 1 + rand() * (H - y0 - 1));
      index.push(b);
    }
  }
  return { boxes, index };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(f: () => void, runs = 9): number {
  for (let i = 0; i < 2; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function fwdBwd(shape: [number, number, number, number], k: number, o: RoiAlignOptions = {}): number {
  const [B, H, W] = shape;
  const feats = tf.variable(tf.randomNormal(shape)) as tf.Variable<tf.Rank.R4>;
  const { boxes, index } = gridBoxes(B, H, W, 20, 1);
  const ms = time(() =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(roiAlign(feats, boxes, index, [k, k], o))));
      grads[feats.name]!.dataSync();
    }),
  );
  feats.dispose();
  return ms;
}

function fwd(shape: [number, number, number, number], k: number, perImage: number, o: RoiAlignOptions = {}): number {
  const [B, H, W] = shape;
  const feats = tf.randomNormal(shape) as tf.Tensor4D;
  const { boxes, index } = gridBoxes(B, H, W, perImage, 2);
  const ms = time(
    () =>
      tf.tidy(() => {
        roiAlign(feats, boxes, index, [k, k], o).dataSync();
      }),
    5,
  );
  feats.dispose();
  return ms;
}

await initBackend(backend);
console.log(`backend ${backend}; medians in ms`);
for (const [shape, ks] of [
  [
    [16, 8, 8, 64],
    [1, 4, 8],
  ],
  [
    [16, 12, 12, 128],
    [1, 4, 8],
  ],
] as const) {
  for (const k of ks) {
    const plan = planRoiAlign(shape[0], 20 * shape[0], shape[1], shape[2], shape[3], k, k, true);
    let line = `fwd+bwd [${shape}] 20 boxes/img out ${k}×${k}: kernels ${fwdBwd([...shape], k, { impl: "kernel" }).toFixed(2)}, matMul ${fwdBwd([...shape], k, { impl: "matmul" }).toFixed(2)} (${plan.strategy}, chunk ${plan.imagesPerChunk})`;
    if (sweep)
      for (const strategy of ["dense", "separable"] as const)
        line +=
          `\n  ${strategy} ` +
          [1, 2, 4, 8, 16]
            .map((c) => `${c}:${fwdBwd([...shape], k, { impl: "matmul", strategy, imagesPerChunk: c }).toFixed(1)}`)
            .join(" ");
    console.log(line);
  }
}
for (const [shape, k, n] of [
  [[1, 64, 64, 512], 1, 100],
  [[1, 64, 64, 512], 8, 100],
  [[4, 64, 64, 512], 1, 100],
] as const)
  console.log(
    `fwd [${shape}] ${n} boxes/img out ${k}×${k}: kernels ${fwd([...shape], k, n, { impl: "kernel" }).toFixed(1)}, matMul ${fwd([...shape], k, n, { impl: "matmul" }).toFixed(1)} (${JSON.stringify(planRoiAlign(shape[0], n * shape[0], shape[1], shape[2], shape[3], k, k, false))})`,
  );
