// RoIAlign as a pair of small JS kernels (forward gather, backward scatter) for the wasm and cpu
// backends. RoIAlign touches few cells per output bin, so visiting only the non-zero separable
// weights beats dense weight matrices, and it sidesteps two wasm costs: batched matMuls are naive
// loops there, and every Slice copies its whole input out of the heap (readSync), so splitting a
// tensor into S chunks costs S full copies. Kernels read and write the backend's buffers in place
// (wasm: views on the heap, taken after the output is allocated since allocating may move it).
import * as tf from "@tensorflow/tfjs";
import { hasTypedBuffers, runOnBuffers, type TensorInfo } from "../tensor/buffers.ts";
import type { RoiWeights } from "./roi-align-weights.ts";

export const ROI_ALIGN = "ScdxRoiAlign";
export const ROI_ALIGN_GRAD = "ScdxRoiAlignGrad";

/** Non-zero weights per output row / column, CSR-style, plus geometry. Passed to kernels as attrs. */
export interface RoiTaps {
  readonly B: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly N: number;
  readonly oh: number;
  readonly ow: number;
  readonly boxIndex: Int32Array;
  /** Row taps of output row (n, p): yIdx/yW[yOff[n·oh+p] .. yOff[n·oh+p+1]). */
  readonly yOff: Int32Array;
  readonly yIdx: Int32Array;
  readonly yW: Float32Array;
  readonly xOff: Int32Array;
  readonly xIdx: Int32Array;
  readonly xW: Float32Array;
}

function compress(
  w: Float32Array,
  rows: number,
  size: number,
): { off: Int32Array; idx: Int32Array; val: Float32Array } {
  const off = new Int32Array(rows + 1);
  let nnz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nnz++;
  const idx = new Int32Array(nnz),
    val = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < size; j++) {
      const v = w[r * size + j]!;
      if (v !== 0) {
        idx[k] = j;
        val[k] = v;
        k++;
      }
    }
    off[r + 1] = k;
  }
  return { off, idx, val };
}

export function roiTaps(
  weights: RoiWeights,
  boxIndex: ArrayLike<number>,
  B: number,
  H: number,
  W: number,
  C: number,
  oh: number,
  ow: number,
): RoiTaps {
  const N = boxIndex.length;
  const y = compress(weights.ay, N * oh, H),
    x = compress(weights.ax, N * ow, W);
  return {
    B,
    H,
    W,
    C,
    N,
    oh,
    ow,
    boxIndex: Int32Array.from(boxIndex),
    yOff: y.off,
    yIdx: y.idx,
    yW: y.val,
    xOff: x.off,
    xIdx: x.idx,
    xW: x.val,
  };
}

/**
 * Visits every (output offset, input offset, weight) triple; `f` moves C floats. The C loop is
 * unrolled by 4 in the callers (V8 does not vectorise; unrolling gains ~25%).
 */
function visit(t: RoiTaps, f: (out: number, inp: number, w: number) => void): void {
  const { H, W, C, N, oh, ow, boxIndex, yOff, yIdx, yW, xOff, xIdx, xW } = t;
  for (let n = 0; n < N; n++) {
    const b = boxIndex[n]!;
    for (let p = 0; p < oh; p++) {
      const yr = n * oh + p,
        y0 = yOff[yr]!,
        y1 = yOff[yr + 1]!;
      for (let q = 0; q < ow; q++) {
        const o = (yr * ow + q) * C,
          xr = n * ow + q,
          x0 = xOff[xr]!,
          x1 = xOff[xr + 1]!;
        for (let iy = y0; iy < y1; iy++) {
          const rowBase = (b * H + yIdx[iy]!) * W,
            wy = yW[iy]!;
          for (let ix = x0; ix < x1; ix++) f(o, (rowBase + xIdx[ix]!) * C, wy * xW[ix]!);
        }
      }
    }
  }
}

/** dst[d .. d+C) += w · src[s .. s+C) */
function axpy(dst: Float32Array, d: number, src: Float32Array, s: number, w: number, C: number): void {
  const C4 = C - (C % 4);
  let c = 0;
  for (; c < C4; c += 4) {
    dst[d + c] += w * src[s + c]!;
    dst[d + c + 1] += w * src[s + c + 1]!;
    dst[d + c + 2] += w * src[s + c + 2]!;
    dst[d + c + 3] += w * src[s + c + 3]!;
  }
  for (; c < C; c++) dst[d + c] += w * src[s + c]!;
}

export function roiForward(t: RoiTaps, F: Float32Array, out: Float32Array): void {
  out.fill(0);
  visit(t, (o, i, w) => axpy(out, o, F, i, w, t.C));
}

export function roiBackward(t: RoiTaps, dy: Float32Array, dF: Float32Array): void {
  dF.fill(0);
  visit(t, (o, i, w) => axpy(dF, i, dy, o, w, t.C));
}

/** Multiply-adds one forward pass performs: Σ over boxes of (row taps)·(column taps)·C. */
export function roiKernelMacs(t: RoiTaps): number {
  let triples = 0;
  for (let n = 0; n < t.N; n++) {
    const sy = t.yOff[(n + 1) * t.oh]! - t.yOff[n * t.oh]!,
      sx = t.xOff[(n + 1) * t.ow]! - t.xOff[n * t.ow]!;
    triples += sy * sx;
  }
  return triples * t.C;
}

function kernel(
  backendName: string,
  shapeOf: (t: RoiTaps) => number[],
  run: (t: RoiTaps, x: Float32Array, out: Float32Array) => void,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = (inputs as unknown as { x: TensorInfo }).x;
    const taps = (attrs as unknown as { taps: RoiTaps }).taps;
    return runOnBuffers(backendName, backend, [x], [{ shape: shapeOf(taps) }], ([xs], [out]) =>
      run(taps, xs as Float32Array, out!),
    )[0] as never;
  };
}

let gradientRegistered = false;

/** Backends with these kernels; others use the matMul formulation. */
export function roiKernelsAvailable(backendName: string): boolean {
  if (!hasTypedBuffers(backendName)) return false;
  if (!tf.getKernel(ROI_ALIGN, backendName)) {
    tf.registerKernel({
      kernelName: ROI_ALIGN,
      backendName,
      kernelFunc: kernel(backendName, (t) => [t.N, t.oh, t.ow, t.C], roiForward),
    });
    tf.registerKernel({
      kernelName: ROI_ALIGN_GRAD,
      backendName,
      kernelFunc: kernel(backendName, (t) => [t.B, t.H, t.W, t.C], roiBackward),
    });
  }
  if (!gradientRegistered) {
    gradientRegistered = true;
    tf.registerGradient({
      kernelName: ROI_ALIGN,
      gradFunc: (dy, _saved, attrs) => ({
        x: () => tf.engine().runKernel(ROI_ALIGN_GRAD, { x: dy as tf.Tensor }, attrs as never) as tf.Tensor,
      }),
    });
  }
  return true;
}

/** [N, oh, ow, C]; features must be float32 [B, H, W, C] matching `taps`. */
export function roiAlignWithKernels(features: tf.Tensor4D, taps: RoiTaps): tf.Tensor4D {
  const x = features.dtype === "float32" ? features : tf.cast(features, "float32");
  return tf.engine().runKernel(ROI_ALIGN, { x }, { taps } as never) as tf.Tensor4D;
}
