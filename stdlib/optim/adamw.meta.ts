import type { ComponentMeta } from "../component.ts";

export const adamw: ComponentMeta = {
  name: "adamw",
  kind: "optim",
  version: "1",
  doc: "AdamW with decoupled weight decay (none on biases, norms and 1-D params), warmup and a schedule.",
  notes: [
    "CLIPSelf (EVA backbones): lr 1e-5, weight_decay 0.1, betas [0.9, 0.999], eps 1e-8, warmup 1000, cosine.",
    "open_clip gives OpenAI `ViT-*` models betas [0.9, 0.98] and eps 1e-6 (notes/paper.md §1.6).",
  ],
  inputs: [],
  options: {
    type: "object",
    properties: {
      lr: { type: "number", exclusiveMinimum: 0, default: 1e-4, description: "peak learning rate" },
      weight_decay: { type: "number", minimum: 0, default: 0.1, description: "decoupled weight decay" },
      betas: {
        type: "array",
        items: { type: "number", minimum: 0, exclusiveMaximum: 1 },
        minItems: 2,
        maxItems: 2,
        default: [0.9, 0.999],
        description: "Adam betas",
      },
      eps: { type: "number", exclusiveMinimum: 0, default: 1e-8, description: "Adam epsilon" },
      warmup: { type: "integer", minimum: 0, default: 0, description: "linear warmup steps" },
      schedule: { enum: ["cosine", "constant", "linear"], default: "cosine", description: "decay after warmup" },
      min_lr: { type: "number", minimum: 0, default: 0, description: "learning rate at the end of the schedule" },
    },
    additionalProperties: false,
  },
  signature: "adamw(lr?: Number, weight_decay?: Number, …) -> Optimizer",
};
