// Per-region features of shapes images for the "mean colour is at chance" test, computed from the
// pixels and the panoptic map alone (not from the generator's internals, except the thing colour
// used as a control label), and a nearest-centroid classifier.
import { shapesScene, type ShapesOptions } from "../../stdlib/data/shapes.ts";

export interface RegionFeature {
  readonly label: number;
  readonly isThing: boolean;
  /** Palette index of a thing; -1 for stuff. */
  readonly color: number;
  /** Mean RGB over the region's panoptic pixels. */
  readonly maskMean: readonly number[];
  /** Mean RGB over the region's box (everything inside it, as a crop would see). */
  readonly boxMean: readonly number[];
  /** Region pixels over box pixels. */
  readonly fill: number;
  /** Mean |Δ brightness| between region pixels at offsets (1,0), (0,1), (2,0), (0,2), (1,1), (3,0), (0,3). */
  readonly texture: readonly number[];
}

const OFFSETS = [
  [1, 0],
  [0, 1],
  [2, 0],
  [0, 2],
  [1, 1],
  [3, 0],
  [0, 3],
] as const;

export function regionFeatures(o: ShapesOptions, images: number): RegionFeature[] {
  const out: RegionFeature[] = [];
  for (let i = 0; i < images; i++) {
    const { scene } = shapesScene(o, i);
    const S = o.size,
      rgb = scene.rgb,
      pan = scene.panoptic;
    // Summed-area table per channel for box means.
    const sat = [0, 1, 2].map(() => new Float64Array((S + 1) * (S + 1)));
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++)
        for (let c = 0; c < 3; c++) {
          const t = sat[c]!;
          t[(y + 1) * (S + 1) + x + 1] =
            rgb[(y * S + x) * 3 + c]! + t[y * (S + 1) + x + 1]! + t[(y + 1) * (S + 1) + x]! - t[y * (S + 1) + x]!;
        }
    const sums = new Map<number, number[]>();
    const diffs = new Map<number, number[]>();
    const lum = (p: number) => rgb[p * 3]! + rgb[p * 3 + 1]! + rgb[p * 3 + 2]!;
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const p = y * S + x,
          id = pan[p]!;
        const s = sums.get(id) ?? sums.set(id, [0, 0, 0, 0]).get(id)!;
        for (let c = 0; c < 3; c++) s[c]! += rgb[p * 3 + c]!;
        s[3]!++;
        const d = diffs.get(id) ?? diffs.set(id, new Array(2 * OFFSETS.length).fill(0)).get(id)!;
        OFFSETS.forEach(([ox, oy], k) => {
          if (x + ox >= S || y + oy >= S) return;
          const q = (y + oy) * S + x + ox;
          if (pan[q] !== id) return;
          d[2 * k]! += Math.abs(lum(p) - lum(q));
          d[2 * k + 1]!++;
        });
      }
    for (const g of scene.segments) {
      const s = sums.get(g.id)!,
        d = diffs.get(g.id)!;
      const [x0, y0, x1, y1] = g.box;
      const boxArea = (x1 - x0) * (y1 - y0);
      const boxMean = sat.map(
        (t) =>
          (t[y1 * (S + 1) + x1]! - t[y0 * (S + 1) + x1]! - t[y1 * (S + 1) + x0]! + t[y0 * (S + 1) + x0]!) / boxArea,
      );
      out.push({
        label: g.label,
        isThing: g.isThing,
        color: g.isThing ? scene.things[g.id - 1]!.color : -1,
        maskMean: s.slice(0, 3).map((v) => v / s[3]!),
        boxMean,
        fill: s[3]! / boxArea,
        texture: OFFSETS.map((_, k) => (d[2 * k + 1]! ? d[2 * k]! / d[2 * k + 1]! : 0)),
      });
    }
  }
  return out;
}

/** Fits one centroid per label on `train`, classifies `test` by the nearest (squared Euclidean). */
export function nearestCentroidAccuracy<T>(
  train: readonly T[],
  test: readonly T[],
  f: (t: T) => readonly number[],
  y: (t: T) => number,
): number {
  const cent = new Map<number, { sum: number[]; n: number }>();
  for (const t of train) {
    const v = f(t),
      c = cent.get(y(t)) ?? cent.set(y(t), { sum: new Array(v.length).fill(0), n: 0 }).get(y(t))!;
    v.forEach((a, i) => (c.sum[i]! += a));
    c.n++;
  }
  const cs = [...cent].map(([label, c]) => ({ label, m: c.sum.map((s) => s / c.n) }));
  let ok = 0;
  for (const t of test) {
    const v = f(t);
    let best = -1,
      bd = Infinity;
    for (const c of cs) {
      let d = 0;
      for (let i = 0; i < v.length; i++) d += (v[i]! - c.m[i]!) ** 2;
      if (d < bd) (bd = d), (best = c.label);
    }
    if (best === y(t)) ok++;
  }
  return ok / test.length;
}
