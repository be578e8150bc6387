// How many things an image holds, how large they are, and what lies behind them. Two compositions:
// the default one (2–3 warped stuff regions tinted around the colours' mean, things 1/4–1/2 of the
// side) and the options of notes/toyworld.md's second prototype (one grey textured background,
// things of a fixed pixel range, and a share of "zoom" images of 1–2 large things — the scale
// augmentation that gave the prototype's teacher its dense structure). Every new option is absent
// by default and then draws nothing from the PRNG, so default datasets stay byte-identical.
import { stuffMean } from "./shapes-palette.ts";
import type { Rng } from "./shapes-random.ts";
import { sampleTexture, type TextureParams } from "./shapes-texture.ts";

export type Range = readonly [number, number];

export interface CompositionOptions {
  readonly min_shapes: number;
  readonly max_shapes: number;
  readonly colors: number;
  readonly textures: number;
  /** Thing diameters in pixels (nominal 2r); absent: size/4 … size/2. */
  readonly thing_size?: Range;
  /** Probability of a zoom image; absent or 0: never (and no draw). */
  readonly zoom?: number;
  readonly zoom_shapes?: Range;
  readonly zoom_size?: Range;
  /** `grey`: one texture per image around mid grey, untinted; absent or `regions`: the default. */
  readonly background?: "regions" | "grey";
}

export interface ThingPlan {
  readonly count: number;
  /** Diameter range in pixels, both included (r = diameter / 2 in half-pixel steps). */
  readonly diameter: Range;
}

export interface Stuff {
  readonly params: readonly TextureParams[];
  readonly regionOf: Uint8Array;
  readonly mean: readonly [number, number, number];
}

const GREY: readonly [number, number, number] = [128, 128, 128];

/** Drawn after the stuff and clutter, exactly where the count was always drawn. */
export function planThings(rng: Rng, o: CompositionOptions, S: number): ThingPlan {
  if (o.zoom && rng.below(1 << 20) < Math.round(o.zoom * (1 << 20))) {
    const [lo, hi] = o.zoom_shapes ?? [1, 2];
    return { count: rng.int(lo, hi), diameter: o.zoom_size ?? [Math.round((3 * S) / 8), Math.round((2 * S) / 3)] };
  }
  const dMin = Math.max(2, Math.round(S / 4));
  return {
    count: rng.int(o.min_shapes, o.max_shapes),
    diameter: o.thing_size ?? [dMin, Math.max(dMin, Math.round(S / 2))],
  };
}

/** The background: textures, the region map and the shared mean colour. */
export function sampleStuff(rng: Rng, o: CompositionOptions, S: number, regions: Range): Stuff {
  const scale = S / 64;
  if (o.background === "grey") {
    // One texture over the whole image; untinted, so the background is grey and any saturated
    // pixel belongs to a thing (the prototype's world).
    const tp = sampleTexture(rng, rng.below(o.textures), scale);
    return { params: [{ ...tp, tint: [1, 1, 1] }], regionOf: new Uint8Array(S * S), mean: GREY };
  }
  const nRegions = Math.min(o.textures, rng.int(regions[0], regions[1]));
  const textures = rng.permutation(o.textures).slice(0, nRegions);
  const params = textures.map((t) => sampleTexture(rng, t, scale));
  return { params, regionOf: sampleRegionMap(rng, S, nRegions), mean: stuffMean(o.colors) };
}

function sampleRegionMap(rng: Rng, S: number, count: number): Uint8Array {
  // Seeds far apart (so no region is a sliver), boundaries bent by an integer zigzag warp.
  const seeds: [number, number][] = [];
  const d = 0.45 * S,
    minD2 = Math.floor(d * d);
  for (let tries = 0; seeds.length < count; tries++) {
    const p: [number, number] = [rng.below(S), rng.below(S)];
    if (tries > 200 || seeds.every(([x, y]) => (x - p[0]) * (x - p[0]) + (y - p[1]) * (y - p[1]) >= minD2))
      seeds.push(p);
  }
  const amp = rng.int(0, Math.max(1, Math.round(S / 10)));
  const wl = rng.int(Math.max(2, Math.round(S / 3)), Math.max(2, Math.round(S / 1.5)));
  const ph = [rng.below(wl), rng.below(wl)];
  const zig = (t: number) => Math.floor((amp * Math.abs(2 * (((t % wl) + wl) % wl) - wl)) / wl);
  const map = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    const wx = zig(y + ph[0]!);
    for (let x = 0; x < S; x++) {
      const X = x + wx,
        Y = y + zig(x + ph[1]!);
      let best = 0,
        bestD = Infinity;
      for (let i = 0; i < seeds.length; i++) {
        const dx = X - seeds[i]![0],
          dy = Y - seeds[i]![1];
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      map[y * S + x] = best;
    }
  }
  return map;
}
