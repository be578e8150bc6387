// The report's PCA colouring of dense features: a 3-component basis fitted once on a reference
// model's tokens (the teacher's) and applied to every model, so the same colour means the same
// direction in feature space across teacher, students and Refiner. Plain float64 arrays, no tensors:
// reporters consume what runners stored. Checked against NumPy (test/reference/pca.py).
//
// Sign convention (eigenvectors are defined up to sign): each component's largest-magnitude loading
// is positive. Colour scale: each component's 2nd…98th percentile over the reference tokens → 0…255.

export interface PcaBasis {
  readonly dim: number;
  readonly mean: Float64Array;
  /** Row-major [3, dim], unit rows, descending variance. */
  readonly components: Float64Array;
  readonly variance: readonly number[];
  /** Per component, the projection values that map to 0 and to 255. */
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** Fits on rows of `x` ([n, dim]) selected by `use` (all when absent). */
export function fitPca(x: Float32Array, dim: number, use?: ArrayLike<number>, k = 3): PcaBasis {
  const n = x.length / dim;
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => !use || use[i]);
  const mean = new Float64Array(dim);
  for (const i of rows) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(rows.length, 1);
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (const i of rows) {
    for (let j = 0; j < dim; j++) c[j] = x[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = c[a]!;
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ca * c[b]!;
    }
  }
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= Math.max(rows.length - 1, 1);
      cov[b * dim + a] = cov[a * dim + b]!;
    }
  const components = new Float64Array(k * dim);
  const variance: number[] = [];
  for (let comp = 0; comp < k; comp++) {
    // power iteration from a fixed start, then deflation: deterministic, and 3 of `dim` vectors
    let v = Float64Array.from({ length: dim }, (_, j) => 1 + ((j * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 3000; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b]! * v[b]!;
        w[a] = s;
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      for (let a = 0; a < dim; a++) w[a]! /= norm;
      let delta = 0;
      for (let a = 0; a < dim; a++) delta = Math.max(delta, Math.abs(w[a]! - v[a]!));
      v = w;
      lambda = norm;
      if (delta < 1e-12) break;
    }
    let big = 0;
    for (let a = 0; a < dim; a++) if (Math.abs(v[a]!) > Math.abs(v[big]!)) big = a;
    if (v[big]! < 0) for (let a = 0; a < dim; a++) v[a] = -v[a]!;
    components.set(v, comp * dim);
    variance.push(lambda);
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] -= lambda * v[a]! * v[b]!;
  }
  const basis = { dim, mean, components, variance, lo: [0, 0, 0], hi: [1, 1, 1] };
  const proj = project(basis, x);
  const lo: number[] = [],
    hi: number[] = [];
  for (let comp = 0; comp < k; comp++) {
    const vals = rows.map((i) => proj[i * k + comp]!).sort((a, b) => a - b);
    lo.push(quantile(vals, 0.02));
    hi.push(quantile(vals, 0.98));
  }
  return { ...basis, lo, hi };
}

/** Projections [n, 3] of rows of `x` onto the basis. */
export function project(b: Pick<PcaBasis, "dim" | "mean" | "components">, x: Float32Array): Float64Array {
  const n = x.length / b.dim,
    k = b.components.length / b.dim;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let comp = 0; comp < k; comp++) {
      let s = 0;
      for (let j = 0; j < b.dim; j++) s += (x[i * b.dim + j]! - b.mean[j]!) * b.components[comp * b.dim + j]!;
      out[i * k + comp] = s;
    }
  return out;
}

/** RGB bytes [n, 3]: components 1–3 to red, green, blue on the reference's colour scale. */
export function pcaRgb(b: PcaBasis, x: Float32Array): Uint8Array {
  const p = project(b, x);
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const c = i % 3,
      span = b.hi[c]! - b.lo[c]! || 1;
    out[i] = Math.round(255 * Math.min(1, Math.max(0, (p[i]! - b.lo[c]!) / span)));
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  const at = (sorted.length - 1) * q,
    lo = Math.floor(at);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo);
}
