// The thing kinds of the shapes world and their rasterisation. Coverage is tested at pixel
// centres with + − × ÷ on doubles only (IEEE-exact and never fused in JS), and rotations come from
// Pythagorean triples (cos, sin rational), so a mask is bit-identical everywhere: no Math.sin/cos.

export const KINDS = ["circle", "square", "triangle", "cross", "ring", "star"] as const;
export type KindName = (typeof KINDS)[number];

/** (cos, sin) of 0°, 22.6°, 36.9°, 53.1°, 67.4° (triples 5-12-13, 3-4-5) and their quarter turns. */
export const ROTATIONS: readonly (readonly [number, number])[] = (() => {
  const base: [number, number][] = [
    [1, 0],
    [12 / 13, 5 / 13],
    [4 / 5, 3 / 5],
    [3 / 5, 4 / 5],
    [5 / 13, 12 / 13],
  ];
  const out: [number, number][] = [];
  for (let q = 0; q < 4; q++)
    for (const [c, s] of base) out.push(q === 0 ? [c, s] : q === 1 ? [-s, c] : q === 2 ? [-c, -s] : [s, -c]);
  return out;
})();

const SQRT3_2 = 0.8660254037844386;
// A five-pointed star with inner radius 0.45 of the outer: unit vertices at 18° + 36°·k, written
// out as literals so no transcendental function is ever evaluated.
const C18 = 0.9510565162951535,
  S18 = 0.3090169943749474,
  C54 = 0.5877852522924731,
  S54 = 0.8090169943749475;
const STAR_INNER = 0.45;
const STAR_UNIT: readonly (readonly [number, number])[] = [
  [0, -1],
  [C54 * STAR_INNER, -S54 * STAR_INNER],
  [C18, -S18],
  [C18 * STAR_INNER, S18 * STAR_INNER],
  [C54, S54],
  [0, STAR_INNER],
  [-C54, S54],
  [-C18 * STAR_INNER, S18 * STAR_INNER],
  [-C18, -S18],
  [-C54 * STAR_INNER, -S54 * STAR_INNER],
];

/** One placed shape: centre and radius in pixels (multiples of ½), rotation index into ROTATIONS. */
export interface ShapeGeometry {
  readonly kind: number;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
  readonly rot: number;
}

// Every kind covers about 2.4 r² (pixelation aside), so a shape's area does not give its kind
// away either: the sizes below solve area = 2.4 r² for each outline.
const CIRCLE = 0.874; // radius: π·0.874² = 2.4
const SQUARE = 0.775; // half-side: (2·0.775)² = 2.4
const TRIANGLE = 1.359; // circumradius: (3√3/4)·1.359² = 2.4
const CROSS_ARM = 1.0,
  CROSS_HALF_WIDTH = 0.3675; // 8·a·t − 4·t² = 2.4
const RING = 1.046,
  RING_INNER = 0.55; // π·(1 − 0.55²)·1.046² = 2.4
const STAR = 1.348; // 5·0.45·sin 36°·1.348² = 2.4
/** How far each kind reaches from its centre, in radii (KINDS order; a square at 45° reaches √2·0.775). */
export const KIND_REACH: readonly number[] = [CIRCLE, 1.0961, TRIANGLE, 1.0654, RING, STAR];
const REACH = Math.max(...KIND_REACH);

/** Whether the shape's local point (u, v) (rotated into the shape's frame, radius r) is inside. */
function inside(kind: KindName, u: number, v: number, r: number): boolean {
  switch (kind) {
    case "circle": {
      const a = CIRCLE * r;
      return u * u + v * v <= a * a;
    }
    case "square": {
      const a = SQUARE * r;
      return u <= a && u >= -a && v <= a && v >= -a;
    }
    case "triangle": {
      // Equilateral, centroid at the centre; inside = on the inner side of all three edges.
      const p = TRIANGLE * r;
      const ax = 0,
        ay = -p,
        bx = p * SQRT3_2,
        by = p / 2,
        cx = -p * SQRT3_2,
        cy = p / 2;
      const e0 = (bx - ax) * (v - ay) - (by - ay) * (u - ax);
      const e1 = (cx - bx) * (v - by) - (cy - by) * (u - bx);
      const e2 = (ax - cx) * (v - cy) - (ay - cy) * (u - cx);
      return e0 >= 0 && e1 >= 0 && e2 >= 0;
    }
    case "cross": {
      const a = CROSS_ARM * r,
        t = CROSS_HALF_WIDTH * r;
      const au = u < 0 ? -u : u,
        av = v < 0 ? -v : v;
      return (au <= a && av <= t) || (av <= a && au <= t);
    }
    case "ring": {
      const d = u * u + v * v,
        ro = RING * r,
        ri = RING_INNER * ro;
      return d <= ro * ro && d >= ri * ri;
    }
    case "star": {
      // Even-odd crossing test against the 10-vertex outline.
      const s = STAR * r;
      let inStar = false;
      for (let i = 0, j = STAR_UNIT.length - 1; i < STAR_UNIT.length; j = i++) {
        const xi = STAR_UNIT[i]![0] * s,
          yi = STAR_UNIT[i]![1] * s,
          xj = STAR_UNIT[j]![0] * s,
          yj = STAR_UNIT[j]![1] * s;
        if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inStar = !inStar;
      }
      return inStar;
    }
  }
}

/** A shape's coverage inside the image: a window [x0, x0+w) × [y0, y0+h) and its 0/1 mask. */
export interface Raster {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly mask: Uint8Array;
  /** Pixels covered (inside the image). */
  readonly area: number;
}

export function rasterize(g: ShapeGeometry, width: number, height: number): Raster {
  const kind = KINDS[g.kind]!;
  const [c, s] = ROTATIONS[g.rot]!;
  // One pixel more than any kind reaches, for the pixel-centre offset.
  const reach = Math.ceil(REACH * g.r) + 1;
  const x0 = Math.max(0, Math.floor(g.cx) - reach),
    x1 = Math.min(width, Math.floor(g.cx) + reach + 1);
  const y0 = Math.max(0, Math.floor(g.cy) - reach),
    y1 = Math.min(height, Math.floor(g.cy) + reach + 1);
  const w = Math.max(0, x1 - x0),
    h = Math.max(0, y1 - y0);
  const mask = new Uint8Array(w * h);
  let area = 0;
  for (let y = 0; y < h; y++) {
    const dy = y0 + y + 0.5 - g.cy;
    for (let x = 0; x < w; x++) {
      const dx = x0 + x + 0.5 - g.cx;
      // Inverse rotation of the offset into the shape's frame.
      if (inside(kind, c * dx + s * dy, c * dy - s * dx, g.r)) {
        mask[y * w + x] = 1;
        area++;
      }
    }
  }
  return { x0, y0, w, h, mask, area };
}

/** Pixels where two rasters both cover. */
export function overlap(a: Raster, b: Raster): number {
  const xs = Math.max(a.x0, b.x0),
    xe = Math.min(a.x0 + a.w, b.x0 + b.w);
  const ys = Math.max(a.y0, b.y0),
    ye = Math.min(a.y0 + a.h, b.y0 + b.h);
  let n = 0;
  for (let y = ys; y < ye; y++)
    for (let x = xs; x < xe; x++) n += a.mask[(y - a.y0) * a.w + x - a.x0]! & b.mask[(y - b.y0) * b.w + x - b.x0]!;
  return n;
}
