// Deterministic k-means: k-means++ seeding from a seeded PRNG, then Lloyd iterations until the
// assignments stop changing (or maxIter). Plain float64 JS so a given seed gives the same clusters
// on every backend and machine. Ties go to the lowest centroid index; an empty cluster keeps its
// previous centroid.
import { mulberry32 } from "../tensor/random.ts";

export interface KMeansOptions {
  readonly k: number;
  /** Seed of the k-means++ draw (ignored with `init`). Default 0. */
  readonly seed?: number;
  /** Lloyd iterations at most. Default 100. */
  readonly maxIter?: number;
  /** Initial centroids [k, d] row-major, instead of k-means++. */
  readonly init?: ArrayLike<number>;
}

export interface KMeansResult {
  /** [k, d] row-major. */
  readonly centroids: Float64Array;
  /** [n] cluster of each point: the last assignment step's. */
  readonly assignments: Int32Array;
  /** Centroid updates performed. */
  readonly iterations: number;
  /** True when an assignment step reproduced the previous one before maxIter. */
  readonly converged: boolean;
}

function sqDist(x: ArrayLike<number>, i: number, c: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const e = x[i * d + t]! - c[j * d + t]!;
    s += e * e;
  }
  return s;
}

/** k-means++: first centre uniform, each next drawn with probability ∝ squared distance to the nearest chosen one. */
export function kmeansPlusPlus(points: ArrayLike<number>, d: number, k: number, rand: () => number): Float64Array {
  const n = points.length / d;
  if (k > n) throw new RangeError(`kmeans++: ${k} clusters for ${n} points`);
  const cen = new Float64Array(k * d);
  const near = new Float64Array(n).fill(Infinity);
  let pick = Math.min(n - 1, Math.floor(rand() * n));
  for (let c = 0; c < k; c++) {
    for (let t = 0; t < d; t++) cen[c * d + t] = points[pick * d + t]!;
    if (c === k - 1) break;
    let total = 0;
    for (let i = 0; i < n; i++) {
      near[i] = Math.min(near[i]!, sqDist(points, i, cen, c, d));
      total += near[i]!;
    }
    if (total === 0) {
      pick = Math.min(n - 1, Math.floor(rand() * n));
      continue;
    } // all points coincide with centres
    let r = rand() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= near[i]!;
      if (r < 0) {
        pick = i;
        break;
      }
    }
  }
  return cen;
}

/** `points` [n, d] row-major. */
export function kmeans(points: ArrayLike<number>, d: number, opts: KMeansOptions): KMeansResult {
  const n = points.length / d,
    k = opts.k,
    maxIter = opts.maxIter ?? 100;
  if (!Number.isInteger(n) || n < 1) throw new Error(`kmeans: ${points.length} values are not n×${d}`);
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`kmeans: k = ${k}`);
  let cen: Float64Array;
  if (opts.init) {
    if (opts.init.length !== k * d) throw new Error(`kmeans: init has ${opts.init.length} values, expected ${k}×${d}`);
    cen = Float64Array.from(opts.init);
  } else cen = kmeansPlusPlus(points, d, k, mulberry32(opts.seed ?? 0));
  let assign = new Int32Array(n),
    prev: Int32Array | undefined;
  const sums = new Float64Array(k * d),
    counts = new Int32Array(k);
  for (let it = 1; it <= maxIter; it++) {
    for (let i = 0; i < n; i++) {
      let best = 0,
        bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const dj = sqDist(points, i, cen, j, d);
        if (dj < bestD) {
          bestD = dj;
          best = j;
        }
      }
      assign[i] = best;
    }
    if (prev && assign.every((a, i) => a === prev![i]))
      return { centroids: cen, assignments: assign, iterations: it - 1, converged: true };
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = assign[i]!;
      counts[j]++;
      for (let t = 0; t < d; t++) sums[j * d + t] += points[i * d + t]!;
    }
    for (let j = 0; j < k; j++)
      if (counts[j]! > 0) for (let t = 0; t < d; t++) cen[j * d + t] = sums[j * d + t]! / counts[j]!;
    prev = assign;
    assign = new Int32Array(n);
  }
  return { centroids: cen, assignments: prev!, iterations: maxIter, converged: false };
}
