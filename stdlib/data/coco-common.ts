// What the COCO readers share: option access, the class vocabulary, the image index, the skip log
// and the check that a decoded image matches the size its JSON states.
import { resolve } from "node:path";
import type { ClassInfo, Dataset } from "./sample.ts";
import type { CocoCategory, CocoImage } from "./coco-schema.ts";
import { DataError, type Skip } from "./errors.ts";
import type { DecodedImage } from "./decode.ts";

/** A COCO dataset (instances or panoptic), with what `skip_bad` left out. */
export interface CocoDataset extends Dataset {
  readonly skipBad: boolean;
  readonly skipped: readonly Skip[];
}

export function stringOption(options: Record<string, unknown>, key: string, baseDir: string): string | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "")
    throw new TypeError(`option ${key} must be a non-empty path, got ${JSON.stringify(v)}`);
  return resolve(baseDir, v);
}

export function requiredPath(options: Record<string, unknown>, key: string, baseDir: string): string {
  const p = stringOption(options, key, baseDir);
  if (p === undefined) throw new TypeError(`option ${key} is required`);
  return p;
}

export function numberOption(options: Record<string, unknown>, key: string, fallback: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new TypeError(`option ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Classes in category-id order, indices 0..C−1: CLIPSelf's COCOPanopticDataset maps
 * `sorted(cat ids)` → labels, and its text embeddings are stored in that order. (In the official
 * COCO files the JSON already lists categories by increasing id, so this is also the JSON's order.)
 */
export function classIndex(
  categories: readonly CocoCategory[],
  file: string,
  thingDefault: boolean,
): { classes: ClassInfo[]; byId: Map<number, ClassInfo> } {
  const seen = new Set<number>();
  for (const c of categories) {
    if (seen.has(c.id)) throw new DataError(file, `category id ${c.id} ("${c.name}") is listed twice`);
    seen.add(c.id);
  }
  const classes = [...categories]
    .sort((a, b) => a.id - b.id)
    .map(
      (c, index): ClassInfo => ({
        index,
        id: c.id,
        name: c.name,
        isThing: c.isthing === undefined ? thingDefault : c.isthing === 1,
      }),
    );
  return { classes, byId: new Map(classes.map((c) => [c.id, c])) };
}

/** Images sorted by id (the dataset order), `limit` first ones kept; duplicate ids are an error. */
export function imageIndex(
  images: readonly CocoImage[],
  file: string,
  limit: number | undefined,
): { order: CocoImage[]; all: Map<number, CocoImage> } {
  const all = new Map<number, CocoImage>();
  for (const im of images) {
    if (all.has(im.id))
      throw new DataError(
        file,
        `image id ${im.id} is listed twice ("${all.get(im.id)!.file_name}", "${im.file_name}")`,
        { imageId: im.id },
      );
    all.set(im.id, im);
  }
  const order = [...images].sort((a, b) => a.id - b.id);
  return { order: limit !== undefined ? order.slice(0, limit) : order, all };
}

/** Skips under `skip_bad: true`: each sample id once, in the order they happened. */
export class SkipLog {
  readonly skipped: Skip[] = [];
  private readonly ids = new Set<string>();
  /** Sample position of each entry of `skipped` (-1: found while opening), kept ascending. */
  private readonly positions: number[] = [];
  constructor(readonly enabled: boolean) {}

  /**
   * Records the skip when enabled; otherwise rethrows. Reads run concurrently (the loader
   * prefetches), so they fail in any order; entries are kept in sample order, skips found while
   * opening first, so a run reports the same list every time.
   */
  note(id: string | number, err: DataError, position = -1): void {
    if (!this.enabled) throw err;
    const key = String(id);
    if (this.ids.has(key)) return;
    this.ids.add(key);
    let at = this.positions.length;
    while (at > 0 && this.positions[at - 1]! > position) at--;
    this.positions.splice(at, 0, position);
    this.skipped.splice(at, 0, { id: key, reason: err.message });
  }

  /** Runs the read of the sample at `position`, noting a DataError against `id` before it propagates. */
  async guard<T>(id: string | number, read: () => Promise<T>, position = -1): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof DataError) this.note(id, err, position);
      throw err;
    }
  }
}

export async function checkDecodedSize(
  img: DecodedImage,
  im: CocoImage,
  path: string,
  jsonFile: string,
): Promise<void> {
  if (img.width === im.width && img.height === im.height) return;
  const o = await img.orientation();
  const turned = o >= 5 && img.width === im.height && img.height === im.width;
  throw new DataError(
    path,
    `decoded image is ${img.width}×${img.height}${o !== 1 ? ` after EXIF orientation ${o}` : ""}, but ${jsonFile} says ${im.width}×${im.height}` +
      (turned ? "; the annotations were made on the unrotated pixels, so they would not match the upright image" : ""),
    { imageId: im.id },
  );
}

/** A COCO [x, y, w, h] box that must lie inside the image (1 px slack for COCO's rounding). */
export function xywhBox(b: readonly number[], im: CocoImage): [number, number, number, number] | string {
  const [x, y, w, h] = b;
  if (x + w > im.width + 1 || y + h > im.height + 1)
    return `bbox [${b.join(", ")}] extends beyond the ${im.width}×${im.height} image`;
  return [x, y, x + w, y + h];
}
