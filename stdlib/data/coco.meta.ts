import type { ComponentMeta } from "../component.ts";

const path = (doc: string) => ({ type: "string", minLength: 1, description: doc });
const common = {
  size: {
    type: "integer",
    minimum: 32,
    maximum: 4096,
    default: 1024,
    description: "student input side: longest side resized, padded bottom/right",
  },
  skip_bad: {
    type: "boolean",
    default: false,
    description: "skip unreadable images and bad annotations (counted and reported) instead of failing",
  },
  limit: { type: "integer", minimum: 1, description: "use only the first N images (by id), for small runs" },
  deep: {
    type: "boolean",
    description: "fingerprint image bytes too, not only names and sizes (slow on large sets; default false)",
  },
};

export const coco: ComponentMeta = {
  name: "coco",
  kind: "data",
  version: "1",
  doc: "COCO images with an instances JSON (80 thing classes); optional captions and region proposals.",
  notes: ["For CLIPSelf training only the image list matters; boxes come from grid cells or `proposals`."],
  inputs: [],
  options: {
    type: "object",
    properties: {
      images: path("image folder, e.g. train2017/"),
      annotations: path("instances JSON, e.g. annotations/instances_train2017.json"),
      captions: path("captions JSON, e.g. annotations/captions_train2017.json"),
      proposals: path("region proposals JSON (CLIPSelf's coco_proposals.json layout)"),
      ...common,
    },
    required: ["images", "annotations"],
    additionalProperties: false,
  },
  fileOptions: ["images", "annotations", "captions", "proposals"],
  signature:
    "coco(images: String, annotations: String, captions?: String, proposals?: String) -> Dataset{images, boxes, …}",
  dataset({ options }) {
    const yields: ("images" | "boxes" | "captions" | "proposals")[] = ["images", "boxes"];
    if (options["captions"] !== undefined) yields.push("captions");
    if (options["proposals"] !== undefined) yields.push("proposals");
    return { op: "coco", yields, size: options["size"] as number, things: 80, stuff: 0 };
  },
};

export const cocoPanoptic: ComponentMeta = {
  name: "coco_panoptic",
  kind: "data",
  version: "1",
  doc: "COCO panoptic: panoptic JSON + PNG segment ids → thing and stuff masks and boxes (133 classes).",
  notes: [
    "As CLIPSelf's COCOPanopticDataset: the first 100 segments of an image are considered; those whose box is under",
    "`min_area` px² (or over 1024²) are skipped and become void (0) in the panoptic map; stuff boxes are the tight",
    "boxes of their masks. Classes are indexed in category-id order (133 for COCO panoptic).",
  ],
  inputs: [],
  options: {
    type: "object",
    properties: {
      images: path("image folder, e.g. val2017/"),
      annotations: path("panoptic JSON, e.g. annotations/panoptic_val2017.json"),
      masks: path("folder of panoptic PNGs, e.g. annotations/panoptic_val2017/"),
      min_area: {
        type: "number",
        minimum: 0,
        default: 64,
        description:
          "skip segments whose box (thing: its bbox; stuff: its mask's tight box) covers fewer px² (CLIPSelf: 8²)",
      },
      ...common,
    },
    required: ["images", "annotations", "masks"],
    additionalProperties: false,
  },
  fileOptions: ["images", "annotations", "masks"],
  signature:
    "coco_panoptic(images: String, annotations: String, masks: String) -> Dataset{images, boxes, masks, panoptic}",
  dataset({ options }) {
    return {
      op: "coco_panoptic",
      yields: ["images", "boxes", "masks", "panoptic"],
      size: options["size"] as number,
      things: 80,
      stuff: 53,
    };
  },
};
