// Bicubic resizing, once for the whole project, in plain JS on HWC Uint8Array/Float32Array images.
//
// Two kernels, because the reference code uses two:
//  - antialias = false: torch `F.interpolate(mode="bicubic", align_corners=False)`: Keys cubic with
//    A = −0.75, 4 taps at src = (dst + 0.5)·in/out − 0.5, out-of-range taps clamped to the border.
//    Used for float tensors: position-embedding grids, panoptic masks (torchvision's tensor path).
//  - antialias = true: PIL's BICUBIC resize (= torch `antialias=True`): Keys cubic with a = −0.5,
//    support 2·max(in/out, 1) so downscaling averages, taps cut at the border and renormalised.
//    CLIP/CLIPSelf preprocess PIL images this way.
//
// Rounding. PIL works on uint8: fixed-point weights (22 fraction bits), horizontal pass first,
// rounding and clamping to uint8 after EACH pass. `resizeImageU8` reproduces that bit for bit, so
// model inputs built from it equal CLIPSelf's (PIL → ToTensor → Normalize) exactly. `resizeImage`
// is the float version (torch on float tensors: no rounding, no clamping; bicubic over- and
// undershoots, so values can leave [0, 255]).

export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface BicubicOptions {
  /** PIL / torch antialias=True kernel (a = −0.5, widened support); default false (torch's plain bicubic). */
  readonly antialias?: boolean;
}

/** Sparse 1-D resampling: output i reads inputs start[i] .. start[i]+count[i]−1 with weights w[i·k + j]. */
export interface Taps {
  readonly inSize: number;
  readonly outSize: number;
  /** Stride of `weights` per output. */
  readonly k: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array;
}

function checkSizes(inSize: number, outSize: number): void {
  if (!Number.isInteger(inSize) || !Number.isInteger(outSize) || inSize < 1 || outSize < 1)
    throw new RangeError(`bicubic resize needs positive integer sizes, got ${inSize} → ${outSize}`);
}

// Keys' cubic convolution kernel for a = −0.5 in PIL's operation order: the fixed-point weights of resizeImageU8
// round w·2²², so even the last bit of the double must be PIL's.
function keysPil(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function plainTaps(inSize: number, outSize: number): Taps {
  const k = 4,
    start = new Int32Array(outSize),
    count = new Int32Array(outSize),
    weights = new Float64Array(outSize * k);
  // torch (CPU, float tensors) keeps the scale in float32, the source position in double, and the
  // fraction t and the weights in float32; mimicking that matches it to the last bit or two, where
  // plain double arithmetic is off by ~1e-6.
  const f = Math.fround,
    scale = f(inSize / outSize),
    A = -0.75;
  const cubic = (x: number) =>
    f(
      Math.abs(x) < 1
        ? f(f(f(f(f(A + 2) * x) - f(A + 3)) * x) * x) + 1
        : f(f(f(f(f(f(A * x) - f(5 * A)) * x) + f(8 * A)) * x) - f(4 * A)),
    );
  for (let i = 0; i < outSize; i++) {
    const src = scale * (i + 0.5) - 0.5; // no clamp at 0 for cubic (area_pixel_compute_source_index)
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const t = Math.min(Math.max(f(src - i0), 0), 1);
    const c = [cubic(f(t + 1)), cubic(t), cubic(f(1 - t)), cubic(f(f(1 - t) + 1))];
    // Clamped border taps land on the same pixel: merge them so each output reads a contiguous run.
    const lo = Math.max(0, Math.min(inSize - 1, i0 - 1)),
      hi = Math.max(0, Math.min(inSize - 1, i0 + 2));
    start[i] = lo;
    count[i] = hi - lo + 1;
    for (let j = 0; j < 4; j++) {
      const idx = Math.max(0, Math.min(inSize - 1, i0 - 1 + j));
      weights[i * k + idx - lo] += c[j];
    }
  }
  return { inSize, outSize, k, start, count, weights };
}

function antialiasTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize,
    filterScale = Math.max(scale, 1),
    support = 2 * filterScale,
    inv = 1 / filterScale;
  const k = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize),
    count = new Int32Array(outSize),
    weights = new Float64Array(outSize * k);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // C casts truncate; both bounds are ≥ 0 after the max, where truncation is floor.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const w = keysPil((j + lo - center + 0.5) * inv);
      weights[i * k + j] = w;
      total += w;
    }
    if (total !== 0) for (let j = 0; j < n; j++) weights[i * k + j] /= total;
    start[i] = lo;
    count[i] = n;
  }
  return { inSize, outSize, k, start, count, weights };
}

