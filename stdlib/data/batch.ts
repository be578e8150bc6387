// A batch recipe as plain data (so a worker can receive it) and the one function that cooks it.
import type { Sample } from "./sample.ts";
import { buildRegionBatch, type RegionBatch, type RegionBatchSpec } from "./sampling.ts";
import { buildBenchBatch, type BenchBatch, type BenchBatchSpec } from "./bench-batch.ts";
import { CLIP_MEAN, CLIP_STD, normalizeInto, normalizeTable } from "./resize.ts";
import { letterboxStudent } from "./letterbox.ts";
import { toRgbImage } from "./sampling.ts";
import { pseudoSegments, tokenSegments, type PseudoSegmentOptions } from "./pseudo-segments.ts";

export interface ImageBatchSpec {
  readonly size: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** Also each token's pseudo-segment (segment_contrast), for tokens of `patch` pixels. */
  readonly segments?: { readonly patch: number; readonly options: PseudoSegmentOptions };
}

/** Letterboxed student images only (image-level losses, embedding). */
export interface ImageBatch {
  readonly images: Float32Array;
  readonly imageShape: readonly [number, number, number, number];
  readonly ids: readonly string[];
  readonly captions: readonly (readonly string[])[];
  /** With `segments`: pseudo-segment of each token [B·g·g] (0..K_b−1 per image) and K_b [B]. */
  readonly tokenLabels?: Int32Array;
  readonly tokenCounts?: Int32Array;
}

export type BatchSpec =
  | ({ readonly kind: "regions" } & RegionBatchSpec)
  | ({ readonly kind: "bench" } & BenchBatchSpec)
  | ({ readonly kind: "images" } & ImageBatchSpec);

export type Batch = RegionBatch | BenchBatch | ImageBatch;

export function buildImageBatch(samples: readonly Sample[], spec: ImageBatchSpec): ImageBatch {
  const S = spec.size,
    lut = normalizeTable(spec.mean ?? CLIP_MEAN, spec.std ?? CLIP_STD);
  const images = new Float32Array(samples.length * S * S * 3);
  const seg = spec.segments,
    g = seg ? Math.floor(S / seg.patch) : 0;
  const tokenLabels = seg ? new Int32Array(samples.length * g * g) : undefined,
    tokenCounts = seg ? new Int32Array(samples.length) : undefined;
  samples.forEach((s, b) => {
    const rgb = letterboxStudent(toRgbImage(s), S).data;
    normalizeInto(images, b * S * S * 3, rgb, lut, 3);
    if (!seg) return;
    // From the pixels the student sees (letterbox padding included), never the dataset's labels.
    const t = tokenSegments(pseudoSegments(rgb, S, S, seg.options).labels, S, seg.patch);
    tokenLabels!.set(t.tokens, b * g * g);
    tokenCounts![b] = t.count;
  });
  return {
    ...(seg ? { tokenLabels, tokenCounts } : {}),
    images,
    imageShape: [samples.length, S, S, 3],
    ids: samples.map((s) => s.id),
    captions: samples.map((s) => s.captions),
  };
}

/** `seeds[i]` drives sample i's random choices (region sampling); other kinds ignore it. */
export function buildBatch(spec: BatchSpec, samples: readonly Sample[], seeds: readonly number[]): Batch {
  switch (spec.kind) {
    case "regions":
      return buildRegionBatch(samples, seeds, spec);
    case "bench":
      return buildBenchBatch(samples, spec);
    case "images":
      return buildImageBatch(samples, spec);
  }
}

/** The typed arrays of a batch (to transfer between threads without copying). */
export function batchBuffers(batch: Batch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(batch))
    if (ArrayBuffer.isView(v) && !out.includes(v.buffer as ArrayBuffer)) out.push(v.buffer as ArrayBuffer);
  return out;
}
