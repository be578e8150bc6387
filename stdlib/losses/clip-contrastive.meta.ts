import type { ComponentMeta } from "../component.ts";

export const clipContrastive: ComponentMeta = {
  name: "clip_contrastive",
  kind: "loss",
  version: "1",
  doc: "CLIP's symmetric image-text InfoNCE over the batch (pretraining a toy CLIP).",
  inputs: [],
  options: {
    type: "object",
    properties: {
      temperature: { type: "number", exclusiveMinimum: 0, default: 0.07, description: "initial temperature" },
      learn_temperature: { type: "boolean", default: true, description: "learn the logit scale" },
    },
    additionalProperties: false,
  },
  signature: "clip_contrastive(temperature?: Number) -> Loss",
  checkInStage({ student, data, report }) {
    if (!data.yields.includes("captions"))
      report("SCD2104", `clip_contrastive needs captions, and the stage's dataset (${data.op}) has none.`, {
        help: data.op === "coco" ? "give coco a `captions:` file" : undefined,
      });
    if (!student.text) report("SCD2104", "clip_contrastive needs a model with a text tower.");
  },
};
