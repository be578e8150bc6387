// The shapes of the COCO JSON files we read, checked up front with ajv so that a wrong file fails
// at open time with the field at fault ("annotations[17].bbox must NOT have fewer than 4 items"),
// not later as a NaN box. Only the fields scdx reads are constrained; COCO's others pass through.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { DataError } from "./errors.ts";

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}
export interface CocoCategory {
  id: number;
  name: string;
  isthing?: number;
}
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  iscrowd?: number;
}
export interface CocoInstances {
  images: CocoImage[];
  annotations?: CocoAnnotation[];
  categories: CocoCategory[];
}
export interface PanopticSegmentInfo {
  id: number;
  category_id: number;
  bbox: [number, number, number, number];
  iscrowd?: number;
}
export interface PanopticAnnotation {
  image_id: number;
  file_name: string;
  segments_info: PanopticSegmentInfo[];
}
export interface CocoPanoptic {
  images: CocoImage[];
  annotations: PanopticAnnotation[];
  categories: (CocoCategory & { isthing: number })[];
}
export interface CocoCaptions {
  annotations: { id?: number; image_id: number; caption: string }[];
}
export interface Proposal {
  id?: number;
  image_id: number;
  bbox: [number, number, number, number];
}

const int = { type: "integer" };
const bbox = { type: "array", items: { type: "number", minimum: 0 }, minItems: 4, maxItems: 4 };
const image = {
  type: "object",
  required: ["id", "file_name", "width", "height"],
  properties: {
    id: int,
    file_name: { type: "string", minLength: 1 },
    width: { type: "integer", minimum: 1 },
    height: { type: "integer", minimum: 1 },
  },
};
const category = {
  type: "object",
  required: ["id", "name"],
  properties: { id: int, name: { type: "string", minLength: 1 }, isthing: { enum: [0, 1] } },
};

const instances = {
  type: "object",
  required: ["images", "categories"],
  properties: {
    images: { type: "array", items: image },
    categories: { type: "array", items: category },
    annotations: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "image_id", "category_id", "bbox"],
        properties: { id: int, image_id: int, category_id: int, bbox, iscrowd: { enum: [0, 1] } },
      },
    },
  },
};

const panoptic = {
  type: "object",
  required: ["images", "annotations", "categories"],
  properties: {
    images: { type: "array", items: image },
    categories: { type: "array", items: { ...category, required: ["id", "name", "isthing"] } },
    annotations: {
      type: "array",
      items: {
        type: "object",
        required: ["image_id", "file_name", "segments_info"],
        properties: {
          image_id: int,
          file_name: { type: "string", minLength: 1 },
          segments_info: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "category_id", "bbox"],
              properties: {
                id: { type: "integer", minimum: 1, maximum: 16777215 },
                category_id: int,
                bbox,
                iscrowd: { enum: [0, 1] },
              },
            },
          },
        },
      },
    },
  },
};

const captions = {
  type: "object",
  required: ["annotations"],
  properties: {
    annotations: {
      type: "array",
      items: {
        type: "object",
        required: ["image_id", "caption"],
        properties: { id: int, image_id: int, caption: { type: "string" } },
      },
    },
  },
};

const proposal = { type: "object", required: ["image_id", "bbox"], properties: { id: int, image_id: int, bbox } };
// A results-style list [{image_id, bbox, score?}], or a COCO file whose annotations are the proposals
// (CLIPSelf's coco_proposals.json is read with pycocotools' COCO()); chosen by the top-level type so
// that the error speaks about the layout the file actually has.
const proposals = { type: "array", items: proposal };
const proposalsFile = {
  type: "object",
  required: ["annotations"],
  properties: { annotations: { type: "array", items: proposal } },
};

const ajv = new Ajv({ allErrors: false, strict: false });
const validators: Record<string, ValidateFunction> = {};
const schemas = { instances, panoptic, captions, proposals, proposalsFile } as const;
export type CocoFileKind = "instances" | "panoptic" | "captions" | "proposals";

const what: Record<CocoFileKind, string> = {
  instances: "a COCO instances (or image info) JSON",
  panoptic: "a COCO panoptic JSON",
  captions: "a COCO captions JSON",
  proposals: "a region proposals JSON (a list of {image_id, bbox} or a COCO file with such annotations)",
};

function path(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join("")
    .replace(/^\./, "");
}

// The id of the nearest enclosing element of `annotations` / `segments_info`, to name in the error.
function annotationIdAt(data: unknown, instancePath: string): number | undefined {
  const parts = instancePath.split("/").slice(1);
  let cur: unknown = data,
    id: number | undefined;
  for (const p of parts) {
    if (cur === null || typeof cur !== "object") break;
    cur = (cur as Record<string, unknown>)[p];
    if (cur && typeof cur === "object" && !Array.isArray(cur) && typeof (cur as { id?: unknown }).id === "number")
      id = (cur as { id: number }).id;
  }
  return parts[0] === "annotations" ? id : undefined;
}

function describe(err: ErrorObject, data: unknown): string {
  const at = path(err.instancePath);
  if (err.keyword === "required")
    return `${at || "the top level"} is missing the field "${(err.params as { missingProperty: string }).missingProperty}"`;
  if (err.keyword === "enum")
    return `${at} must be one of ${JSON.stringify((err.params as { allowedValues: unknown[] }).allowedValues)}, got ${JSON.stringify(valueAt(data, err.instancePath))}`;
  return `${at || "the top level"} ${err.message ?? "is invalid"}${err.keyword === "type" || err.keyword === "minimum" ? `, got ${JSON.stringify(valueAt(data, err.instancePath))?.slice(0, 40)}` : ""}`;
}

function valueAt(data: unknown, instancePath: string): unknown {
  let cur = data;
  for (const p of instancePath.split("/").slice(1))
    cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

/** Parses and validates one JSON file; errors are DataErrors naming the file, field and annotation id. */
export function readCocoJson<K extends CocoFileKind>(
  file: string,
  kind: K,
): K extends "instances"
  ? CocoInstances
  : K extends "panoptic"
    ? CocoPanoptic
    : K extends "captions"
      ? CocoCaptions
      : Proposal[] | { annotations: Proposal[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code === "ENOENT" ? "file not found" : `cannot read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, `not valid JSON (${(e as Error).message}); expected ${what[kind]}`);
  }
  const schema = kind === "proposals" && !Array.isArray(data) ? "proposalsFile" : kind;
  const v = (validators[schema] ??= ajv.compile(schemas[schema]));
  if (!v(data)) {
    const err = v.errors![0];
    throw new DataError(file, `not ${what[kind]}: ${describe(err, data)}`, {
      annotationId: annotationIdAt(data, err.instancePath),
    });
  }
  return data as never;
}