export function bicubicTaps(inSize: number, outSize: number, opts: BicubicOptions = {}): Taps {
  checkSizes(inSize, outSize);
  return opts.antialias ? antialiasTaps(inSize, outSize) : plainTaps(inSize, outSize);
}

/** Dense row-major [outSize, inSize] matrix W with out = W · in along one axis. */
export function bicubicWeights(inSize: number, outSize: number, opts: BicubicOptions = {}): Float32Array {
  const t = bicubicTaps(inSize, outSize, opts),
    W = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++)
    for (let j = 0; j < t.count[i]; j++) W[i * inSize + t.start[i] + j] = t.weights[i * t.k + j];
  return W;
}

type Pixels = Uint8Array | Float32Array;

/**
 * Float bicubic resize of an HWC image (torch semantics on float input: no rounding or clamping).
 * Uint8 input is read as its values 0..255.
 */
export function resizeImage(
  img: Pixels,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  opts: BicubicOptions = {},
): Float32Array {
  if (img.length !== h * w * c) throw new RangeError(`resizeImage: ${img.length} values for ${h}×${w}×${c}`);
  const tx = bicubicTaps(w, ow, opts),
    ty = bicubicTaps(h, oh, opts);
  const tmp = new Float32Array(h * ow * c); // horizontal pass first, as PIL
  for (let y = 0; y < h; y++) {
    const row = y * w * c,
      orow = y * ow * c;
    for (let x = 0; x < ow; x++) {
      const s = tx.start[x],
        n = tx.count[x],
        wo = x * tx.k;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += img[row + (s + j) * c + ch] * tx.weights[wo + j];
        tmp[orow + x * c + ch] = acc;
      }
    }
  }
  const out = new Float32Array(oh * ow * c),
    rowLen = ow * c;
  for (let y = 0; y < oh; y++) {
    const s = ty.start[y],
      n = ty.count[y],
      wo = y * ty.k,
      orow = y * rowLen;
    for (let j = 0; j < n; j++) {
      const wgt = ty.weights[wo + j],
        irow = (s + j) * rowLen;
      for (let i = 0; i < rowLen; i++) out[orow + i] += tmp[irow + i] * wgt;
    }
  }
  return out;
}

const PRECISION_BITS = 22; // PIL: 32 − 8 − 2 bits, so 255·Σ|w|·2²² stays inside an int32

// PIL's fixed-point weights: each normalised weight × 2²², rounded half away from zero.
function fixedWeights(t: Taps): Int32Array {
  const out = new Int32Array(t.weights.length),
    one = 1 << PRECISION_BITS;
  for (let i = 0; i < out.length; i++) {
    const v = t.weights[i] * one;
    out[i] = v < 0 ? Math.trunc(v - 0.5) : Math.trunc(v + 0.5);
  }
  return out;
}

// PIL's clip8: floor(acc / 2²²) clamped to 0..255. |acc| < 2³¹ by PIL's choice of 22 bits, so the
// arithmetic shift (which floors negatives too) is exact.
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : Math.min(v, 255);
}

