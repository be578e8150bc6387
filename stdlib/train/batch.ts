// What one training step consumes. Produced by stdlib/data's sampling (as Float32Arrays, so a worker
// can build it) and turned into tensors by `batchTensors`.
import type { TokenSegments } from "../losses/segment-contrast.ts";

export interface TrainBatchData {
  /** Student input, letterboxed and normalised: [B,S,S,3]. */
  readonly images: { readonly data: Float32Array; readonly shape: readonly [number, number, number, number] };
  /** Regions in units of the *padded image side* (0…1), [N,4] x0,y0,x1,y1; scaled to each model's grid. */
  readonly boxes?: Float32Array;
  /** Image index of each region, [N]. */
  readonly boxImage?: Int32Array;
  /** Teacher crops, letterboxed to the teacher's input size and normalised: [N,T,T,3]. */
  readonly crops?: { readonly data: Float32Array; readonly shape: readonly [number, number, number, number] };
  /** Caption token ids [B,L] and each row's end-of-text position, for clip_contrastive. */
  readonly tokens?: { readonly ids: Int32Array; readonly length: number; readonly eot: readonly number[] };
  /** Each token's pseudo-segment and each image's segment count, for segment_contrast. */
  readonly segments?: TokenSegments;
}

/** Boxes (normalised to the padded image) in cells of a g×g token grid. */
export function boxesOnGrid(boxes: Float32Array, grid: number): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i++) out[i] = boxes[i]! * grid;
  return out;
}
