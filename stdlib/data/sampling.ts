// CLIPSelf region sampling (notes/paper.md §1.5, §1.7; GridDistillDataset / ProposalDistillDataset):
// per image, regions (grid cells or proposals) in original pixels; per region a teacher crop
// (letterboxed, centred pad) and the region's box in the student's feature coordinates (the image
// letterboxed bottom/right to S, boxes × S/max(h, w) / S × grid). Output is plain typed arrays, so
// it can be built in a worker and turned into tensors where the model runs.
import type { Box, Sample } from "./sample.ts";
import { Rng } from "./rng.ts";
import { CLIP_MEAN, CLIP_STD, normalizeInto, normalizeTable } from "./resize.ts";
import { cropImage, letterboxStudent, letterboxTeacher, pilCropRect, type RgbImage } from "./letterbox.ts";

/** CLIPSelf's ProposalDistillDataset keeps proposals with area in [8², 1024²]. */
export const PROPOSAL_MIN_AREA = 8 * 8;
export const PROPOSAL_MAX_AREA = 1024 * 1024;

export interface GridOptions {
  /** Allowed split counts (rla's `grid`, e.g. 1..6); default 1..maxSplit. */
  readonly grid?: readonly number[];
  /** "clipself": N ∈ [⌊(M+1)/2⌋, min(2M, maxSplit)]; "all": every (M, N) from `grid`. */
  readonly pairs?: "clipself" | "all";
  readonly maxSplit?: number;
}

/** The (M rows, N columns) splits drawn from; CLIPSelf's defaults give its 24 pairs. */
export function gridPairs(opts: GridOptions = {}): [number, number][] {
  const maxSplit = opts.maxSplit ?? Math.max(...(opts.grid ?? [6]));
  const allowed = new Set(opts.grid ?? Array.from({ length: maxSplit }, (_, i) => i + 1));
  const out: [number, number][] = [];
  for (let m = 1; m <= maxSplit; m++) {
    const lo = opts.pairs === "all" ? 1 : Math.floor((m + 1) / 2),
      hi = opts.pairs === "all" ? maxSplit : Math.min(2 * m, maxSplit);
    for (let n = lo; n <= hi; n++) if (allowed.has(m) && allowed.has(n)) out.push([m, n]);
  }
  if (out.length === 0)
    throw new RangeError(
      `no grid splits: grid ${JSON.stringify(opts.grid)}, pairs ${opts.pairs ?? "clipself"}, max ${maxSplit}`,
    );
  return out;
}

/** The M×N equal cells tiling a w×h image, row by row (cell m·N + n), in original pixels. */
export function gridCells(m: number, n: number, w: number, h: number): Box[] {
  const cells: Box[] = [];
  for (let r = 0; r < m; r++)
    for (let c = 0; c < n; c++) cells.push([(c * w) / n, (r * h) / m, ((c + 1) * w) / n, ((r + 1) * h) / m]);
  return cells;
}

/** A box enlarged `scale`× about its centre, clipped to the image (CLIPSelf's crop_scale / 1.5× proposals). */
export function enlargeBox(b: Box, scale: number, w: number, h: number): Box {
  if (scale === 1) return b;
  const cx = (b[0] + b[2]) / 2,
    cy = (b[1] + b[3]) / 2,
    dx = (b[2] - b[0]) * 0.5 * scale,
    dy = (b[3] - b[1]) * 0.5 * scale;
  return [Math.max(cx - dx, 0), Math.max(cy - dy, 0), Math.min(cx + dx, w), Math.min(cy + dy, h)];
}

export interface RegionOptions extends GridOptions {
  readonly regions?: "grid" | "proposals";
  /** Regions per image (CLIPSelf's max_boxes / max_anns = 20). */
  readonly maxBoxes?: number;
  /** Teacher crop enlargement; default 1 for grids, 1.5 for proposals (as CLIPSelf). */
  readonly cropScale?: number;
}

/** One image's regions: `boxes` the student pools, `crops` what the teacher sees (both original px). */
export interface Regions {
  readonly boxes: Box[];
  readonly crops: Box[];
  /** The grid split drawn, for previews and tests. */
  readonly split?: readonly [number, number];
}

