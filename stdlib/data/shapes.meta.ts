import type { ComponentMeta } from "../component.ts";

export const shapes: ComponentMeta = {
  name: "shapes",
  kind: "data",
  version: "2",
  doc: "The deterministic toy world: coloured shapes (things) on textured backgrounds (stuff), with captions, boxes and panoptic masks.",
  notes: [
    "Same options and seed give byte-identical images on any machine: integer PRNG (mulberry32), integer or exactly rounded arithmetic, no Math.sin/cos.",
    "Classes: things = shape kinds (circle, square, triangle, cross, ring, star: the first `kinds`), stuff = textures (stripes, dots, checks, noise, grid, waves: the first `textures`). Colour is an attribute named in captions, not part of the label.",
    "Why not colour × kind labels: a region's mean colour would name its colour, leaving only `kinds` choices — the toy teacher of notes/toyworld.md was no better than mean colour. Here every colour appears with every kind, textures share one mean colour (the mean of the colours in use), and nearest-centroid classification on a region's mean colour stays at chance (1/kinds for thing masks and boxes, 1/textures for stuff masks; test/data/shapes.test.ts).",
    "Each image: 2–3 stuff regions (a warped split of the background, one texture each), shapes 1/4–1/2 of the image side painted back to front (every kind covers ≈ 2.4 r², so area does not name the kind either; same-coloured shapes never touch), three captions (two spatial relations, one left-to-right list; at most 13 words from `shapesVocabulary`).",
    "Second-prototype world (notes/toyworld.md): size: 96, thing_size: 18..40, zoom: 0.25, zoom_shapes: 1..2, zoom_size: 36..64, background: grey, labels: kind_color — 2–4 things of 18–40 px or, one image in four, 1–2 of 36–64 px, on one grey texture, 12 thing classes. There mean colour does name a thing's class; the study reports a pixel baseline for that reason.",
    "difficulty: easy = axis-aligned shapes, ≤ 10% occluded, no noise; medium = rotated, ≤ 35% occluded, colour jitter ±12, noise ±6, a few clutter specks; hard = ≤ 60% occluded, may be cut by the border, jitter ±24, noise ±16, more clutter.",
  ],
  inputs: [],
  options: {
    type: "object",
    properties: {
      images: { type: "integer", minimum: 1, default: 1000, description: "number of images" },
      size: { type: "integer", minimum: 16, maximum: 1024, default: 64, description: "image side in pixels" },
      seed: {
        type: "integer",
        minimum: 0,
        default: 0,
        description: "generator seed (independent of the study's seed)",
      },
      min_shapes: {
        type: "integer",
        minimum: 1,
        maximum: 12,
        default: 2,
        description: "fewest shapes per image (fewer when they cannot be placed within the occlusion limit)",
      },
      max_shapes: { type: "integer", minimum: 1, maximum: 12, default: 4, description: "most shapes per image" },
      colors: { type: "integer", minimum: 2, maximum: 8, default: 4, description: "shape colours" },
      kinds: {
        type: "integer",
        minimum: 2,
        maximum: 6,
        default: 3,
        description: "shape kinds (circle, square, triangle, …)",
      },
      textures: {
        type: "integer",
        minimum: 2,
        maximum: 6,
        default: 3,
        description: "background textures (stuff classes)",
      },
      difficulty: {
        enum: ["easy", "medium", "hard"],
        default: "medium",
        description: "clutter, occlusion and texture noise",
      },
      // The options below have no default on purpose: absent, they draw nothing from the PRNG and
      // enter no fingerprint, so datasets written before them keep their bytes and cache keys.
      thing_size: {
        type: "array",
        items: { type: "integer", minimum: 2, maximum: 1024 },
        minItems: 1,
        description: "thing diameters in pixels, a range such as 18..40 (absent: size/4 to size/2)",
      },
      zoom: {
        type: "number",
        minimum: 0,
        maximum: 1,
        description: "probability of a zoom image: zoom_shapes things of zoom_size pixels (absent: 0)",
      },
      zoom_shapes: {
        type: "array",
        items: { type: "integer", minimum: 1, maximum: 12 },
        minItems: 1,
        description: "things in a zoom image, a range (absent: 1..2)",
      },
      zoom_size: {
        type: "array",
        items: { type: "integer", minimum: 2, maximum: 1024 },
        minItems: 1,
        description: "thing diameters of a zoom image in pixels, a range (absent: 3/8 to 2/3 of size)",
      },
      background: {
        enum: ["regions", "grey"],
        description: "2–3 tinted texture regions (absent: regions) or one untinted grey texture",
      },
      labels: {
        enum: ["kind", "kind_color"],
        description: "thing classes: kinds (absent: kind) or kind × colour (notes/toyworld.md's 12 classes)",
      },
    },
    additionalProperties: false,
  },
  signature: "shapes(images?: Int, size?: Int, seed?: Int, …) -> Dataset{images, captions, boxes, masks, panoptic}",
  dataset({ options, report }) {
    const min = options["min_shapes"] as number,
      max = options["max_shapes"] as number;
    if (min > max) report("SCD2003", `min_shapes ${min} is larger than max_shapes ${max}.`, { at: "min_shapes" });
    return {
      op: "shapes",
      yields: ["images", "captions", "boxes", "masks", "panoptic"],
      size: options["size"] as number,
      things: (options["kinds"] as number) * (options["labels"] === "kind_color" ? (options["colors"] as number) : 1),
      stuff: options["textures"] as number,
    };
  },
};
