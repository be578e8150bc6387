// CLIP as pure functions of (params, input). Parameter names and shapes are Hugging Face's
// CLIPModel keys (vision_model.*, text_model.*, visual_projection, text_projection, logit_scale);
// other layouts are mapped onto them when loading (stdlib/models/load-clip.ts).
// Images are NHWC, already normalised with CLIP's mean/std.
import * as tf from "@tensorflow/tfjs";
import { bicubicWeights } from "../data/resize.ts";
import { l2normalize, layerNorm, linear, p, type Params } from "../tensor/nn.ts";
import type { ClipArch } from "./clip-arch.ts";
import { block } from "./transformer.ts";

const V = "vision_model.",
  T = "text_model.";

/** Image → patch tokens (ky, kx, c order, matching the conv weight [D,3,p,p] read as a matrix). */
function patchEmbed(params: Params, arch: ClipArch, x: tf.Tensor): tf.Tensor {
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const P = arch.vision.patch,
    gh = H / P,
    gw = W / P,
    D = arch.vision.width;
  if (!Number.isInteger(gh) || !Number.isInteger(gw))
    throw new Error(`image ${H}×${W} does not tile into ${P} px patches`);
  const rows = x.reshape([B * gh, P, gw, P * C]); // [B·gh,P,gw,P·C]
  const patches = tf.transpose(rows, [0, 2, 1, 3]).reshape([B * gh * gw, P * P * C]); // [B·T,P·P·C]
  // [D,P·P·C]
  const w = tf.transpose(p(params, `${V}embeddings.patch_embedding.weight`), [0, 2, 3, 1]).reshape([D, P * P * C]);
  return linear(patches, w).reshape([B, gh * gw, D]); // [B,T,D]
}

/**
 * Position embeddings for a gh×gw grid: the checkpoint's grid resized bicubically
 * (align_corners=False, as CLIPSelf does); the class token's embedding is kept as is.
 */
export function positionEmbedding(params: Params, arch: ClipArch, gh: number, gw: number): tf.Tensor {
  const pos = p(params, `${V}embeddings.position_embedding.weight`); // [1+g²,D]
  const D = arch.vision.width,
    g = Math.round(Math.sqrt(pos.shape[0]! - 1));
  if (g === gh && g === gw) return pos;
  const cls = pos.slice([0, 0], [1, D]); // [1,D]
  const grid = pos.slice([1, 0], [g * g, D]); // [g·g,D] rows y, cols x
  const ry = tf.tensor2d(bicubicWeights(g, gh), [gh, g]),
    rx = tf.tensor2d(bicubicWeights(g, gw), [gw, g]);
  const ys = tf.matMul(ry, grid.reshape([g, g * D])).reshape([gh, g, D]); // [gh,g,D]
  const xs = tf.transpose(ys, [1, 0, 2]).reshape([g, gh * D]); // [g,gh·D]
  const out = tf.transpose(tf.matMul(rx, xs).reshape([gw, gh, D]), [1, 0, 2]); // [gh,gw,D]
  return tf.concat([cls, out.reshape([gh * gw, D])], 0); // [1+gh·gw,D]
}

/** Embeddings, pre-LN and the first `upTo` blocks: [B,1+T,D]. */
function imageTrunk(params: Params, arch: ClipArch, x: tf.Tensor, upTo: number): tf.Tensor {
  const [B, H, W] = x.shape as [number, number, number, number];
  const P = arch.vision.patch,
    D = arch.vision.width;
  const tokens = patchEmbed(params, arch, x); // [B,T,D]
  const cls = tf.tile(p(params, `${V}embeddings.class_embedding`).reshape([1, 1, D]), [B, 1, 1]); // [B,1,D]
  let h = tf.add(tf.concat([cls, tokens], 1), positionEmbedding(params, arch, H / P, W / P)); // [B,1+T,D]
  h = layerNorm(h, p(params, `${V}pre_layrnorm.weight`), p(params, `${V}pre_layrnorm.bias`), arch.vision.eps);
  for (let i = 0; i < upTo; i++) h = block(params, `${V}encoder.layers.${i}.`, h, arch.vision);
  return h;
}

