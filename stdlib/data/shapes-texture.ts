// Stuff textures: periodic (or blockwise random) 0/1 patterns turned into zero-mean deviations
// around one shared mean colour. Each pattern's fraction of ones q is known exactly (or, for
// `noise`, in expectation), and a pixel deviates by (b − q)/max(q, 1 − q) ∈ [−1, 1], so over whole
// periods every texture's mean is the shared mean: only the spatial pattern tells textures apart.
// Integer arithmetic throughout.
import { hash32, type Rng } from "./shapes-random.ts";

export const TEXTURES = ["stripes", "dots", "checks", "noise", "grid", "waves"] as const;
const [STRIPES, DOTS, CHECKS, NOISE, GRID] = [0, 1, 2, 3, 4] as const;

/** Colour directions of a texture's deviation: the light and dark halves of a pattern are tinted
 * alike whatever the texture, so colour histograms do not name the texture either. */
const TINTS: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 0.75, 0.45],
  [0.45, 0.75, 1],
  [0.7, 1, 0.6],
  [1, 0.55, 0.85],
  [0.9, 0.9, 0.4],
];

export interface TextureParams {
  readonly texture: number;
  /** Pattern period (stripes, dots, grid, waves), cell (checks) or block (noise) in pixels. */
  readonly period: number;
  /** Stripes: 0 rows, 1 columns, 2 and 3 diagonals. Waves: 0 rows, 1 columns. */
  readonly orient: number;
  readonly ox: number;
  readonly oy: number;
  /** Waves: horizontal period of the zigzag. Grid: line width. Dots: radius² in quarter-pixels² units. */
  readonly aux: number;
  readonly salt: number;
  readonly tint: readonly [number, number, number];
  /** Fraction of ones in the pattern over a period. */
  readonly q: number;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Samples one region's texture parameters; `scale` = image side / 64 keeps periods proportional. */
export function sampleTexture(rng: Rng, texture: number, scale: number): TextureParams {
  const name = TEXTURES[texture]!;
  const sc = (lo: number, hi: number) =>
    rng.int(Math.max(1, Math.round(lo * scale)), Math.max(1, Math.round(hi * scale)));
  let period = 1,
    orient = 0,
    aux = 0,
    q = 0.5;
  switch (name) {
    case "stripes":
      period = 2 * Math.max(1, sc(3, 5));
      orient = rng.below(4);
      break;
    case "dots": {
      period = Math.max(3, sc(7, 10));
      // Radius ≈ 0.3 period, stored as (2r)² so the test stays in integers (doubled coordinates).
      const d = Math.round(0.6 * period);
      aux = Math.max(1, d * d);
      let ones = 0;
      for (let y = 0; y < period; y++) for (let x = 0; x < period; x++) if (dotAt(x, y, period, aux)) ones++;
      q = ones / (period * period);
      break;
    }
    case "checks":
      period = Math.max(1, sc(4, 7));
      break;
    case "noise":
      period = Math.max(1, sc(3, 5));
      break;
    case "grid":
      period = Math.max(3, sc(7, 10));
      aux = Math.max(1, Math.round(period / 5));
      q = (2 * aux * period - aux * aux) / (period * period);
      break;
    case "waves":
      period = 2 * Math.max(1, sc(3, 5));
      orient = rng.below(2);
      aux = 2 * Math.max(2, sc(8, 12));
      break;
  }
  return {
    texture,
    period,
    orient,
    ox: rng.below(4 * period),
    oy: rng.below(4 * period),
    aux,
    salt: rng.u32(),
    tint: rng.pick(TINTS),
    q,
  };
}

function dotAt(x: number, y: number, period: number, r2: number): boolean {
  // Doubled coordinates: the dot centre sits at the cell centre, pixel centres at odd numbers.
  const dx = 2 * mod(x, period) + 1 - period,
    dy = 2 * mod(y, period) + 1 - period;
  return dx * dx + dy * dy <= r2;
}

/** The 0/1 pattern at pixel (x, y). */
export function patternBit(p: TextureParams, x: number, y: number): number {
  const X = x + p.ox,
    Y = y + p.oy,
    P = p.period;
  // Numeric cases in TEXTURES order: this runs once per background pixel.
  switch (p.texture) {
    case STRIPES: {
      const t = p.orient === 0 ? Y : p.orient === 1 ? X : p.orient === 2 ? X + Y : X - Y;
      return mod(t, P) < P / 2 ? 1 : 0;
    }
    case DOTS:
      return dotAt(X, Y, P, p.aux) ? 1 : 0;
    case CHECKS:
      return (Math.floor(X / P) + Math.floor(Y / P)) & 1;
    case NOISE:
      return hash32(p.salt, Math.floor(X / P), Math.floor(Y / P)) & 1;
    case GRID:
      return mod(X, P) < p.aux || mod(Y, P) < p.aux ? 1 : 0;
    default: {
      // Waves: rows shifted by an integer zigzag along the other axis: every column still has exactly
      // half ones over a period.
      const [a, b] = p.orient === 0 ? [X, Y] : [Y, X];
      const k = mod(a, p.aux);
      const shift = Math.floor((Math.abs(2 * k - p.aux) * P) / p.aux);
      return mod(b + shift, P) < P / 2 ? 1 : 0;
    }
  }
}

/** The deviation of pattern value b (0 or 1), in [−1, 1]; zero mean over a period. */
export function deviation(p: TextureParams, b: number): number {
  return (b - p.q) / Math.max(p.q, 1 - p.q);
}
