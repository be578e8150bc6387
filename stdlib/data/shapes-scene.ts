// One image of the shapes world from (options, index) alone: stuff regions (a warped Voronoi
// split of the background, each region a different texture), then shapes painted back to front
// under an occlusion budget, then the panoptic map. All sampling comes from one integer PRNG seeded
// by hash(seed, index), so `get(i)` is random access and identical on every machine.
import { KIND_REACH, overlap, rasterize, ROTATIONS, type Raster, type ShapeGeometry } from "./shapes-geometry.ts";
import { COLORS } from "./shapes-palette.ts";
import { planThings, sampleStuff, type CompositionOptions } from "./shapes-composition.ts";
import { mixSeed } from "../tensor/random.ts";
import { hash32, Rng } from "./shapes-random.ts";
import { deviation, patternBit, type TextureParams } from "./shapes-texture.ts";
import type { Segment } from "./sample.ts";

export type DifficultyName = "easy" | "medium" | "hard";

interface Difficulty {
  /** Most of a shape's pixels that later shapes may cover. */
  readonly maxOcclusion: number;
  /** Texture contrast: deviation from the stuff mean at full pattern strength, in grey levels. */
  readonly amplitude: number;
  /** Per-pixel uniform noise ±noise on every pixel. */
  readonly noise: number;
  /** Shapes may rotate (by the rational angles of ROTATIONS) or stay axis-aligned. */
  readonly rotate: boolean;
  readonly regions: readonly [number, number];
  /** Per-channel ± jitter of a shape's colour around its palette colour. */
  readonly jitter: number;
  /** Shape centres stay this fraction of the shape's reach from the border (< 1: shapes may be cut). */
  readonly margin: number;
  /** Small unlabelled specks in palette colours (part of the stuff they sit on). */
  readonly clutter: readonly [number, number];
}

export const DIFFICULTY: Readonly<Record<DifficultyName, Difficulty>> = {
  easy: {
    maxOcclusion: 0.1,
    amplitude: 30,
    noise: 0,
    rotate: false,
    regions: [2, 2],
    jitter: 0,
    margin: 1,
    clutter: [0, 0],
  },
  medium: {
    maxOcclusion: 0.35,
    amplitude: 40,
    noise: 6,
    rotate: true,
    regions: [2, 3],
    jitter: 12,
    margin: 1,
    clutter: [0, 3],
  },
  hard: {
    maxOcclusion: 0.6,
    amplitude: 50,
    noise: 16,
    rotate: true,
    regions: [3, 3],
    jitter: 24,
    margin: 0.5,
    clutter: [3, 8],
  },
};

export interface SceneOptions extends CompositionOptions {
  readonly size: number;
  readonly seed: number;
  readonly kinds: number;
  readonly difficulty: DifficultyName;
  /** Thing classes: the kind (default) or kind × colour (`kind_color`, the prototype's 12 classes). */
  readonly labels?: "kind" | "kind_color";
}

/** Class index of a thing: kind, or kind·colors + colour. Stuff classes follow the things. */
export function thingLabel(o: Pick<SceneOptions, "labels" | "colors">, kind: number, color: number): number {
  return o.labels === "kind_color" ? kind * o.colors + color : kind;
}

export function thingClassCount(o: Pick<SceneOptions, "labels" | "colors" | "kinds">): number {
  return o.labels === "kind_color" ? o.kinds * o.colors : o.kinds;
}

export interface Thing {
  readonly geometry: ShapeGeometry;
  readonly color: number;
  readonly raster: Raster;
  /** Segment id in the panoptic map (1 + paint order). */
  readonly id: number;
}

export interface Region {
  readonly params: TextureParams;
  /** Segment id in the panoptic map. */
  readonly id: number;
}

export interface Scene {
  readonly size: number;
  readonly rgb: Uint8Array;
  readonly panoptic: Int32Array;
  /** Back to front. */
  readonly things: readonly Thing[];
  readonly regions: readonly Region[];
  /** Thing segments (paint order) then stuff segments (region order; regions fully covered are left out). */
  readonly segments: readonly Segment[];
  /** covered[i][j]: pixels of thing i that thing j (painted later) covers. */
  readonly covered: readonly (readonly number[])[];
}

