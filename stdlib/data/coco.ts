// `coco(images:, annotations:, captions?:, proposals?:)`: COCO images with an instances JSON. For
// CLIPSelf only the image list matters (boxes come from grid cells or proposals); the instance boxes
// are still read and checked, for previews, statistics and box-level benches.
//
// Order: images sorted by id; `limit` keeps the first N. Crowd annotations (iscrowd = 1) are not
// instances and are left out. An annotation whose category is unknown, or whose box leaves the image,
// is an error; under `skip_bad` its image is skipped and logged instead (an image with one of its
// boxes silently dropped would be a wrong sample).
import { join } from "node:path";
import type { Box, Sample, Segment } from "./sample.ts";
import { readCocoJson, type CocoImage, type Proposal } from "./coco-schema.ts";
import { DataError } from "./errors.ts";
import { decodeImage } from "./decode.ts";
import { fingerprintDataset } from "./fingerprint.ts";
import {
  SkipLog,
  checkDecodedSize,
  classIndex,
  imageIndex,
  numberOption,
  requiredPath,
  stringOption,
  xywhBox,
  type CocoDataset,
} from "./coco-common.ts";
import { coco as cocoMeta } from "./coco.meta.ts";

interface Entry {
  readonly image: CocoImage;
  readonly path: string;
  readonly segments: Segment[];
  readonly captions: string[];
  readonly proposals?: Box[];
}

export function openCoco(options: Record<string, unknown>, baseDir: string): CocoDataset {
  const imagesDir = requiredPath(options, "images", baseDir);
  const annFile = requiredPath(options, "annotations", baseDir);
  const captionsFile = stringOption(options, "captions", baseDir);
  const proposalsFile = stringOption(options, "proposals", baseDir);
  const log = new SkipLog(options["skip_bad"] === true);
  const limit = options["limit"] === undefined ? undefined : numberOption(options, "limit", 0);

  const json = readCocoJson(annFile, "instances");
  const { classes, byId } = classIndex(json.categories, annFile, true);
  const { order, all } = imageIndex(json.images, annFile, limit);
  const entries = new Map<number, Entry & { bad?: true }>(
    order.map((image) => [image.id, { image, path: join(imagesDir, image.file_name), segments: [], captions: [] }]),
  );
  const fail = (file: string, problem: string, imageId: number, annotationId?: number) => {
    const err = new DataError(file, problem, { imageId, annotationId });
    log.note(imageId, err);
    const e = entries.get(imageId);
    if (e) e.bad = true;
  };

  const seenAnn = new Set<number>();
  for (const a of json.annotations ?? []) {
    const im = all.get(a.image_id);
    if (!im) {
      // No image to skip: under skip_bad the annotation alone is logged.
      const err = new DataError(annFile, `refers to image ${a.image_id}, which is not in "images"`, {
        annotationId: a.id,
      });
      log.note(`annotation ${a.id}`, err);
      continue;
    }
    const e = entries.get(a.image_id);
    if (!e) continue; // beyond `limit`
    if (seenAnn.has(a.id)) {
      fail(annFile, `annotation id ${a.id} is used twice`, a.image_id, a.id);
      continue;
    }
    seenAnn.add(a.id);
    const cls = byId.get(a.category_id);
    if (!cls) {
      fail(annFile, `category_id ${a.category_id} is not in "categories"`, a.image_id, a.id);
      continue;
    }
    const box = xywhBox(a.bbox, im);
    if (typeof box === "string") {
      fail(annFile, box, a.image_id, a.id);
      continue;
    }
    if (a.iscrowd === 1) continue;
    e.segments.push({
      id: e.segments.length + 1,
      label: cls.index,
      isThing: true,
      box,
      area: a.bbox[2] * a.bbox[3],
      annotationId: a.id,
    });
  }

  if (captionsFile) {
    const caps = readCocoJson(captionsFile, "captions");
    for (const c of caps.annotations) {
      if (!all.has(c.image_id)) {
        log.note(
          `caption ${c.id ?? "?"}`,
          new DataError(captionsFile, `refers to image ${c.image_id}, which is not in ${annFile}`, {
            annotationId: c.id,
          }),
        );
        continue;
      }
      entries.get(c.image_id)?.captions.push(c.caption);
    }
  }

  if (proposalsFile) {
    const raw = readCocoJson(proposalsFile, "proposals");
    const list: Proposal[] = Array.isArray(raw) ? raw : raw.annotations;
    for (const e of entries.values()) (e as { proposals?: Box[] }).proposals = [];
    for (const p of list) {
      const im = all.get(p.image_id);
      if (!im) {
        log.note(
          `proposal ${p.id ?? "?"}`,
          new DataError(proposalsFile, `refers to image ${p.image_id}, which is not in ${annFile}`, {
            annotationId: p.id,
          }),
        );
        continue;
      }
      const e = entries.get(p.image_id);
      if (!e) continue;
      const box = xywhBox(p.bbox, im);
      if (typeof box === "string") {
        fail(proposalsFile, box, p.image_id, p.id);
        continue;
      }
      e.proposals!.push(box);
    }
  }

  const kept = [...entries.values()].filter((e) => !e.bad);
  const dataset: CocoDataset = {
    name: "coco",
    classes,
    length: kept.length,
    skipBad: log.enabled,
    skipped: log.skipped,
    async get(i: number): Promise<Sample> {
      const e = kept[i];
      if (!e) throw new RangeError(`coco: sample ${i} of ${kept.length}`);
      return log.guard(
        e.image.id,
        async () => {
          const img = await decodeImage(e.path, e.image.id);
          await checkDecodedSize(img, e.image, e.path, annFile);
          return {
            id: String(e.image.id),
            file: e.image.file_name,
            width: img.width,
            height: img.height,
            rgb: img.rgb,
            segments: e.segments,
            captions: e.captions,
            ...(e.proposals ? { proposals: e.proposals } : {}),
          };
        },
        i,
      );
    },
    fingerprint(opts = {}) {
      return fingerprintDataset({
        kind: `coco/${cocoMeta.version}`,
        files: [annFile, ...(captionsFile ? [captionsFile] : []), ...(proposalsFile ? [proposalsFile] : [])],
        images: kept.map((e) => ({ name: e.image.file_name, path: e.path })),
        deep: opts.deep ?? options["deep"] === true,
      });
    },
  };
  return dataset;
}
