// The parameter table of a CLIP: every key with its shape (checked against loaded checkpoints),
// a seeded initialisation for the toy world, and the groups `trainable =` names.
import * as tf from "@tensorflow/tfjs";
import type { ClipArch } from "./clip-arch.ts";
import { blockShapes } from "./transformer.ts";
import { gaussian } from "../tensor/random.ts";

export function clipShapes(a: ClipArch): Record<string, number[]> {
  const v = a.vision,
    D = v.width,
    g = v.imageSize / v.patch;
  const out: Record<string, number[]> = {
    "vision_model.embeddings.patch_embedding.weight": [D, 3, v.patch, v.patch],
    "vision_model.embeddings.class_embedding": [D],
    "vision_model.embeddings.position_embedding.weight": [1 + g * g, D],
    "vision_model.pre_layrnorm.weight": [D],
    "vision_model.pre_layrnorm.bias": [D],
    "vision_model.post_layernorm.weight": [D],
    "vision_model.post_layernorm.bias": [D],
    "visual_projection.weight": [a.embedDim, D],
    logit_scale: [],
  };
  for (let i = 0; i < v.layers; i++) Object.assign(out, blockShapes(`vision_model.encoder.layers.${i}.`, v));
  const t = a.text;
  if (t) {
    out["text_model.embeddings.token_embedding.weight"] = [t.vocabSize, t.width];
    out["text_model.embeddings.position_embedding.weight"] = [t.contextLength, t.width];
    out["text_model.final_layer_norm.weight"] = [t.width];
    out["text_model.final_layer_norm.bias"] = [t.width];
    out["text_projection.weight"] = [a.embedDim, t.width];
    for (let i = 0; i < t.layers; i++) Object.assign(out, blockShapes(`text_model.encoder.layers.${i}.`, t));
  }
  return out;
}

/** Standard deviation of each parameter's initialisation, after Hugging Face's CLIP _init_weights. */
function initStd(key: string, a: ClipArch): number | "ones" | "zeros" | "logit" {
  if (key === "logit_scale") return "logit";
  if (/(layer_norm\d|layrnorm|layernorm|final_layer_norm)\.weight$/.test(key)) return "ones";
  if (key.endsWith(".bias")) return "zeros";
  const tower = key.startsWith("text_") && a.text ? a.text : a.vision;
  const W = tower.width,
    L = tower.layers;
  if (key.endsWith("class_embedding")) return W ** -0.5;
  if (/q_proj|k_proj|v_proj/.test(key)) return W ** -0.5 * (2 * L) ** -0.5;
  if (/out_proj/.test(key)) return W ** -0.5;
  if (/fc1/.test(key)) return (2 * W) ** -0.5;
  if (/fc2/.test(key)) return W ** -0.5 * (2 * L) ** -0.5;
  if (key === "visual_projection.weight") return a.vision.width ** -0.5;
  if (key === "text_projection.weight") return (a.text?.width ?? W) ** -0.5;
  return 0.02; // embeddings
}

/** A freshly initialised CLIP: same seed → same numbers on every backend and machine. */
export function initClip(a: ClipArch, seed: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const shapes = clipShapes(a);
  let stream = 0;
  for (const key of Object.keys(shapes).sort()) {
    const shape = shapes[key]!,
      n = shape.reduce((x, y) => x * y, 1),
      s = initStd(key, a);
    stream++;
    if (s === "ones") out[key] = tf.ones(shape);
    else if (s === "zeros") out[key] = tf.zeros(shape);
    else if (s === "logit") out[key] = tf.scalar(Math.log(1 / 0.07));
    else out[key] = tf.tensor(gaussian(n, seed, stream, s), shape);
  }
  return out;
}

export type ClipGroup = "all" | "blocks" | "image" | "text";

/** Does `key` belong to the `trainable =` group? `blocks` = the image tower's transformer blocks
 * (CLIPSelf's trainable set). */
export function inClipGroup(key: string, group: string): boolean {
  switch (group) {
    case "all":
      return true;
    case "blocks":
      return key.startsWith("vision_model.encoder.layers.");
    case "image":
      return key.startsWith("vision_model.") || key === "visual_projection.weight";
    case "text":
      return key.startsWith("text_model.") || key === "text_projection.weight";
    default:
      return false;
  }
}

/** AdamW's no-decay rule (open_clip): 1-D and 0-D params, biases, norms, logit_scale, embeddings' class token. */
export function decays(key: string, shape: readonly number[]): boolean {
  if (shape.length < 2) return false;
  return !/(bias|layer_?norm|layrnorm|logit_scale)/.test(key);
}
