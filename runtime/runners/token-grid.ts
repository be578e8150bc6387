// Token-resolution views of a sample for the probe bench: which cells of the letterboxed student
// input cover the image, and the majority class (or segment) under each cell.
import type { Sample } from "../../stdlib/data/sample.ts";
import { StageError } from "./stage-error.ts";

export const VOID = 255;

/** Token cells of the letterboxed input that overlap the image (not only padding). */
export function insideCells(s: Pick<Sample, "width" | "height">, S: number, G: number): number[] {
  const scale = S / Math.max(s.width, s.height),
    cell = S / G,
    out: number[] = [];
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++)
      if (gy * cell < s.height * scale && gx * cell < s.width * scale) out.push(gy * G + gx);
  return out;
}

/**
 * Ground truth at token resolution: the majority class of the image pixels under each token of the
 * letterboxed (bottom/right padded) student input. Padding and unlabelled pixels are void.
 */
export function tokenLabels(s: Sample, S: number, G: number, by: "class" | "segment" = "class"): Int32Array {
  if (!s.panoptic) throw new StageError(`sample ${s.id} has no panoptic map; the probe needs one`);
  // "segment": the panoptic id itself, so two instances of one class are two segments.
  const label = new Map(s.segments.map((g) => [g.id, by === "class" ? g.label : g.id]));
  const scale = S / Math.max(s.width, s.height),
    cell = S / G;
  const out = new Int32Array(G * G).fill(VOID);
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++) {
      const counts = new Map<number, number>();
      const y0 = Math.floor((gy * cell) / scale),
        y1 = Math.ceil(((gy + 1) * cell) / scale),
        x0 = Math.floor((gx * cell) / scale),
        x1 = Math.ceil(((gx + 1) * cell) / scale);
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const c = y < s.height && x < s.width ? (label.get(s.panoptic[y * s.width + x]!) ?? VOID) : VOID;
          counts.set(c, (counts.get(c) ?? 0) + 1);
        }
      let best = VOID,
        n = -1;
      for (const [c, v] of counts)
        if (v > n || (v === n && c < best)) {
          best = c;
          n = v;
        }
      out[gy * G + gx] = best;
    }
  return out;
}
