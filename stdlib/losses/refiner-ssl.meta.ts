import type { ComponentMeta } from "../component.ts";

export const refinerSsl: ComponentMeta = {
  name: "refiner_ssl",
  kind: "loss",
  version: "1",
  doc: "HYPOTHESIS: self-supervised Refiner objective — refined full-image tokens over a crop match the frozen CLIP's tokens of the crop seen alone.",
  notes: [
    "The paper does not publish the Refiner's objective (notes/paper.md §2.3). This is the documented",
    "hypothesis: CLIP's dense tokens are cleaner for a zoomed-in crop; train Refiner(dense(full image)),",
    "RoIAligned over a random crop, to match dense(crop resized) token-wise with InfoNCE (or cosine).",
  ],
  inputs: [{ name: "teacher", type: "model", doc: "the frozen CLIP under the Refiner" }],
  options: {
    type: "object",
    properties: {
      tau: { type: "number", exclusiveMinimum: 0, default: 0.2, description: "InfoNCE temperature" },
      objective: { enum: ["infonce", "cosine"], default: "infonce", description: "token-wise objective" },
      crop_min: {
        type: "number",
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.25,
        description: "smallest crop side / image side",
      },
      crop_max: {
        type: "number",
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.75,
        description: "largest crop side / image side",
      },
      crops: { type: "integer", minimum: 1, default: 4, description: "crops per image" },
    },
    additionalProperties: false,
  },
  seeded: true,
  signature: "refiner_ssl(teacher: Model, tau?: Number, …) -> Loss",
  checkInStage({ student, inputs, options, report }) {
    if (student.family !== "refiner")
      report("SCD2003", `refiner_ssl trains a refiner model, but this stage trains ${student.arch}.`);
    const teacher = inputs["teacher"]?.model;
    if (teacher && student.base && teacher.width !== student.base.width)
      report(
        "SCD2102",
        `The teacher's width ${teacher.width} differs from the width ${student.base.width} of the CLIP under the Refiner.`,
        { at: "teacher" },
      );
    if ((options["crop_min"] as number) > (options["crop_max"] as number))
      report("SCD2003", "crop_min is larger than crop_max.", { at: "crop_min" });
  },
};
