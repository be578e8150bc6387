// A tiny COCO + COCO-panoptic dataset written to a temp dir by the tests, with every pixel and id
// known here, so loaders and samplers can be checked against values computed independently.
import sharp from "sharp";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** RGB pixels of a w×h image: a smooth pattern unique per (x, y, seed), well inside 0..255. */
export function pattern(w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      out[i] = ((x * 3 + seed * 17) % 200) + 20;
      out[i + 1] = ((y * 4 + seed * 5) % 200) + 20;
      out[i + 2] = (((x + y) * 2 + seed) % 200) + 20;
    }
  return out;
}

const raw = (data: Uint8Array, width: number, height: number, channels: 3 | 4 = 3) =>
  sharp(Buffer.from(data), { raw: { width, height, channels } });

/** A rectangle [x0, x1) × [y0, y1) painted with segment id `id` in a panoptic map. */
export interface Rect {
  readonly id: number;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export function paint(w: number, h: number, rects: readonly Rect[]): Int32Array {
  const ids = new Int32Array(w * h);
  for (const r of rects) for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) ids[y * w + x] = r.id;
  return ids;
}

export async function writePanopticPng(file: string, ids: Int32Array, w: number, h: number): Promise<void> {
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < ids.length; i++) {
    rgb[i * 3] = ids[i] & 255;
    rgb[i * 3 + 1] = (ids[i] >> 8) & 255;
    rgb[i * 3 + 2] = (ids[i] >> 16) & 255;
  }
  await raw(rgb, w, h).png().toFile(file);
}

export const PAN_W = 48,
  PAN_H = 40;
/** Panoptic segments of image 10: a person (thing), sky and grass (stuff, grass's id needs the B channel), a tiny stuff bit. */
export const PAN_RECTS: readonly Rect[] = [
  { id: 300, x0: 0, y0: 0, x1: 48, y1: 10 }, // sky: top band
  { id: 70001, x0: 0, y0: 30, x1: 40, y1: 40 }, // grass: bottom band, not to the right edge
  { id: 5, x0: 4, y0: 12, x1: 20, y1: 28 }, // person
  { id: 6, x0: 24, y0: 12, x1: 44, y1: 26 }, // second person, partly covered by the 3×3 bit below
  { id: 9, x0: 30, y0: 14, x1: 33, y1: 17 }, // 3×3 stuff: box area 9 < 64 → skipped
];

export interface CocoFiles {
  readonly dir: string;
  readonly instances: Record<string, unknown>;
  readonly panoptic: Record<string, unknown>;
  /** Pixels of the images as written (PNG: exact; JPEG: before compression). */
  readonly pixels: Record<string, Uint8Array>;
}

/** Writes images/, annotations/{instances,panoptic}.json and annotations/panoptic/ under a new temp dir. */
export async function writeCocoFiles(): Promise<CocoFiles> {
  const dir = mkdtempSync(join(tmpdir(), "scdx-coco-"));
  for (const d of ["images", "annotations", "annotations/panoptic"]) mkdirSync(join(dir, d), { recursive: true });
  const pixels: Record<string, Uint8Array> = {
    "a.png": pattern(64, 48, 1),
    "b.jpg": pattern(40, 30, 2),
    "p.png": pattern(PAN_W, PAN_H, 3),
  };
  await raw(pixels["a.png"], 64, 48).png().toFile(join(dir, "images/a.png"));
  await raw(pixels["b.jpg"], 40, 30).jpeg({ quality: 95 }).toFile(join(dir, "images/b.jpg"));
  await raw(pixels["p.png"], PAN_W, PAN_H).png().toFile(join(dir, "images/p.png"));
  // Stored 30 wide × 20 high, left half red, right half blue, tagged "rotate 90° clockwise" (6):
  // upright it is 20 wide × 30 high, red on top, blue below.
  const stored = new Uint8Array(30 * 20 * 3);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 30; x++) stored.set(x < 15 ? [220, 20, 20] : [20, 20, 220], (y * 30 + x) * 3);
  await raw(stored, 30, 20).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(dir, "images/rot.jpg"));
  const good = await sharp(join(dir, "images/b.jpg")).toBuffer();
  writeFileSync(join(dir, "images/trunc.jpg"), good.subarray(0, Math.floor(good.length * 0.6)));
  await writePanopticPng(join(dir, "annotations/panoptic/p.png"), paint(PAN_W, PAN_H, PAN_RECTS), PAN_W, PAN_H);

  const instances = {
    info: { description: "scdx test" },
    images: [
      { id: 2, file_name: "b.jpg", width: 40, height: 30 },
      { id: 1, file_name: "a.png", width: 64, height: 48 },
      { id: 3, file_name: "rot.jpg", width: 20, height: 30 },
    ],
    categories: [
      { id: 18, name: "dog", supercategory: "animal" },
      { id: 1, name: "person", supercategory: "person" },
    ],
    annotations: [
      { id: 101, image_id: 1, category_id: 1, bbox: [4.5, 6, 20, 30], area: 500, iscrowd: 0 },
      { id: 102, image_id: 1, category_id: 18, bbox: [30, 10, 30.5, 20], area: 600, iscrowd: 0 },
      { id: 103, image_id: 1, category_id: 18, bbox: [0, 0, 10, 10], area: 100, iscrowd: 1 },
      { id: 104, image_id: 2, category_id: 1, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0 },
    ],
  };
  const panoptic = {
    images: [{ id: 10, file_name: "p.png", width: PAN_W, height: PAN_H }],
    categories: [
      { id: 201, name: "grass-merged", isthing: 0 },
      { id: 1, name: "person", isthing: 1 },
      { id: 187, name: "sky-other-merged", isthing: 0 },
      { id: 190, name: "wall-other-merged", isthing: 0 },
    ],
    annotations: [
      {
        image_id: 10,
        file_name: "p.png",
        segments_info: [
          { id: 300, category_id: 187, bbox: [0, 0, 48, 10], area: 480, iscrowd: 0 },
          { id: 70001, category_id: 201, bbox: [0, 30, 40, 10], area: 400, iscrowd: 0 },
          // A thing box slightly larger than its pixels: things keep their annotation bbox.
          { id: 5, category_id: 1, bbox: [3, 11, 18, 18], area: 256, iscrowd: 0 },
          { id: 9, category_id: 190, bbox: [30, 14, 3, 3], area: 9, iscrowd: 0 },
          { id: 6, category_id: 1, bbox: [24, 12, 20, 14], area: 271, iscrowd: 0 },
        ],
      },
    ],
  };
  writeFileSync(join(dir, "annotations/instances.json"), JSON.stringify(instances));
  writeFileSync(join(dir, "annotations/panoptic.json"), JSON.stringify(panoptic));
  return { dir, instances, panoptic, pixels };
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const f = join(dir, "annotations", name);
  writeFileSync(f, typeof value === "string" ? value : JSON.stringify(value));
  return f;
}
