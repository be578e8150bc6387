// The probe's `segments: instances` protocol: per image, the ground truth is the image's panoptic
// segments (two red circles are two segments), k defaults to their count, clusters are matched to
// segments one-to-one (Hungarian), and the image's mIoU averages its segments' IoUs; the bench
// reports the mean over images. Unlike the class protocol, a feature that only encodes colour cannot
// separate two same-coloured things, so this is the probe on which learned spatial structure shows
// in a world whose classes are colours (notes/toyworld.md, "Second prototype", counts instances so).
import { kmeansProbe } from "./kmeans-probe.ts";

const VOID = 255; // the ground truth's "unknown" (COCO-Stuff's and mmseg's), as kmeans-probe.ts

export interface InstanceProbe {
  readonly miou: number | null;
  readonly pixelAccuracy: number | null;
  /** Per token: the panoptic id of the segment its cluster was matched to, VOID if unmatched. */
  readonly segment: Int32Array;
}

/** `tokens` [n, d]; `segments` [n] panoptic id per token, VOID where unknown. */
export function instanceProbe(
  tokens: ArrayLike<number>,
  d: number,
  segments: Int32Array,
  opts: { readonly k?: number; readonly seed?: number; readonly maxIter?: number },
): InstanceProbe {
  // Panoptic ids are arbitrary integers: number the image's segments 0..S-1 for the matching.
  const index = new Map<number, number>(),
    ids: number[] = [];
  const local = Int32Array.from(segments, (g) => {
    if (g === VOID) return VOID;
    let i = index.get(g);
    if (i === undefined) {
      i = ids.length;
      index.set(g, i);
      ids.push(g);
    }
    return i;
  });
  const r = kmeansProbe(tokens, d, local, Math.max(1, ids.length), { ...opts, voidLabel: VOID });
  const segment = Int32Array.from(r.kmeans.assignments, (a) => {
    const s = r.clusterToClass[a]!;
    return s < 0 ? VOID : ids[s]!;
  });
  return { miou: r.miou, pixelAccuracy: r.pixelAccuracy, segment };
}

/** Mean over images of per-image scores; images without a labelled token are left out. */
export class ImageMean {
  private sum = 0;
  private n = 0;
  add(x: number | null): void {
    if (x === null) return;
    this.sum += x;
    this.n++;
  }
  result(): number | null {
    return this.n ? this.sum / this.n : null;
  }
}
