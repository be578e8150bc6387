// RoIAlign on NHWC feature maps, equal to torchvision.ops.roi_align (adaptive sampling, aligned or
// not) and differentiable with respect to the features. Boxes are data: their sampling weights are
// computed in JS (roi-align-weights.ts), separable into a row matrix Ay and a column matrix Ax per
// box. On wasm and cpu the op can run as two JS kernels that visit only those non-zero weights
// (roi-align-kernel.ts): 2–3× faster on training shapes (perf/roi-align.ts). Elsewhere (tfjs-node,
// GPU backends), and on wasm when the estimate favours it (large boxes on wide features), it is
// expressed with constant weight matrices and matMuls, in one of two ways:
//   dense:     out = D_chunk [R·ow, g·H·W] · F_chunk [g·H·W, C],   D = Ay ⊗ Ax per box
//   separable: T = Ay_chunk [R, g·H] · F_chunk [g·H, W·C]; out = Ax [R, ow, W] ⊛ T [R, W, C]
// with R = boxes·oh and a chunk = g consecutive images. Dense suits small maps (training: 8×8,
// 12×12), separable large ones (evaluation: 64×64), where D would be mostly zeros. One chunk for
// the whole batch wastes flops (each box row also multiplies the other images by zero) but saves
// per-op overhead; planRoiAlign picks strategy and g from a cost model. Nothing dense over B·H·W
// per box is built. The matMul path's gradient is written by hand with pre-transposed weight
// matrices so every product is a non-transposed matMul (notes/tfjs.md §4).
import * as tf from "@tensorflow/tfjs";
import { roiAlignWeights, type RoiSampling } from "./roi-align-weights.ts";
import { roiAlignWithKernels, roiKernelMacs, roiKernelsAvailable, roiTaps } from "./roi-align-kernel.ts";

export type RoiStrategy = "dense" | "separable";

export interface RoiAlignOptions extends RoiSampling {
  /** "kernel": the JS kernels (wasm, cpu only); "matmul": the matMul formulation; default: the cheaper by estimate. */
  readonly impl?: "kernel" | "matmul";
  /** matMul path: force a strategy (default: planRoiAlign's choice). */
  readonly strategy?: RoiStrategy;
  /** matMul path: images per chunk (default: planRoiAlign's choice). */
  readonly imagesPerChunk?: number;
}

export interface RoiPlan {
  readonly strategy: RoiStrategy;
  readonly imagesPerChunk: number;
  /** Estimated wasm seconds (forward, plus backward when `grad`). */
  readonly seconds: number;
}

// Effective wasm costs, fitted to perf/roi-align.ts runs: 2-D matMul flop/s (XNNPACK, small
// operands), batched matMul flop/s (naive loop), per-chunk op overhead, the separable path's extra
// ops, Slice copies (floats/s: wasm's Slice reads its whole input out of the heap, so S slices of
// one tensor copy it S times), and the JS kernels' seconds per multiply-add.
const FAST = 1e10,
  SLOW = 7e8,
  PER_CHUNK = 3e-4,
  SEPARABLE_FIXED = 1e-3,
  COPY = 1.2e9;
export const KERNEL_SECONDS_PER_MAC = 1.9e-9;
/** Entries of one chunk's dense matrix (and its transpose) beyond which dense is not considered. */
const DENSE_MAX = 1 << 22;

