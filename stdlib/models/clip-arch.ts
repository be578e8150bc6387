// The numbers a CLIP forward pass needs, read from a Hugging Face config.json or from the facts the
// checker derived from a `clip(arch: …)` call. One type for both, so a loaded checkpoint and a
// randomly initialised toy model go through the same code.
import type { ModelFacts } from "../../core/facts.ts";
import type { Activation } from "../tensor/nn.ts";

export interface TowerArch {
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly mlp: number; // MLP hidden width (intermediate_size)
  readonly act: Activation;
  readonly eps: number; // LayerNorm epsilon
}

export interface ClipArch {
  readonly vision: TowerArch & { readonly patch: number; readonly imageSize: number };
  readonly text:
    | (TowerArch & { readonly contextLength: number; readonly vocabSize: number; readonly eotId: number })
    | null;
  readonly embedDim: number;
}

/** Hidden activations as Hugging Face's config names them. */
const HF_ACT: Readonly<Record<string, Activation>> = {
  quick_gelu: "quick_gelu",
  gelu: "gelu",
  gelu_new: "gelu_tanh",
  gelu_pytorch_tanh: "gelu_tanh",
};

export function archFromFacts(f: ModelFacts): ClipArch {
  const act: Activation = f.arch === "vit_tiny" ? "gelu_tanh" : "quick_gelu";
  return {
    vision: {
      width: f.width,
      layers: f.layers,
      heads: f.heads,
      mlp: 4 * f.width,
      act,
      eps: 1e-5,
      patch: f.patch,
      imageSize: f.imageSize,
    },
    text: f.text && {
      width: f.text.width,
      layers: f.text.layers,
      heads: f.text.heads,
      mlp: 4 * f.text.width,
      act,
      eps: 1e-5,
      contextLength: f.text.contextLength,
      vocabSize: f.text.vocabSize,
      eotId: f.text.vocabSize - 1,
    },
    embedDim: f.embedDim,
  };
}

type Json = Record<string, unknown>;

const VISION_DEFAULTS = { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072 };
const TEXT_DEFAULTS = { hidden_size: 512, num_hidden_layers: 12, num_attention_heads: 8, intermediate_size: 2048 };

export class ConfigError extends Error {}

/** Parse a Hugging Face CLIPModel config.json (vision_config/text_config/projection_dim). */
export function archFromHfConfig(cfg: Json, file = "config.json"): ClipArch {
  const num = (o: Json, k: string, d?: number): number => {
    const v = o[k] ?? d;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new ConfigError(`${file}: '${k}' must be a number, found ${JSON.stringify(o[k])}`);
    return v;
  };
  const act = (o: Json): Activation => {
    const a = String(o["hidden_act"] ?? "quick_gelu");
    const r = HF_ACT[a];
    if (!r)
      throw new ConfigError(`${file}: unsupported hidden_act '${a}' (supported: ${Object.keys(HF_ACT).join(", ")})`);
    return r;
  };
  const v = cfg["vision_config"] as Json | undefined;
  if (!v || typeof v !== "object")
    throw new ConfigError(`${file}: no 'vision_config' object; is this a CLIPModel config?`);
  const t = cfg["text_config"] as Json | undefined;
  // Fields a config leaves out take transformers' CLIPVisionConfig / CLIPTextConfig defaults.
  const tower = (o: Json, d: typeof VISION_DEFAULTS): TowerArch => ({
    width: num(o, "hidden_size", d.hidden_size),
    layers: num(o, "num_hidden_layers", d.num_hidden_layers),
    heads: num(o, "num_attention_heads", d.num_attention_heads),
    mlp: num(o, "intermediate_size", d.intermediate_size),
    act: act(o),
    eps: num(o, "layer_norm_eps", 1e-5),
  });
  return {
    vision: { ...tower(v, VISION_DEFAULTS), patch: num(v, "patch_size", 32), imageSize: num(v, "image_size", 224) },
    text:
      t && typeof t === "object"
        ? {
            ...tower(t, TEXT_DEFAULTS),
            contextLength: num(t, "max_position_embeddings", 77),
            vocabSize: num(t, "vocab_size", 49408),
            eotId: eotId({ vocab_size: 49408, ...t }),
          }
        : null,
    embedDim: num(cfg, "projection_dim", 512),
  };
}

// OpenAI's end-of-text token is the vocabulary's last id. Hugging Face configs converted before
// 2023 say eos_token_id 2, which transformers itself treats as "use the largest id" (argmax).
function eotId(t: Json): number {
  const vocab = t["vocab_size"] as number,
    eos = t["eos_token_id"];
  return typeof eos === "number" && eos !== 2 ? eos : vocab - 1;
}

const HF_ACT_NAME: Readonly<Record<Activation, string>> = {
  quick_gelu: "quick_gelu",
  gelu: "gelu",
  gelu_tanh: "gelu_pytorch_tanh",
};

/** The config.json that `archFromHfConfig` reads back, for export. */
export function hfConfig(a: ClipArch): Json {
  const tower = (t: TowerArch) => ({
    hidden_size: t.width,
    num_hidden_layers: t.layers,
    num_attention_heads: t.heads,
    intermediate_size: t.mlp,
    hidden_act: HF_ACT_NAME[t.act],
    layer_norm_eps: t.eps,
  });
  return {
    architectures: ["CLIPModel"],
    model_type: "clip",
    projection_dim: a.embedDim,
    logit_scale_init_value: 2.6592,
    vision_config: {
      ...tower(a.vision),
      patch_size: a.vision.patch,
      image_size: a.vision.imageSize,
      num_channels: 3,
      model_type: "clip_vision_model",
    },
    text_config: a.text
      ? {
          ...tower(a.text),
          max_position_embeddings: a.text.contextLength,
          vocab_size: a.text.vocabSize,
          eos_token_id: a.text.eotId,
          bos_token_id: a.text.eotId - 1,
          pad_token_id: 1,
          model_type: "clip_text_model",
        }
      : undefined,
  };
}
