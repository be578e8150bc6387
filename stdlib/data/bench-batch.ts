// The region-classification batch (notes/paper.md §4.1, CLIPSelf's COCOPanopticDataset): each image
// letterboxed bottom/right to S, each segment's box in feature cells, its mask resized-and-padded to
// the feature grid (torch bicubic on the float mask, > 0), its label; optionally the teacher's crop
// of it (things: bbox enlarged 1.5×; stuff: the mask's box), letterboxed centred to T.
import type { Sample } from "./sample.ts";
import { CLIP_MEAN, CLIP_STD, normalizeInto, normalizeTable } from "./resize.ts";
import { cropImage, letterboxMask, letterboxStudent, letterboxTeacher, maskBounds, pilCropRect } from "./letterbox.ts";
import { enlargeBox, featureBox, toRgbImage } from "./sampling.ts";

export interface BenchBatchSpec {
  readonly studentSize: number;
  readonly featureGrid: number;
  /** Teacher crop side; crops are only built when given. */
  readonly teacherSize?: number;
  /** Crops of thing segments only (in segment order), e.g. for region classification's `crop`
   * pooling, which scores things only; default false (every segment). */
  readonly cropThingsOnly?: boolean;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
}

export interface BenchBatch {
  readonly images: Float32Array;
  readonly imageShape: readonly [number, number, number, number];
  /** [N, 4] feature cells. */
  readonly boxes: Float32Array;
  /** [N, G, G] 0/1, when the samples have panoptic maps. */
  readonly masks?: Uint8Array;
  readonly labels: Int32Array;
  readonly isThing: Uint8Array;
  readonly boxImage: Int32Array;
  readonly crops?: Float32Array;
  readonly cropShape?: readonly [number, number, number, number];
  readonly featureGrid: number;
  readonly ids: readonly string[];
}

/** CLIPSelf's reference crops enlarge thing boxes 1.5× about their centre. */
export const THING_CROP_SCALE = 1.5;

export function buildBenchBatch(samples: readonly Sample[], spec: BenchBatchSpec): BenchBatch {
  const S = spec.studentSize,
    G = spec.featureGrid,
    T = spec.teacherSize,
    B = samples.length;
  const lut = normalizeTable(spec.mean ?? CLIP_MEAN, spec.std ?? CLIP_STD);
  const N = samples.reduce((n, s) => n + s.segments.length, 0);
  const withMasks = samples.length > 0 && samples.every((s) => s.panoptic !== undefined);
  const images = new Float32Array(B * S * S * 3),
    boxes = new Float32Array(N * 4);
  const labels = new Int32Array(N),
    isThing = new Uint8Array(N),
    boxImage = new Int32Array(N);
  const masks = withMasks ? new Uint8Array(N * G * G) : undefined;
  const C = spec.cropThingsOnly ? samples.reduce((n, s) => n + s.segments.filter((g) => g.isThing).length, 0) : N;
  const crops = T !== undefined ? new Float32Array(C * T * T * 3) : undefined;
  let n = 0,
    c = 0;
  samples.forEach((s, b) => {
    const img = toRgbImage(s);
    normalizeInto(images, b * S * S * 3, letterboxStudent(img, S).data, lut, 3);
    const bounds = masks ? maskBounds(s.panoptic!, s.height, s.width) : undefined; // one scan, not one per segment
    for (const seg of s.segments) {
      boxes.set(featureBox(seg.box, s.width, s.height, S, G), n * 4);
      labels[n] = seg.label;
      isThing[n] = seg.isThing ? 1 : 0;
      boxImage[n] = b;
      const bound = bounds?.get(seg.id);
      // no pixels: all zero
      if (masks && bound) masks.set(letterboxMask(s.panoptic!, s.height, s.width, G, seg.id, bound), n * G * G);
      if (crops && T !== undefined && (seg.isThing || !spec.cropThingsOnly)) {
        const [x0, y0, x1, y1] = pilCropRect(
          seg.isThing ? enlargeBox(seg.box, THING_CROP_SCALE, s.width, s.height) : seg.box,
          s.width,
          s.height,
        );
        normalizeInto(crops, c++ * T * T * 3, letterboxTeacher(cropImage(img, x0, y0, x1, y1), T).data, lut, 3);
      }
      n++;
    }
  });
  return {
    images,
    imageShape: [B, S, S, 3],
    boxes,
    labels,
    isThing,
    boxImage,
    featureGrid: G,
    ids: samples.map((s) => s.id),
    ...(masks ? { masks } : {}),
    ...(crops && T !== undefined ? { crops, cropShape: [C, T, T, 3] as const } : {}),
  };
}