// One horizontal pass (rows of w pixels → ow pixels), 8-bit in and out, any channel count.
function horizontalU8(src: Uint8Array, h: number, w: number, c: number, ow: number): Uint8Array {
  const tx = bicubicTaps(w, ow, { antialias: true }),
    kx = fixedWeights(tx),
    k = tx.k;
  const out = new Uint8Array(h * ow * c),
    half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    let o = y * ow * c;
    for (let x = 0; x < ow; x++) {
      const n = tx.count[x],
        wo = x * k;
      let p = row + tx.start[x] * c;
      if (c === 3) {
        // the common case, unrolled: three accumulators share one pass over the taps
        let r = half,
          g = half,
          b = half;
        for (let j = 0; j < n; j++, p += 3) {
          const q = kx[wo + j];
          r += src[p] * q;
          g += src[p + 1] * q;
          b += src[p + 2] * q;
        }
        out[o++] = clip8(r);
        out[o++] = clip8(g);
        out[o++] = clip8(b);
      } else {
        for (let ch = 0; ch < c; ch++) {
          let acc = half;
          for (let j = 0; j < n; j++) acc += src[p + j * c + ch] * kx[wo + j];
          out[o++] = clip8(acc);
        }
      }
    }
  }
  return out;
}

// One vertical pass (h rows → oh rows of rowLen bytes): whole rows at a time, which reads memory in order.
function verticalU8(src: Uint8Array, h: number, rowLen: number, oh: number): Uint8Array {
  const ty = bicubicTaps(h, oh, { antialias: true }),
    ky = fixedWeights(ty);
  const out = new Uint8Array(oh * rowLen),
    acc = new Int32Array(rowLen),
    half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < oh; y++) {
    const s = ty.start[y],
      n = ty.count[y],
      wo = y * ty.k;
    acc.fill(half);
    for (let j = 0; j < n; j++) {
      const wgt = ky[wo + j],
        irow = (s + j) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += src[irow + i] * wgt; // partial sums stay inside int32 (PIL's bound)
    }
    const orow = y * rowLen;
    for (let i = 0; i < rowLen; i++) out[orow + i] = clip8(acc[i]);
  }
  return out;
}

/** PIL `Image.resize((ow, oh), Image.BICUBIC)` on an 8-bit HWC image, bit for bit. */
export function resizeImageU8(img: Uint8Array, h: number, w: number, c: number, oh: number, ow: number): Uint8Array {
  if (img.length !== h * w * c) throw new RangeError(`resizeImageU8: ${img.length} values for ${h}×${w}×${c}`);
  checkSizes(h, oh);
  checkSizes(w, ow);
  // PIL runs the horizontal pass first and skips a pass whose size is unchanged (no rounding there).
  const across = ow !== w ? horizontalU8(img, h, w, c, ow) : img;
  if (oh === h) return across === img ? img.slice() : across;
  return verticalU8(across, h, ow * c, oh);
}

/** Per-channel lookup of torch's ToTensor + Normalize in float32: ((x / 255) − mean) / std. */
export function normalizeTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const c = mean.length,
    lut = new Float32Array(256 * c);
  for (let ch = 0; ch < c; ch++) {
    const m = Math.fround(mean[ch]),
      s = Math.fround(std[ch]);
    for (let v = 0; v < 256; v++) lut[v * c + ch] = Math.fround(Math.fround(Math.fround(v / 255) - m) / s);
  }
  return lut;
}

/** Normalised float copy of an 8-bit HWC image (channels = mean.length), as CLIP's preprocessing. */
export function normalize(
  img: Uint8Array,
  mean: readonly number[] = CLIP_MEAN,
  std: readonly number[] = CLIP_STD,
): Float32Array {
  const out = new Float32Array(img.length);
  normalizeInto(out, 0, img, normalizeTable(mean, std), mean.length);
  return out;
}

/** Writes the normalised image into `dst` at `offset` (batch buffers); `lut` from normalizeTable. */
export function normalizeInto(dst: Float32Array, offset: number, img: Uint8Array, lut: Float32Array, c: number): void {
  if (img.length % c !== 0) throw new RangeError(`normalize: ${img.length} values is not a multiple of ${c} channels`);
  if (c === 3) {
    for (let i = 0, o = offset; i < img.length; i += 3, o += 3) {
      dst[o] = lut[img[i] * 3];
      dst[o + 1] = lut[img[i + 1] * 3 + 1];
      dst[o + 2] = lut[img[i + 2] * 3 + 2];
    }
    return;
  }
  for (let i = 0; i < img.length; i += c)
    for (let ch = 0; ch < c; ch++) dst[offset + i + ch] = lut[img[i + ch] * c + ch];
}