export function sampleRegions(
  sample: Pick<Sample, "width" | "height" | "proposals" | "id">,
  rng: Rng,
  opts: RegionOptions = {},
): Regions {
  const { width: w, height: h } = sample,
    maxBoxes = opts.maxBoxes ?? 20;
  if (opts.regions === "proposals") {
    if (!sample.proposals) throw new Error(`sample ${sample.id} has no proposals (give the dataset a proposals file)`);
    const scale = opts.cropScale ?? 1.5;
    // As ProposalDistillDataset: shuffle, take the first max_boxes, then drop those outside the area range.
    const order = rng.shuffle(Array.from(sample.proposals.keys())).slice(0, maxBoxes);
    const boxes = order
      .map((i) => sample.proposals![i])
      .filter((b) => {
        const a = (b[2] - b[0]) * (b[3] - b[1]);
        return a >= PROPOSAL_MIN_AREA && a <= PROPOSAL_MAX_AREA;
      });
    if (boxes.length === 0) {
      // the reference's fallback, so that every image gives one region
      const q: Box = [0, 0, w / 4, h / 4];
      return { boxes: [q], crops: [[0, 0, Math.floor(w / 4), Math.floor(h / 4)]] };
    }
    return { boxes, crops: boxes.map((b) => enlargeBox(b, scale, w, h)) };
  }
  const split = rng.pick(gridPairs(opts));
  const cells = gridCells(split[0], split[1], w, h);
  const k = Math.min(maxBoxes, cells.length);
  const picked = rng
    .shuffle(Array.from(cells.keys()), k)
    .slice(0, k)
    .map((i) => cells[i]);
  return { boxes: picked, crops: picked.map((b) => enlargeBox(b, opts.cropScale ?? 1, w, h)), split };
}

export interface RegionBatchSpec extends RegionOptions {
  /** Student input side S (longest side → S, padded bottom/right). */
  readonly studentSize: number;
  /** Teacher input side T (crops letterboxed, centred). */
  readonly teacherSize: number;
  /** Feature grid side of the student's dense map at S (S / patch size). */
  readonly featureGrid: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
}

export interface RegionBatch {
  /** [B, S, S, 3] normalised student images. */
  readonly images: Float32Array;
  readonly imageShape: readonly [number, number, number, number];
  /** [N, T, T, 3] normalised teacher crops. */
  readonly crops: Float32Array;
  readonly cropShape: readonly [number, number, number, number];
  /** [N, 4] x0, y0, x1, y1 in feature cells of the padded student image. */
  readonly boxes: Float32Array;
  /** [N] which image of the batch each box belongs to. */
  readonly boxImage: Int32Array;
  readonly featureGrid: number;
  readonly ids: readonly string[];
}

export function toRgbImage(s: Pick<Sample, "rgb" | "width" | "height">): RgbImage {
  return { data: s.rgb, width: s.width, height: s.height, channels: 3 };
}

/** Feature-cell box: × S/max(h, w) into the padded square, / S, × grid. */
export function featureBox(b: Box, w: number, h: number, size: number, grid: number): Box {
  const f = (size / Math.max(h, w) / size) * grid;
  return [b[0] * f, b[1] * f, b[2] * f, b[3] * f];
}

/** The RLA batch: one Rng seed per sample (the pipeline derives them from seed, epoch and position). */
export function buildRegionBatch(
  samples: readonly Sample[],
  seeds: readonly number[],
  spec: RegionBatchSpec,
): RegionBatch {
  const S = spec.studentSize,
    T = spec.teacherSize,
    G = spec.featureGrid,
    B = samples.length;
  const lut = normalizeTable(spec.mean ?? CLIP_MEAN, spec.std ?? CLIP_STD);
  const regions = samples.map((s, b) => sampleRegions(s, new Rng(seeds[b]), spec));
  const N = regions.reduce((n, r) => n + r.boxes.length, 0);
  const images = new Float32Array(B * S * S * 3),
    crops = new Float32Array(N * T * T * 3);
  const boxes = new Float32Array(N * 4),
    boxImage = new Int32Array(N);
  let n = 0;
  samples.forEach((s, b) => {
    const img = toRgbImage(s);
    normalizeInto(images, b * S * S * 3, letterboxStudent(img, S).data, lut, 3);
    const r = regions[b];
    for (let i = 0; i < r.boxes.length; i++, n++) {
      boxes.set(featureBox(r.boxes[i], s.width, s.height, S, G), n * 4);
      boxImage[n] = b;
      const [x0, y0, x1, y1] = pilCropRect(r.crops[i], s.width, s.height);
      normalizeInto(crops, n * T * T * 3, letterboxTeacher(cropImage(img, x0, y0, x1, y1), T).data, lut, 3);
    }
  });
  return {
    images,
    imageShape: [B, S, S, 3],
    crops,
    cropShape: [N, T, T, 3],
    boxes,
    boxImage,
    featureGrid: G,
    ids: samples.map((s) => s.id),
  };
}
