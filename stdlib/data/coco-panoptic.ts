// `coco_panoptic(images:, annotations:, masks:)`: COCO panoptic JSON + PNG segment ids (id = R +
// 256·G + 256²·B) → the panoptic map and its thing/stuff segments, as CLIPSelf's COCOPanopticDataset
// reads them for region classification (notes/paper.md §4.1):
//  - the first 100 entries of an image's segments_info are considered (MAX_SEGMENTS);
//  - a segment's box: the annotation bbox for things, the tight box of its mask for stuff;
//  - a segment whose box covers fewer than `min_area` px² (default 8²) or more than 1024² is skipped.
// Deviation: the reference's stuff box comes from mask2box, whose x1/y1 are the last pixel (not one
// past it), so its boxes are 1 px smaller; ours follow Sample's exclusive convention.
// Skipped segments' pixels are set to 0 (void) in the map, so every id in the map has a Segment.
// The PNG must agree with the JSON: a PNG id not in segments_info, or a listed segment with no pixels,
// is an error naming the PNG, the image and the segment id (as panopticapi's pq_compute checks).
import { join } from "node:path";
import type { Box, Sample, Segment } from "./sample.ts";
import { readCocoJson, type CocoImage, type PanopticAnnotation } from "./coco-schema.ts";
import { DataError } from "./errors.ts";
import { decodeImage, decodeSegmentIds } from "./decode.ts";
import { fingerprintDataset } from "./fingerprint.ts";
import {
  SkipLog,
  checkDecodedSize,
  classIndex,
  imageIndex,
  numberOption,
  requiredPath,
  xywhBox,
  type CocoDataset,
} from "./coco-common.ts";
import { cocoPanoptic as meta } from "./coco.meta.ts";

export const MAX_SEGMENTS = 100;
export const MAX_BOX_AREA = 1024 * 1024;

interface Entry {
  readonly image: CocoImage;
  readonly path: string;
  readonly png: string;
  readonly ann: PanopticAnnotation;
}