const SALT = 0x5ca1ab1e;
const ATTEMPTS = 80;

export function renderScene(o: SceneOptions, index: number): Scene {
  const S = o.size,
    N = S * S,
    scale = S / 64;
  const diff = DIFFICULTY[o.difficulty];
  const rng = new Rng(hash32(o.seed, index, SALT));

  // Stuff: distinct textures per region (or one grey texture: shapes-composition.ts).
  const { params, regionOf, mean } = sampleStuff(rng, o, S, diff.regions);
  const rgb = new Uint8Array(N * 3);
  // The two levels of each region's pattern, per channel: mean + amplitude·deviation·tint.
  const levels = params.map((tp) =>
    [0, 1].map((b) => [0, 1, 2].map((c) => mean[c]! + diff.amplitude * deviation(tp, b) * tp.tint[c]!)),
  );
  // Rounded with a hashed dither (floor(v + u), u uniform on 1024 steps of [0, 1)): plain rounding
  // would shift each texture's mean by a texture-specific fraction of a level, enough for mean
  // colour to separate textures whose region means are otherwise tight.
  const dither = rng.u32();
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const p = y * S + x,
        r = regionOf[p]!;
      const lv = levels[r]![patternBit(params[r]!, x, y)]!,
        h = mixSeed(dither, p);
      for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.floor(lv[c]! + ((h >>> (11 * c)) & 1023) / 1024);
    }

  // Clutter: small random-walk blobs in palette colours, painted into the stuff (they stay stuff in
  // the panoptic map). Irregular on purpose: a tiny disc or square would read as a tiny thing.
  const specks = rng.int(diff.clutter[0], diff.clutter[1]);
  for (let k = 0; k < specks; k++) {
    const col = COLORS[rng.below(o.colors)]!.rgb;
    let x = rng.below(S),
      y = rng.below(S);
    for (let step = Math.round(rng.int(4, 9) * scale * scale); step > 0; step--) {
      for (let c = 0; c < 3; c++) rgb[(y * S + x) * 3 + c] = col[c]!;
      const d = rng.below(4);
      x = Math.min(S - 1, Math.max(0, x + (d === 0 ? 1 : d === 1 ? -1 : 0)));
      y = Math.min(S - 1, Math.max(0, y + (d === 2 ? 1 : d === 3 ? -1 : 0)));
    }
  }

  // Things, back to front. Kind and colour are drawn before placement so that a failed placement
  // cannot bias which kinds or colours appear; only position, size and rotation are re-drawn.
  const owner = new Int16Array(N).fill(-1);
  const things: Thing[] = [];
  const visible: number[] = [];
  const covered: number[][] = [];
  // Nominal diameter 2r from S/4 to S/2 by default (16–32 px at 64 px: 2–4 patches of 8 px), in
  // whole pixels, so r moves in half pixels; every kind covers ≈ 2.4 r² (shapes-geometry.ts).
  const minVisible = Math.max(12, Math.round(24 * scale * scale));
  const {
    count,
    diameter: [rMin, rMax],
  } = planThings(rng, o, S);
  for (let t = 0; t < count; t++) {
    const kind = rng.below(o.kinds),
      color = rng.below(o.colors);
    const jit = [0, 1, 2].map(() => (diff.jitter ? rng.int(-diff.jitter, diff.jitter) : 0));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const r = rng.int(rMin, rMax) / 2;
      // Centres keep the whole shape (and half a pixel) inside the image unless margin < 1.
      const m = diff.margin * (KIND_REACH[kind]! * r + 0.5);
      const lo = Math.ceil(2 * m),
        hi = Math.floor(2 * (S - m));
      if (hi < lo) continue;
      const g: ShapeGeometry = {
        kind,
        r,
        rot: diff.rotate ? rng.below(ROTATIONS.length) : 0,
        cx: rng.int(lo, hi) / 2,
        cy: rng.int(lo, hi) / 2,
      };
      const raster = rasterize(g, S, S);
      if (raster.area < minVisible) continue;
      const hits = new Array<number>(things.length).fill(0);
      for (let y = 0; y < raster.h; y++)
        for (let x = 0; x < raster.w; x++) {
          if (!raster.mask[y * raster.w + x]) continue;
          const w = owner[(raster.y0 + y) * S + raster.x0 + x]!;
          if (w >= 0) hits[w]!++;
        }
      const ok = things.every(
        (th, i) => visible[i]! - hits[i]! >= Math.max(minVisible, (1 - diff.maxOcclusion) * th.raster.area),
      );
      if (!ok) continue;
      // Same-coloured shapes may not touch: their instance boundary would be invisible.
      const over = things.map((th) => overlap(th.raster, raster));
      if (things.some((th, i) => th.color === color && (over[i]! > 0 || hits[i]! > 0))) continue;
      things.forEach((_, i) => {
        visible[i]! -= hits[i]!;
      });
      for (let i = 0; i < things.length; i++) covered[i]!.push(over[i]!);
      covered.push([]);
      for (let y = 0; y < raster.h; y++)
        for (let x = 0; x < raster.w; x++) {
          if (!raster.mask[y * raster.w + x]) continue;
          const p = (raster.y0 + y) * S + raster.x0 + x;
          owner[p] = things.length;
          const base = COLORS[color]!.rgb;
          for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.min(255, Math.max(0, base[c]! + jit[c]!));
        }
      visible.push(raster.area);
      things.push({ geometry: g, color, raster, id: things.length + 1 });
      break;
    }
  }
  // covered[i] has one entry per later thing; pad the matrix to n × n (0 on and below the diagonal).
  const n = things.length;
  const cov = things.map((_, i) => [...new Array<number>(i + 1).fill(0), ...covered[i]!]);

  // Sensor-like noise on every pixel, uniform on −noise..noise, from a hash of the position (no
  // sequential state); 10 hash bits per channel keep the bins equal to within 1/1024.
  if (diff.noise) {
    const span = 2 * diff.noise + 1,
      salt = rng.u32();
    for (let p = 0; p < N; p++) {
      const h = mixSeed(salt, p);
      for (let c = 0; c < 3; c++) {
        const v = rgb[p * 3 + c]! + Math.floor((((h >>> (11 * c)) & 1023) * span) / 1024) - diff.noise;
        rgb[p * 3 + c] = v < 0 ? 0 : Math.min(v, 255);
      }
    }
  }

  const regions: Region[] = params.map((p, i) => ({ params: p, id: n + 1 + i }));
  const panoptic = new Int32Array(N);
  for (let p = 0; p < N; p++) panoptic[p] = owner[p]! >= 0 ? owner[p]! + 1 : n + 1 + regionOf[p]!;
  return {
    size: S,
    rgb,
    panoptic,
    things,
    regions,
    segments: segmentsOf(panoptic, S, things, regions, o),
    covered: cov,
  };
}

