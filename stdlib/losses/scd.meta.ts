import type { ComponentMeta } from "../component.ts";

export const scd: ComponentMeta = {
  name: "scd",
  kind: "loss",
  version: "1",
  doc: "Spatial Correlation Distillation: match the student's k×k region correlation maps to a frozen source's.",
  notes: [
    "The source is the first argument: a frozen CLIP (SC-RLA) or a trained refiner model (R-SC-RLA), which",
    "means frozen CLIP ∘ Refiner, never the Refiner alone. Per region: Z = RoIAlign(dense, box, k×k),",
    "S = norm(Z)·norm(Z)ᵀ, optional row min-max rescale, P = softmax(S/τ), loss = CE or KL between rows.",
    "Defaults follow notes/paper.md §2.2, a reconstruction: the paper leaves τ, k, min-max, stop-gradient and KL direction open.",
  ],
  inputs: [{ name: "source", type: "model", doc: "frozen CLIP or refiner model that supplies target correlations" }],
  options: {
    type: "object",
    properties: {
      tau: { type: "number", exclusiveMinimum: 0, default: 0.2, description: "softmax temperature τ" },
      k: { type: "integer", minimum: 1, default: 7, description: "RoIAlign grid per region (k×k positions)" },
      minmax: {
        type: "boolean",
        default: true,
        description: "rescale each correlation row to [0, 1] before the softmax",
      },
      stop_grad: {
        enum: ["source", "source_and_student"],
        default: "source",
        description: "where gradients stop: the source side, or also one student factor",
      },
      divergence: { enum: ["ce", "kl"], default: "ce", description: "cross-entropy or KL (same student gradient)" },
      direction: {
        enum: ["source_to_student", "student_to_source"],
        default: "source_to_student",
        description: "KL(P_source‖P_student) or the reverse",
      },
      similarity: { enum: ["cosine", "dot"], default: "cosine", description: "correlation of token features" },
      scope: {
        enum: ["region", "image"],
        default: "region",
        description: "correlations within each region, or over the whole image",
      },
    },
    additionalProperties: false,
  },
  signature: "scd(source: Model, tau?: Number, k?: Int, …) -> Loss",
  checkInStage({ student, data, inputs, options, report }) {
    const k = options["k"] as number;
    const grid = Math.floor(data.size / student.patch);
    if (k > grid)
      report("SCD2101", `RoIAlign grid k = ${k} is larger than the student's ${grid}×${grid} token grid.`, {
        at: "k",
        label: `at most ${grid}`,
        notes: [
          `${data.size} px images in ${student.patch} px patches give ${grid}×${grid} tokens; a k×k grid per region cannot exceed them`,
        ],
      });
    const source = inputs["source"]?.model;
    if (source) {
      const sgrid = Math.floor(data.size / source.patch);
      if (k <= grid && k > sgrid)
        report("SCD2101", `RoIAlign grid k = ${k} is larger than the source's ${sgrid}×${sgrid} token grid.`, {
          at: "k",
          label: `at most ${sgrid}`,
        });
    }
  },
};
