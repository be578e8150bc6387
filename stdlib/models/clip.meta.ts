import type { ComponentMeta } from "../component.ts";
import { clipConfigs } from "./configs.ts";

/** An option's number, or the preset's where the call does not set it. */
function numberOr(options: Readonly<Record<string, unknown>>, k: string, d: number): number {
  const v = options[k];
  return typeof v === "number" ? v : d;
}

const int = (min: number, doc: string) => ({ type: "integer", minimum: min, description: doc });

export const clip: ComponentMeta = {
  name: "clip",
  kind: "model",
  version: "1",
  doc: "A CLIP model: ViT image tower with CLIPSelf's dense mode, text tower, projections.",
  notes: [
    "Without `weights` it is initialised from the study's `seed` (toy world); with `weights` it loads a",
    "checkpoint directory (Hugging Face config.json + model.safetensors, or the OpenAI/open_clip key layout).",
    "Architecture overrides (width, layers, …) change the preset; a loaded checkpoint must match them.",
  ],
  inputs: [],
  options: {
    type: "object",
    properties: {
      arch: { enum: Object.keys(clipConfigs), description: "architecture preset" },
      weights: {
        type: "string",
        minLength: 1,
        description: "checkpoint directory or .safetensors file; random init when absent",
      },
      image_size: int(8, "native input side in pixels (default: the preset's)"),
      width: int(8, "image tower width"),
      layers: int(1, "image tower blocks"),
      heads: int(1, "attention heads"),
      patch: int(1, "patch side in pixels"),
      embed_dim: int(1, "joint embedding size"),
    },
    required: ["arch"],
    additionalProperties: false,
  },
  fileOptions: ["weights"],
  seeded: true,
  signature: "clip(arch: Symbol, weights?: String, …) -> Model",
  model({ options, report }) {
    const preset = clipConfigs[options["arch"] as string]!;
    const width = numberOr(options, "width", preset.width),
      heads = numberOr(options, "heads", preset.heads),
      patch = numberOr(options, "patch", preset.patch);
    const imageSize = numberOr(options, "image_size", preset.imageSize);
    if (width % heads !== 0)
      report("SCD2106", `Width ${width} does not split into ${heads} attention heads.`, {
        at: options["heads"] !== undefined ? "heads" : "width",
        label: `${width} is not a multiple of ${heads}`,
      });
    if (imageSize % patch !== 0)
      report("SCD2105", `Images of ${imageSize} px do not tile into ${patch} px patches.`, {
        at: options["image_size"] !== undefined ? "image_size" : "patch",
        label: `${imageSize} is not a multiple of ${patch}`,
      });
    return {
      family: "clip",
      arch: options["arch"] as string,
      width,
      layers: numberOr(options, "layers", preset.layers),
      heads,
      patch,
      imageSize,
      embedDim: numberOr(options, "embed_dim", preset.embedDim),
      text: preset.text,
      groups: ["all", "blocks", "image", "text"],
      defaultTrainable: ["all"],
      frozen: false,
    };
  },
};