export function openCocoPanoptic(options: Record<string, unknown>, baseDir: string): CocoDataset {
  const imagesDir = requiredPath(options, "images", baseDir);
  const annFile = requiredPath(options, "annotations", baseDir);
  const masksDir = requiredPath(options, "masks", baseDir);
  const minArea = numberOption(options, "min_area", 64);
  const limit = options["limit"] === undefined ? undefined : numberOption(options, "limit", 0);
  const log = new SkipLog(options["skip_bad"] === true);

  const json = readCocoJson(annFile, "panoptic");
  const { classes, byId } = classIndex(json.categories, annFile, false);
  const { order, all } = imageIndex(json.images, annFile, limit);
  const byImage = new Map<number, PanopticAnnotation>();
  for (const a of json.annotations) {
    if (!all.has(a.image_id))
      throw new DataError(
        annFile,
        `an annotation (${a.file_name}) refers to image ${a.image_id}, which is not in "images"`,
      );
    if (byImage.has(a.image_id))
      throw new DataError(annFile, `image ${a.image_id} has two annotation entries`, { imageId: a.image_id });
    byImage.set(a.image_id, a);
  }

  const kept: Entry[] = [];
  for (const image of order) {
    const ann = byImage.get(image.id);
    try {
      if (!ann)
        throw new DataError(annFile, `image ${image.id} (${image.file_name}) has no entry in "annotations"`, {
          imageId: image.id,
        });
      const ids = new Set<number>();
      for (const s of ann.segments_info) {
        if (ids.has(s.id))
          throw new DataError(annFile, `segment id ${s.id} is used twice in this image`, {
            imageId: image.id,
            annotationId: s.id,
          });
        ids.add(s.id);
        if (!byId.has(s.category_id))
          throw new DataError(annFile, `category_id ${s.category_id} is not in "categories"`, {
            imageId: image.id,
            annotationId: s.id,
          });
        const box = xywhBox(s.bbox, image);
        if (typeof box === "string") throw new DataError(annFile, box, { imageId: image.id, annotationId: s.id });
      }
      kept.push({ image, ann, path: join(imagesDir, image.file_name), png: join(masksDir, ann.file_name) });
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      log.note(image.id, err);
    }
  }

  async function read(e: Entry): Promise<Sample> {
    const [img, seg] = await Promise.all([decodeImage(e.path, e.image.id), decodeSegmentIds(e.png, e.image.id)]);
    await checkDecodedSize(img, e.image, e.path, annFile);
    const { width: w, height: h } = e.image;
    if (seg.width !== w || seg.height !== h)
      throw new DataError(e.png, `PNG is ${seg.width}×${seg.height}, but the image is ${w}×${h}`, {
        imageId: e.image.id,
      });
    const infos = e.ann.segments_info,
      slot = new Map<number, number>(infos.map((s, i) => [s.id, i]));
    const area = new Float64Array(infos.length),
      x0 = new Int32Array(infos.length).fill(w),
      y0 = new Int32Array(infos.length).fill(h);
    const x1 = new Int32Array(infos.length).fill(-1),
      y1 = new Int32Array(infos.length).fill(-1);
    const ids = seg.ids;
    let last = -1,
      k = -1;
    for (let y = 0, p = 0; y < h; y++)
      for (let x = 0; x < w; x++, p++) {
        const id = ids[p];
        if (id === 0) continue;
        if (id !== last) {
          const s = slot.get(id);
          if (s === undefined)
            throw new DataError(e.png, `segment id ${id} is in the PNG but not in the image's segments_info`, {
              imageId: e.image.id,
              annotationId: id,
            });
          last = id;
          k = s;
        }
        area[k]++;
        if (x < x0[k]) x0[k] = x;
        if (x > x1[k]) x1[k] = x;
        if (y < y0[k]) y0[k] = y;
        if (y > y1[k]) y1[k] = y;
      }
    const segments: Segment[] = [],
      keep = new Set<number>();
    for (let i = 0; i < infos.length; i++) {
      const s = infos[i];
      if (area[i] === 0)
        throw new DataError(e.png, `segment ${s.id} is listed in ${annFile} but has no pixels in the PNG`, {
          imageId: e.image.id,
          annotationId: s.id,
        });
      if (i >= MAX_SEGMENTS) continue;
      const cls = byId.get(s.category_id)!;
      const box: Box = cls.isThing ? (xywhBox(s.bbox, e.image) as Box) : [x0[i], y0[i], x1[i] + 1, y1[i] + 1];
      const boxArea = (box[2] - box[0]) * (box[3] - box[1]);
      if (boxArea < minArea || boxArea > MAX_BOX_AREA) continue;
      keep.add(s.id);
      segments.push({ id: s.id, label: cls.index, isThing: cls.isThing, box, area: area[i], annotationId: s.id });
    }
    if (keep.size < infos.length)
      for (let p = 0; p < ids.length; p++) if (ids[p] !== 0 && !keep.has(ids[p])) ids[p] = 0;
    return {
      id: String(e.image.id),
      file: e.image.file_name,
      width: w,
      height: h,
      rgb: img.rgb,
      segments,
      panoptic: ids,
      captions: [],
    };
  }

  return {
    name: "coco_panoptic",
    classes,
    length: kept.length,
    skipBad: log.enabled,
    skipped: log.skipped,
    async get(i: number): Promise<Sample> {
      const e = kept[i];
      if (!e) throw new RangeError(`coco_panoptic: sample ${i} of ${kept.length}`);
      return log.guard(e.image.id, () => read(e), i);
    },
    fingerprint(opts = {}) {
      return fingerprintDataset({
        kind: `coco_panoptic/${meta.version}`,
        files: [annFile],
        images: kept.flatMap((e) => [
          { name: e.image.file_name, path: e.path },
          { name: `masks/${e.ann.file_name}`, path: e.png },
        ]),
        deep: opts.deep ?? options["deep"] === true,
      });
    },
  };
}
