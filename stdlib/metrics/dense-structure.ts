// Cheap diagnostics of a dense feature map's spatial structure, read beside the k-means probe:
//  - same-segment AUROC: over all pairs of tokens of an image, how well their similarity tells
//    "same segment" from "different segments" (1: every same-segment pair is more similar than
//    every cross-segment pair; 0.5: no information);
//  - correlation with a reference: Pearson correlation between the token–token cosine matrices of
//    two models on the same image (what SCD distils), averaged over images;
//  - per-patch mean colour: the "no learned structure" baseline features.
// Scores are binned (AUROC_BINS over [−1, 1]) so memory stays flat and results are deterministic;
// ties within a bin count one half, the usual rank-statistic convention.

const AUROC_BINS = 8192;

export class AurocAccumulator {
  private readonly pos = new Float64Array(AUROC_BINS);
  private readonly neg = new Float64Array(AUROC_BINS);

  /** score in [−1, 1] (clamped). */
  add(score: number, positive: boolean): void {
    const b = Math.min(AUROC_BINS - 1, Math.max(0, Math.floor(((score + 1) / 2) * AUROC_BINS)));
    (positive ? this.pos : this.neg)[b]! += 1;
  }

  /** P(score of a positive > score of a negative), ties ½; null without both kinds of pair. */
  result(): number | null {
    let negBelow = 0,
      wins = 0,
      P = 0,
      N = 0;
    for (let b = 0; b < AUROC_BINS; b++) {
      wins += this.pos[b]! * (negBelow + this.neg[b]! / 2);
      negBelow += this.neg[b]!;
      P += this.pos[b]!;
    }
    N = negBelow;
    return P > 0 && N > 0 ? wins / (P * N) : null;
  }
}

/** Cosine-similarity matrix [n·n] of n row vectors of width E. */
export function cosineMatrix(x: Float32Array, n: number, E: number): Float64Array {
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += x[i * E + e]! ** 2;
    norm[i] = Math.sqrt(s) || 1;
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += x[i * E + e]! * x[j * E + e]!;
      out[i * n + j] = out[j * n + i] = s / (norm[i]! * norm[j]!);
    }
  return out;
}

/** Adds every unordered token pair (i < j) of one image: score sim[i,j], positive when same segment. */
export function addPairs(acc: AurocAccumulator, sim: Float64Array, segment: Int32Array): void {
  const n = segment.length;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) acc.add(sim[i * n + j]!, segment[i] === segment[j]);
}

/** Pearson correlation of the off-diagonal upper triangles of two n×n matrices; null if constant. */
export function matrixCorrelation(a: Float64Array, b: Float64Array, n: number): number | null {
  let m = 0,
    sa = 0,
    sb = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      sa += a[i * n + j]!;
      sb += b[i * n + j]!;
      m++;
    }
  if (m < 2) return null;
  const ma = sa / m,
    mb = sb / m;
  let cov = 0,
    va = 0,
    vb = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const da = a[i * n + j]! - ma,
        db = b[i * n + j]! - mb;
      cov += da * db;
      va += da * da;
      vb += db * db;
    }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : null;
}

/** Colour similarity in [−1, 1]: 1 − 2·distance/(255·√3), so identical colours score 1. */
export function colorSimilarity(rgb: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n * n),
    D = 255 * Math.sqrt(3);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const d = Math.hypot(
        rgb[3 * i]! - rgb[3 * j]!,
        rgb[3 * i + 1]! - rgb[3 * j + 1]!,
        rgb[3 * i + 2]! - rgb[3 * j + 2]!,
      );
      out[i * n + j] = out[j * n + i] = 1 - (2 * d) / D;
    }
  return out;
}

/** Mean RGB (0–255) of each of the `cells` token patches of a square S×S image, G×G grid. */
export function patchMeanColor(rgb: Uint8Array, S: number, G: number, cells: readonly number[]): Float32Array {
  const p = S / G,
    out = new Float32Array(cells.length * 3);
  cells.forEach((c, k) => {
    const gy = Math.floor(c / G),
      gx = c % G;
    const sum = [0, 0, 0];
    for (let y = gy * p; y < (gy + 1) * p; y++)
      for (let x = gx * p; x < (gx + 1) * p; x++) for (let ch = 0; ch < 3; ch++) sum[ch]! += rgb[(y * S + x) * 3 + ch]!;
    for (let ch = 0; ch < 3; ch++) out[k * 3 + ch] = sum[ch]! / (p * p);
  });
  return out;
}