/** matMul path: strategy and chunk size minimising the estimated time. */
export function planRoiAlign(
  B: number,
  N: number,
  H: number,
  W: number,
  C: number,
  oh: number,
  ow: number,
  grad = true,
): RoiPlan {
  let best: RoiPlan = { strategy: "separable", imagesPerChunk: 1, seconds: Infinity };
  const passes = grad ? 2 : 1;
  for (let g = 1; g <= B; g++) {
    const chunks = Math.ceil(B / g),
      rowsPerChunk = (N / chunks) * oh;
    const sliceIn = chunks > 1 ? (chunks * B * H * W * C) / COPY : 0;
    const sep =
      (passes * 2 * N * oh * g * H * W * C) / FAST +
      (passes * 2 * N * oh * ow * W * C) / SLOW +
      (chunks * PER_CHUNK * passes) / 2 +
      SEPARABLE_FIXED +
      sliceIn +
      (grad && chunks > 1 ? (chunks * N * oh * W * C) / COPY : 0);
    const dense =
      (passes * 2 * N * oh * ow * g * H * W * C) / FAST +
      (chunks * PER_CHUNK * passes) / 2 +
      sliceIn +
      (grad && chunks > 1 ? (chunks * N * oh * ow * C) / COPY : 0);
    if (sep < best.seconds) best = { strategy: "separable", imagesPerChunk: g, seconds: sep };
    if (dense < best.seconds && rowsPerChunk * ow * g * H * W <= DENSE_MAX)
      best = { strategy: "dense", imagesPerChunk: g, seconds: dense };
  }
  return best;
}

interface Chunk {
  readonly img0: number;
  readonly imgs: number;
  /** Original box indices, in output-row order. */
  readonly boxes: readonly number[];
}

function planChunks(boxIndex: ArrayLike<number>, B: number, g: number): Chunk[] {
  const byImage: number[][] = Array.from({ length: B }, () => []);
  for (let i = 0; i < boxIndex.length; i++) byImage[boxIndex[i]!]!.push(i);
  const chunks: Chunk[] = [];
  for (let img0 = 0; img0 < B; img0 += g) {
    const imgs = Math.min(g, B - img0);
    chunks.push({ img0, imgs, boxes: byImage.slice(img0, img0 + imgs).flat() });
  }
  return chunks;
}

