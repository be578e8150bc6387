// `scdx data --stats`: what a dataset holds, counted by reading every sample (or the first N).
import type { ClassInfo, Dataset } from "../../stdlib/data/sample.ts";

export interface ClassStats {
  segments: number;
  /** Images with at least one segment of the class. */
  images: number;
  /** Pixels (panoptic area) over all its segments. */
  area: number;
}

export interface DataStats {
  readonly images: number;
  readonly perClass: readonly ClassStats[];
  readonly thingBoxes: number;
  readonly stuffSegments: number;
  readonly captions: number;
  readonly words: number;
  /** Pixels labelled 0 (void) in panoptic maps, and all pixels of images that have one. */
  readonly voidPixels: number;
  readonly panopticPixels: number;
  /** Smallest and largest width and height. */
  readonly width: readonly [number, number];
  readonly height: readonly [number, number];
  readonly skipped: number;
}

export async function collectStats(ds: Dataset, limit = ds.length): Promise<DataStats> {
  const n = Math.min(limit, ds.length);
  const perClass: ClassStats[] = ds.classes.map(() => ({ segments: 0, images: 0, area: 0 }));
  const words = new Set<string>();
  let thingBoxes = 0,
    stuffSegments = 0,
    captions = 0,
    voidPixels = 0,
    panopticPixels = 0;
  const width: [number, number] = [Infinity, 0],
    height: [number, number] = [Infinity, 0];
  for (let i = 0; i < n; i++) {
    const s = await ds.get(i);
    width[0] = Math.min(width[0], s.width);
    width[1] = Math.max(width[1], s.width);
    height[0] = Math.min(height[0], s.height);
    height[1] = Math.max(height[1], s.height);
    const seen = new Set<number>();
    for (const g of s.segments) {
      const c = perClass[g.label];
      if (!c)
        throw new Error(
          `sample ${s.id}: segment ${g.id} has label ${g.label}, outside the ${ds.classes.length} classes`,
        );
      c.segments++;
      c.area += g.area;
      if (!seen.has(g.label)) {
        c.images++;
        seen.add(g.label);
      }
      if (g.isThing) thingBoxes++;
      else stuffSegments++;
    }
    captions += s.captions.length;
    for (const cap of s.captions) for (const w of cap.toLowerCase().split(/\s+/)) if (w) words.add(w);
    if (s.panoptic) {
      panopticPixels += s.panoptic.length;
      for (const v of s.panoptic) if (v === 0) voidPixels++;
    }
  }
  return {
    images: n,
    perClass,
    thingBoxes,
    stuffSegments,
    captions,
    words: words.size,
    voidPixels,
    panopticPixels,
    width: n ? width : [0, 0],
    height: n ? height : [0, 0],
    skipped: ds.skipped?.length ?? 0,
  };
}

export function renderStats(st: DataStats, classes: readonly ClassInfo[], of: number): string {
  const nameW = Math.max(5, ...classes.map((c) => c.name.length));
  const row = (cols: string[]) =>
    `  ${cols[0]!.padEnd(nameW)}  ${cols[1]!.padEnd(5)}  ${cols
      .slice(2)
      .map((c) => c.padStart(9))
      .join("  ")}\n`;
  let out = `${st.images} image${st.images === 1 ? "" : "s"}${st.images < of ? ` (the first ${st.images} of ${of})` : ""}, `;
  const span = ([lo, hi]: readonly [number, number]) => (lo === hi ? `${lo}` : `${lo}–${hi}`);
  out += `${span(st.width)}×${span(st.height)} px\n`;
  const things = classes.filter((c) => c.isThing).length;
  out += `${classes.length} classes: ${things} thing${things === 1 ? "" : "s"}, ${classes.length - things} stuff\n\n`;
  out += row(["class", "kind", "segments", "images", "mean px"]);
  for (const c of classes) {
    const s = st.perClass[c.index]!;
    out += row([
      c.name,
      c.isThing ? "thing" : "stuff",
      String(s.segments),
      String(s.images),
      s.segments ? (s.area / s.segments).toFixed(1) : "-",
    ]);
  }
  const per = (n: number) => (st.images ? (n / st.images).toFixed(2) : "0");
  out += `\nboxes: ${st.thingBoxes} thing boxes (${per(st.thingBoxes)} per image), ${st.stuffSegments} stuff segments (${per(st.stuffSegments)} per image)\n`;
  out += `captions: ${st.captions} (${per(st.captions)} per image), ${st.words} distinct words\n`;
  if (st.panopticPixels) out += `panoptic: ${((100 * st.voidPixels) / st.panopticPixels).toFixed(2)}% void pixels\n`;
  if (st.skipped) out += `skipped: ${st.skipped} samples (skip_bad)\n`;
  return out;
}
