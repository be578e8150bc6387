import type { ComponentMeta } from "../component.ts";

export const refiner: ComponentMeta = {
  name: "refiner",
  kind: "model",
  version: "1",
  doc: "The Refiner: a few pre-LN transformer blocks with a residual on a frozen CLIP's dense tokens.",
  notes: [
    "refiner(base) is the composite base∘Refiner: it reads the base's last-layer dense tokens (width D),",
    "applies `depth` blocks of width D with a residual, then the base's frozen final norm and projection,",
    "so its dense output lives in the base's embedding space on the base's token grid.",
    "Wrap the base in frozen(...) to train the Refiner alone (the paper's setting); otherwise a train",
    "stage updates both unless `trainable = refiner`. Architecture beyond this is a hypothesis (notes/paper.md §2.3).",
  ],
  inputs: [{ name: "base", type: "model", doc: "the CLIP whose dense features are refined" }],
  options: {
    type: "object",
    properties: {
      depth: { type: "integer", minimum: 1, maximum: 12, default: 2, description: "refiner blocks" },
      width: { type: "integer", minimum: 1, description: "must equal the base's width (default: it)" },
      heads: { type: "integer", minimum: 1, description: "attention heads (default: the base's)" },
      mlp_ratio: { type: "number", exclusiveMinimum: 0, default: 4, description: "MLP hidden width / width" },
    },
    additionalProperties: false,
  },
  seeded: true,
  signature: "refiner(base: Model, depth?: Int, …) -> Model",
  model({ inputs, options, report }) {
    const base = inputs["base"]?.model;
    if (!base) return undefined;
    if (base.family !== "clip") {
      report("SCD2003", "A Refiner sits on a CLIP model, not on another Refiner.", { at: "base" });
      return undefined;
    }
    const width = typeof options["width"] === "number" ? (options["width"] as number) : base.width;
    const heads = typeof options["heads"] === "number" ? (options["heads"] as number) : base.heads;
    if (width !== base.width)
      report("SCD2102", `The Refiner's width ${width} differs from its base's width ${base.width}.`, {
        at: "width",
        label: `base has width ${base.width}`,
        notes: [
          "the Refiner reads the base's dense tokens and adds its output back to them (a residual), so the widths must agree",
        ],
        help: "drop `width` to use the base's",
      });
    else if (width % heads !== 0)
      report("SCD2106", `Width ${width} does not split into ${heads} attention heads.`, { at: "heads" });
    return {
      ...base,
      family: "refiner",
      arch: `refiner(${base.arch})`,
      base,
      groups: ["all", "refiner"],
      defaultTrainable: base.frozen ? ["refiner"] : ["all"],
      frozen: false,
    };
  },
};