/** A chunk's weights [rows, cols] and, when a gradient may be taken, their transpose. */
interface ChunkMatrix {
  readonly m: Float32Array;
  readonly mT?: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Row weights of a chunk: [boxes·oh, imgs·H], row (k, p), column (image − img0, y). */
function separableMatrix(
  c: Chunk,
  bi: ArrayLike<number>,
  ay: Float32Array,
  H: number,
  oh: number,
  withT: boolean,
): ChunkMatrix {
  const rows = c.boxes.length * oh,
    cols = c.imgs * H;
  const m = new Float32Array(rows * cols),
    mT = withT ? new Float32Array(rows * cols) : undefined;
  c.boxes.forEach((box, k) => {
    const col0 = (bi[box]! - c.img0) * H;
    for (let p = 0; p < oh; p++)
      for (let y = 0; y < H; y++) {
        const w = ay[(box * oh + p) * H + y]!,
          r = k * oh + p;
        m[r * cols + col0 + y] = w;
        if (mT) mT[(col0 + y) * rows + r] = w;
      }
  });
  return { m, mT, rows, cols };
}

/** Full bilinear weights of a chunk: [boxes·oh·ow, imgs·H·W], row (k, p, q), column (image, y, x). */
function denseMatrix(
  c: Chunk,
  bi: ArrayLike<number>,
  ay: Float32Array,
  ax: Float32Array,
  H: number,
  W: number,
  oh: number,
  ow: number,
  withT: boolean,
): ChunkMatrix {
  const rows = c.boxes.length * oh * ow,
    cols = c.imgs * H * W;
  const m = new Float32Array(rows * cols),
    mT = withT ? new Float32Array(rows * cols) : undefined;
  c.boxes.forEach((box, k) => {
    const col0 = (bi[box]! - c.img0) * H * W;
    for (let p = 0; p < oh; p++)
      for (let y = 0; y < H; y++) {
        const wy = ay[(box * oh + p) * H + y]!;
        if (wy === 0) continue;
        for (let q = 0; q < ow; q++) {
          const r = (k * oh + p) * ow + q,
            axRow = (box * ow + q) * W;
          for (let x = 0; x < W; x++) {
            const w = wy * ax[axRow + x]!,
              col = col0 + y * W + x;
            m[r * cols + col] = w;
            if (mT) mT[col * rows + r] = w;
          }
        }
      }
  });
  return { m, mT, rows, cols };
}

/**
 * RoIAlign: `features` [B, H, W, C]; `boxes` [N, 4] as (x0, y0, x1, y1) in feature cells before
 * `spatialScale`; `boxIndex` [N] image of each box. Returns [N, oh, ow, C], box order preserved.
 * Defaults: spatialScale 1, samplingRatio −1 (adaptive), aligned true (CLIPSelf's settings).
 * Box data is read synchronously (dataSync) when given as tensors.
 */
export function roiAlign(
  features: tf.Tensor4D,
  boxes: tf.Tensor2D | ArrayLike<number>,
  boxIndex: tf.Tensor1D | ArrayLike<number>,
  outSize: readonly [number, number],
  opts: RoiAlignOptions = {},
): tf.Tensor4D {
  const [B, H, W, C] = features.shape;
  const [oh, ow] = outSize;
  const bx = boxes instanceof tf.Tensor ? boxes.dataSync() : boxes;
  const bi = boxIndex instanceof tf.Tensor ? boxIndex.dataSync() : boxIndex;
  const N = bi.length;
  if (bx.length !== 4 * N) throw new Error(`roiAlign: ${bx.length / 4} boxes but ${N} box indices`);
  if (!(Number.isInteger(oh) && Number.isInteger(ow) && oh >= 1 && ow >= 1))
    throw new RangeError(`roiAlign: output size ${oh}×${ow}`);
  for (let i = 0; i < N; i++)
    if (!Number.isInteger(bi[i]) || bi[i]! < 0 || bi[i]! >= B)
      throw new RangeError(`roiAlign: box ${i} has image index ${bi[i]}, outside [0, ${B})`);
  if (N === 0) return tf.zeros([0, oh, ow, C]);

  const { ay, ax } = roiAlignWeights(bx, H, W, outSize, opts);
  // Outside any gradient tape (evaluation, frozen teachers) skip the transposes and customGrad.
  const grad = taping();
  const auto = planRoiAlign(B, N, H, W, C, oh, ow, grad);
  const kernels = opts.impl !== "matmul" && roiKernelsAvailable(tf.getBackend());
  if (opts.impl === "kernel" && !kernels) throw new Error(`roiAlign: no JS kernels on backend '${tf.getBackend()}'`);
  if (kernels) {
    // The kernels win on training shapes; the matMul path on large boxes with wide features.
    const taps = roiTaps({ ay, ax }, bi, B, H, W, C, oh, ow);
    const kernelSeconds = roiKernelMacs(taps) * KERNEL_SECONDS_PER_MAC * (grad ? 2 : 1);
    if (opts.impl === "kernel" || kernelSeconds <= auto.seconds) return roiAlignWithKernels(features, taps);
  }

  const strategy = opts.strategy ?? auto.strategy;
  const g = Math.max(1, Math.min(B, opts.imagesPerChunk ?? auto.imagesPerChunk));
  const chunks = planChunks(bi, B, g).filter((c) => c.boxes.length > 0);
  const order = chunks.flatMap((c) => c.boxes);
  const dense = strategy === "dense";
  // F viewed as [B·P, Q]: one row per image row (separable) or per cell (dense).
  const P = dense ? H * W : H,
    Q = dense ? C : W * C;
  const mats = chunks.map((c) =>
    dense ? denseMatrix(c, bi, ay, ax, H, W, oh, ow, grad) : separableMatrix(c, bi, ay, H, oh, grad),
  );
  const m = mats.map((x) => tf.tensor2d(x.m, [x.rows, x.cols]));
  // Column weights repeated for each output row of a box: [N·oh, ow, W] and [N·oh, W, ow].
  const axM = dense ? undefined : columnWeights(order, ax, oh, ow, W, false);
  // Output rows are in chunk order; `pos` maps original box i to its row block, `perm` back.
  const identity = order.every((v, i) => v === i);
  const pos = identity ? undefined : tf.tensor1d(inversePermutation(order), "int32");

  const forward = (f: tf.Tensor4D): tf.Tensor4D => {
    const f2 = tf.reshape(f, [B * P, Q]);
    const ts = chunks.map((c, j) => tf.matMul(m[j]!, tf.slice(f2, [c.img0 * P, 0], [c.imgs * P, Q]))); // [rows, Q]
    const t = ts.length === 1 ? ts[0]! : tf.concat(ts, 0);
    const out: tf.Tensor4D = dense
      ? tf.reshape(t, [N, oh, ow, C])
      : tf.reshape(tf.matMul(axM!, tf.reshape(t, [N * oh, W, C])), [N, oh, ow, C]);
    return pos ? tf.gather(out, pos) : out; // [N, oh, ow, C]
  };
  if (!grad) return forward(features);

  const mT = mats.map((x) => tf.tensor2d(x.mT!, [x.cols, x.rows]));
  const axTM = dense ? undefined : columnWeights(order, ax, oh, ow, W, true);
  const perm = identity ? undefined : tf.tensor1d(order, "int32");
  // tf.grad runs the forward under its own tidy: whatever the backward needs must go through `save`
  // (kept until backprop ends), not merely be captured by the closure.
  const op = tf.customGrad(((f: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const value = forward(f);
    save([...mT, ...(axTM ? [axTM] : []), ...(perm ? [perm] : [])]);
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]): tf.Tensor4D => {
      const mTS = saved.slice(0, chunks.length) as tf.Tensor2D[];
      let k = chunks.length;
      const axTS = axTM ? (saved[k++] as tf.Tensor3D) : undefined;
      const permS = perm ? saved[k++] : undefined;
      const d = permS ? tf.gather(dy, permS) : dy;
      const dt = axTS ? tf.matMul(axTS, tf.reshape(d, [N * oh, ow, C])) : d; // separable: [N·oh, W, C]
      const dt2 = tf.reshape(dt, [-1, Q]);
      const parts: tf.Tensor2D[] = [];
      let img = 0,
        row = 0;
      chunks.forEach((c, j) => {
        if (c.img0 > img) parts.push(tf.zeros([(c.img0 - img) * P, Q]));
        const rows = mats[j]!.rows;
        parts.push(tf.matMul(mTS[j]!, chunks.length === 1 ? dt2 : tf.slice(dt2, [row, 0], [rows, Q]))); // [imgs·P, Q]
        img = c.img0 + c.imgs;
        row += rows;
      });
      if (img < B) parts.push(tf.zeros([(B - img) * P, Q]));
      return tf.reshape(parts.length === 1 ? parts[0]! : tf.concat(parts, 0), [B, H, W, C]);
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad<tf.Tensor4D>>[0]);
  return op(features) as tf.Tensor4D;
}

/** Whether ops are being recorded for a gradient (tf.grad / variableGrads / minimize in progress). */
function taping(): boolean {
  const depth = (tf.engine().state as unknown as { gradientDepth?: number }).gradientDepth;
  return depth === undefined || depth > 0;
}

function columnWeights(
  order: readonly number[],
  ax: Float32Array,
  oh: number,
  ow: number,
  W: number,
  transposed: boolean,
): tf.Tensor3D {
  const R = order.length * oh,
    out = new Float32Array(R * ow * W);
  order.forEach((box, k) => {
    for (let p = 0; p < oh; p++) {
      const r = k * oh + p;
      for (let q = 0; q < ow; q++)
        for (let x = 0; x < W; x++)
          out[transposed ? (r * W + x) * ow + q : (r * ow + q) * W + x] = ax[(box * ow + q) * W + x]!;
    }
  });
  return tf.tensor3d(out, transposed ? [R, W, ow] : [R, ow, W]);
}

function inversePermutation(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((v, i) => {
    inv[v] = i;
  });
  return inv;
}
