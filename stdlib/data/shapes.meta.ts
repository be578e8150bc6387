import type { ComponentMeta } from "../component.ts";

export const shapes: ComponentMeta = {
  name: "shapes",
  kind: "data",
  version: "1",
  doc: "The deterministic toy world: coloured shapes (things) on textured backgrounds (stuff), with captions, boxes and panoptic masks.",
  notes: ["Same options and seed give byte-identical images on any machine. Things = colors × kinds; stuff = textures."],
  inputs: [],
  options: {
    type: "object",
    properties: {
      images: { type: "integer", minimum: 1, default: 1000, description: "number of images" },
      size: { type: "integer", minimum: 16, maximum: 1024, default: 64, description: "image side in pixels" },
      seed: { type: "integer", minimum: 0, default: 0, description: "generator seed (independent of the study's seed)" },
      min_shapes: { type: "integer", minimum: 1, default: 2, description: "fewest shapes per image" },
      max_shapes: { type: "integer", minimum: 1, default: 4, description: "most shapes per image" },
      colors: { type: "integer", minimum: 2, maximum: 8, default: 4, description: "shape colours" },
      kinds: { type: "integer", minimum: 2, maximum: 6, default: 3, description: "shape kinds (circle, square, triangle, …)" },
      textures: { type: "integer", minimum: 2, maximum: 6, default: 3, description: "background textures (stuff classes)" },
      difficulty: { enum: ["easy", "medium", "hard"], default: "medium", description: "clutter, occlusion and texture noise" },
    },
    additionalProperties: false,
  },
  signature: "shapes(images?: Int, size?: Int, seed?: Int, …) -> Dataset{images, captions, boxes, masks, panoptic}",
  dataset({ options, report }) {
    const min = options["min_shapes"] as number, max = options["max_shapes"] as number;
    if (min > max) report("SCD2003", `min_shapes ${min} is larger than max_shapes ${max}.`, { at: "min_shapes" });
    return {
      op: "shapes", yields: ["images", "captions", "boxes", "masks", "panoptic"], size: options["size"] as number,
      things: (options["colors"] as number) * (options["kinds"] as number), stuff: options["textures"] as number,
    };
  },
};
