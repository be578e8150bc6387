// torchvision's roi_align sampling rules, evaluated in plain JS from the box values (boxes are data,
// never differentiated). RoIAlign is separable: a bin's sample grid is a product of row and column
// positions, the outside-the-map test is an OR of a row test and a column test, and bilinear weights
// factor as (row weight)·(column weight). So each box reduces to two small matrices,
//   Ay [oh, H]: row weights of each output row,   Ax [ow, W]: column weights of each output column,
// with out[ph, pw] = Σ_y Σ_x Ay[ph, y]·Ax[pw, x]·F[y, x]; the 1/count average is split 1/gh · 1/gw.
//
// Positions are rounded to float32 at every step, as torchvision computes them in float: the
// adaptive grid size ceil(roi_h / oh) and the integer cell y_low are discontinuous in the position,
// so float64 arithmetic could pick a different grid on boxes whose size is a float32 round-off away
// from a multiple of the output size.

const f32 = Math.fround;

export interface RoiSampling {
  /** Multiplies box coordinates (torchvision's spatial_scale). Default 1. */
  readonly spatialScale?: number;
  /** Samples per bin and axis; ≤ 0 means adaptive, ceil(roi size / output size). Default −1. */
  readonly samplingRatio?: number;
  /** Shift boxes by −0.5 cell (pixel-centre model); when false, roi sizes are clamped to ≥ 1. Default true. */
  readonly aligned?: boolean;
}

/** The number of samples per bin along one axis (torchvision's roi_bin_grid); ≤ 0 means none. */
function axisGrid(
  start: number,
  end: number,
  pooled: number,
  o: Required<RoiSampling>,
): { start: number; bin: number; grid: number } {
  const scale = f32(o.spatialScale),
    off = o.aligned ? 0.5 : 0;
  const s = f32(f32(start * scale) - off);
  const e = f32(f32(end * scale) - off);
  let len = f32(e - s);
  if (!o.aligned) len = Math.max(len, 1);
  const bin = f32(len / pooled);
  const grid = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(bin);
  return { start: s, bin, grid };
}

/**
 * Adds into `out` ([pooled, size] row-major, starting at `at`) the weights of one axis: for output
 * index p, the average over its `grid` samples of the two bilinear taps. Samples beyond [−1, size]
 * contribute nothing but still count in the average, as in torchvision.
 */
function fillAxis(
  a: { start: number; bin: number; grid: number },
  pooled: number,
  size: number,
  out: Float32Array,
  at: number,
): void {
  const inv = 1 / a.grid;
  for (let p = 0; p < pooled; p++) {
    const base = f32(a.start + f32(p * a.bin));
    const row = at + p * size;
    for (let i = 0; i < a.grid; i++) {
      let y = f32(base + f32(f32(f32(i + 0.5) * a.bin) / a.grid));
      if (y < -1 || y > size) continue;
      if (y <= 0) y = 0;
      let lo = Math.trunc(y),
        hi: number;
      if (lo >= size - 1) {
        lo = hi = size - 1;
        y = lo;
      } else hi = lo + 1;
      const ly = f32(y - lo),
        hy = f32(1 - ly);
      out[row + lo] += hy * inv;
      out[row + hi] += ly * inv;
    }
  }
}

export interface RoiWeights {
  /** [N, oh, H]: row weights per box (already divided by the row sample count). */
  readonly ay: Float32Array;
  /** [N, ow, W]: column weights per box. */
  readonly ax: Float32Array;
}

/**
 * Separable RoIAlign weights for N boxes `[x0, y0, x1, y1]` (flat, 4 per box) on an H×W map.
 * A box with an empty sample grid on either axis (zero or negative size when aligned) gets zero
 * weights, i.e. a zero output, as torchvision's loops never run for it.
 */
export function roiAlignWeights(
  boxes: ArrayLike<number>,
  H: number,
  W: number,
  outSize: readonly [number, number],
  opts: RoiSampling = {},
): RoiWeights {
  const o: Required<RoiSampling> = {
    spatialScale: opts.spatialScale ?? 1,
    samplingRatio: opts.samplingRatio ?? -1,
    aligned: opts.aligned ?? true,
  };
  const [oh, ow] = outSize;
  const n = boxes.length / 4;
  const ay = new Float32Array(n * oh * H),
    ax = new Float32Array(n * ow * W);
  for (let b = 0; b < n; b++) {
    const gx = axisGrid(boxes[4 * b]!, boxes[4 * b + 2]!, ow, o);
    const gy = axisGrid(boxes[4 * b + 1]!, boxes[4 * b + 3]!, oh, o);
    if (gx.grid <= 0 || gy.grid <= 0) continue;
    fillAxis(gy, oh, H, ay, b * oh * H);
    fillAxis(gx, ow, W, ax, b * ow * W);
  }
  return { ay, ax };
}
