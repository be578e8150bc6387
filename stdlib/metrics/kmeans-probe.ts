// The spatial-awareness probe (SCD paper Fig. 1, "unsupervised segmentation"; protocol inferred,
// notes/paper.md §4.4): cluster dense tokens with k-means, match clusters one-to-one to ground-truth
// classes by Hungarian matching on their overlap (maximised), then score the matched labelling by
// mIoU. Per-image use: call once per image with a shared accumulator (dataset-level TP/FP/FN);
// dataset scope: concatenate all tokens and labels in one call.
import { kmeans, type KMeansResult } from "./kmeans.ts";
import { linearSumAssignment } from "./hungarian.ts";
import { SegmentationAccumulator, type SegmentationResult } from "./segmentation.ts";

export interface ProbeOptions {
  /** Clusters; default: the number of distinct non-void classes in `labels`. */
  readonly k?: number;
  readonly seed?: number;
  readonly maxIter?: number;
  /** Initial centroids [k, d] (testing, or a fixed protocol); default k-means++. */
  readonly init?: ArrayLike<number>;
  /** L2-normalise each token before clustering. Default false (dense features usually are already). */
  readonly normalize?: boolean;
  /** Ground-truth value ignored for matching and scoring. Default 255. */
  readonly voidLabel?: number;
  /** Accumulate into this (dataset-level mIoU over several calls); default a fresh one. */
  readonly accumulator?: SegmentationAccumulator;
}

export interface ProbeResult extends SegmentationResult {
  /** [k] matched class of each cluster, −1 for clusters left unmatched (k > classes). */
  readonly clusterToClass: Int32Array;
  readonly kmeans: KMeansResult;
  readonly accumulator: SegmentationAccumulator;
}

/**
 * One-to-one cluster → class map maximising the number of non-void tokens whose cluster maps to
 * their class. Only classes present in `labels` are candidates, so k smaller than the class count
 * is fine.
 */
export function matchClusters(
  assign: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
  numClasses: number,
  voidLabel = 255,
): Int32Array {
  const present: number[] = [],
    slot = new Int32Array(numClasses).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i]!;
    if (g === voidLabel) continue;
    if (!(g >= 0 && g < numClasses))
      throw new RangeError(`matchClusters: label ${g} at ${i} is neither a class nor void`);
    if (slot[g] === -1) {
      slot[g] = present.length;
      present.push(g);
    }
  }
  const out = new Int32Array(k).fill(-1);
  if (present.length === 0) return out;
  const G = present.length,
    overlap = new Float64Array(k * G);
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i]!;
    if (g !== voidLabel) overlap[assign[i]! * G + slot[g]!]++;
  }
  const { rows, cols } = linearSumAssignment(overlap, k, G, { maximize: true });
  rows.forEach((r, t) => {
    out[r] = present[cols[t]!]!;
  });
  return out;
}

/** `tokens` [n, d] row-major; `labels` [n] ground-truth class per token (at token resolution). */
export function kmeansProbe(
  tokens: ArrayLike<number>,
  d: number,
  labels: ArrayLike<number>,
  numClasses: number,
  opts: ProbeOptions = {},
): ProbeResult {
  const n = labels.length,
    voidLabel = opts.voidLabel ?? 255;
  if (tokens.length !== n * d) throw new Error(`kmeansProbe: ${tokens.length} token values for ${n} labels × ${d}`);
  let k = opts.k;
  if (k === undefined) {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) if (labels[i] !== voidLabel) seen.add(labels[i]!);
    k = Math.max(1, seen.size);
  }
  const x = opts.normalize ? l2Rows(tokens, d) : tokens;
  const km = kmeans(x, d, { k, seed: opts.seed, maxIter: opts.maxIter, init: opts.init });
  const clusterToClass = matchClusters(km.assignments, labels, k, numClasses, voidLabel);
  const pred = Int32Array.from(km.assignments, (a) => clusterToClass[a]!);
  const acc = opts.accumulator ?? new SegmentationAccumulator(numClasses, voidLabel);
  acc.add(pred, labels, voidLabel);
  return { ...acc.result(), clusterToClass, kmeans: km, accumulator: acc };
}

function l2Rows(x: ArrayLike<number>, d: number): Float64Array {
  const out = Float64Array.from(x);
  for (let i = 0; i < out.length; i += d) {
    let s = 0;
    for (let t = 0; t < d; t++) s += out[i + t]! * out[i + t]!;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let t = 0; t < d; t++) out[i + t] *= inv;
  }
  return out;
}