/** The global image embedding (unnormalised): CLS → post-LN → projection. [B,E] */
export function encodeImage(params: Params, arch: ClipArch, x: tf.Tensor): tf.Tensor {
  const h = imageTrunk(params, arch, x, arch.vision.layers); // [B,1+T,D]
  const D = arch.vision.width;
  const cls = h.slice([0, 0, 0], [-1, 1, D]).reshape([-1, D]); // [B,D]
  const pooled = layerNorm(
    cls,
    p(params, `${V}post_layernorm.weight`),
    p(params, `${V}post_layernorm.bias`),
    arch.vision.eps,
  );
  return linear(pooled, p(params, "visual_projection.weight")); // [B,E]
}

/**
 * CLIPSelf's dense tokens before the head: blocks 1…L−1 as usual, the last block value-only
 * (each token attends to itself), class token dropped. [B,gh,gw,D]
 */
export function denseTokens(params: Params, arch: ClipArch, x: tf.Tensor): tf.Tensor {
  const [B, H, W] = x.shape as [number, number, number, number];
  const L = arch.vision.layers,
    D = arch.vision.width,
    P = arch.vision.patch;
  let h = imageTrunk(params, arch, x, L - 1); // [B,1+T,D]
  h = block(params, `${V}encoder.layers.${L - 1}.`, h, arch.vision, { valueOnly: true });
  return h.slice([0, 1, 0], [-1, -1, D]).reshape([B, H / P, W / P, D]); // [B,gh,gw,D]
}

/** Final norm, projection and per-token L2 normalisation of dense tokens. [B,gh,gw,E] */
export function denseHead(params: Params, arch: ClipArch, tokens: tf.Tensor): tf.Tensor {
  const n = layerNorm(
    tokens,
    p(params, `${V}post_layernorm.weight`),
    p(params, `${V}post_layernorm.bias`),
    arch.vision.eps,
  );
  return l2normalize(linear(n, p(params, "visual_projection.weight"))); // [B,gh,gw,E]
}

/** CLIPSelf's dense feature map: L2-normalised per-token embeddings. [B,gh,gw,E] */
export function denseFeatures(params: Params, arch: ClipArch, x: tf.Tensor): tf.Tensor {
  return denseHead(params, arch, denseTokens(params, arch, x));
}

/** Additive causal mask [T,T]: 0 on and below the diagonal, −1e9 above. */
export function causalMask(t: number): tf.Tensor {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
  return tf.tensor2d(m, [t, t]);
}

/**
 * The text embedding (unnormalised) of token ids [B,L] (int32, L ≤ context length): causal
 * transformer, final LN, the features at each row's first end-of-text token, projection. [B,E]
 */
export function encodeText(
  params: Params,
  arch: ClipArch,
  ids: tf.Tensor2D,
  eotPositions: readonly number[],
): tf.Tensor {
  const text = arch.text;
  if (!text) throw new Error("this CLIP has no text tower");
  const [B, L] = ids.shape;
  const W = text.width;
  // [B,L,W]
  const tok = tf.gather(p(params, `${T}embeddings.token_embedding.weight`), ids.reshape([B * L])).reshape([B, L, W]);
  const pos = p(params, `${T}embeddings.position_embedding.weight`).slice([0, 0], [L, W]); // [L,W]
  let h = tf.add(tok, pos); // [B,L,W]
  const mask = causalMask(L);
  for (let i = 0; i < text.layers; i++) h = block(params, `${T}encoder.layers.${i}.`, h, text, { mask });
  h = layerNorm(h, p(params, `${T}final_layer_norm.weight`), p(params, `${T}final_layer_norm.bias`), text.eps);
  const rows = tf.tensor1d(
    eotPositions.map((e, b) => b * L + e),
    "int32",
  );
  const pooled = tf.gather(h.reshape([B * L, W]), rows); // [B,W]
  return linear(pooled, p(params, "text_projection.weight")); // [B,E]
}

/** Each row's first end-of-text position (the last position when a row has none). */
export function eotPositions(ids: Int32Array, batch: number, length: number, eotId: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let e = length - 1;
    for (let j = 0; j < length; j++)
      if (ids[b * length + j] === eotId) {
        e = j;
        break;
      }
    out.push(e);
  }
  return out;
}