function segmentsOf(
  panoptic: Int32Array,
  S: number,
  things: readonly Thing[],
  regions: readonly Region[],
  o: SceneOptions,
): Segment[] {
  const kinds = thingClassCount(o);
  const ids = things.length + regions.length + 1;
  const area = new Int32Array(ids),
    x0 = new Int32Array(ids).fill(S),
    y0 = new Int32Array(ids).fill(S),
    x1 = new Int32Array(ids),
    y1 = new Int32Array(ids);
  for (let y = 0, p = 0; y < S; y++)
    for (let x = 0; x < S; x++, p++) {
      const id = panoptic[p]!;
      area[id]!++;
      if (x < x0[id]!) x0[id] = x;
      if (x >= x1[id]!) x1[id] = x + 1;
      if (y < y0[id]!) y0[id] = y;
      y1[id] = y + 1; // rows are visited in order
    }
  const seg = (id: number, label: number, isThing: boolean): Segment => ({
    id,
    label,
    isThing,
    box: [x0[id]!, y0[id]!, x1[id]!, y1[id]!],
    area: area[id]!,
  });
  return [
    ...things.map((t) => seg(t.id, thingLabel(o, t.geometry.kind, t.color), true)),
    ...regions.filter((r) => area[r.id]! > 0).map((r) => seg(r.id, kinds + r.params.texture, false)),
  ];
}
