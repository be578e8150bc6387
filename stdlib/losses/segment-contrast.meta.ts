import type { ComponentMeta } from "../component.ts";

export const segmentContrast: ComponentMeta = {
  name: "segment_contrast",
  kind: "loss",
  version: "1",
  doc: "Self-supervised dense pretraining (DetCon-style, one view): each dense token is classified into its own pseudo-segment by cosine to L2-normalised segment prototypes.",
  notes: [
    "Pseudo-segments come from the pixels alone (stdlib/data/pseudo-segments.ts): Felzenszwalb–Huttenlocher graph",
    "segmentation on the 4-neighbour grid with colour distance in an opponent space (lightness weighted by",
    "`lightness`), scale `k`, then components under `min_area` pixels merged into their longest-border neighbour.",
    "No dataset labels are read, so it works on any image. A token takes the majority pseudo-segment of its patch.",
    "Per image: prototype_s = L2(mean of L2(dense tokens) in segment s); loss_t = −log softmax_s(cos(token_t, prototype_s)/τ)",
    "[own segment]; tokens weighted 1/(|own segment|·#segments), so every segment counts equally; mean over images.",
    "Gradients flow through tokens and prototypes. τ = 0.3 was the prototype's (notes/toyworld.md; τ = 0.1 gave looser clusters).",
  ],
  inputs: [],
  options: {
    type: "object",
    properties: {
      tau: { type: "number", exclusiveMinimum: 0, default: 0.3, description: "temperature of the cosine logits" },
      k: {
        type: "number",
        exclusiveMinimum: 0,
        default: 1000,
        description: "Felzenszwalb scale: larger prefers larger pseudo-segments",
      },
      min_area: { type: "integer", minimum: 1, default: 20, description: "smallest pseudo-segment in pixels" },
      lightness: {
        type: "number",
        minimum: 0,
        default: 0.1,
        description: "weight of lightness against chroma in the colour distance (low: textures of one hue merge)",
      },
    },
    additionalProperties: false,
  },
  signature: "segment_contrast(tau?: Number, k?: Number, min_area?: Int, lightness?: Number) -> Loss",
};
