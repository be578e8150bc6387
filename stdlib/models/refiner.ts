// The Refiner (notes/paper.md §2.3, architecture a hypothesis): `depth` pre-LN transformer blocks
// on a frozen CLIP's last-layer dense tokens, then the base's own final norm and projection, so
// refined features live in the base's embedding space. Its blocks' output projections start at
// zero, making a fresh Refiner exactly the identity: training starts from CLIP's own features.
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../tensor/nn.ts";
import { gaussian } from "../tensor/random.ts";
import type { ClipArch, TowerArch } from "./clip-arch.ts";
import { denseHead, denseTokens } from "./clip.ts";
import { block, blockShapes } from "./transformer.ts";

export interface RefinerArch {
  readonly base: ClipArch;
  readonly tower: TowerArch; // width = base width
  readonly depth: number;
}

export const REFINER_PREFIX = "refiner.layers.";

export function refinerArch(base: ClipArch, o: { depth: number; heads?: number; mlp_ratio?: number }): RefinerArch {
  const v = base.vision;
  return {
    base,
    depth: o.depth,
    tower: { ...v, heads: o.heads ?? v.heads, mlp: Math.round((o.mlp_ratio ?? 4) * v.width), layers: o.depth },
  };
}

export function refinerShapes(a: RefinerArch): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (let i = 0; i < a.depth; i++) Object.assign(out, blockShapes(`${REFINER_PREFIX}${i}.`, a.tower));
  return out;
}

export function initRefiner(a: RefinerArch, seed: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const shapes = refinerShapes(a);
  let stream = 1000;
  for (const key of Object.keys(shapes).sort()) {
    const shape = shapes[key]!,
      n = shape.reduce((x, y) => x * y, 1);
    stream++;
    if (/layer_norm\d\.weight$/.test(key)) out[key] = tf.ones(shape);
    else if (key.endsWith(".bias") || /out_proj\.weight$|fc2\.weight$/.test(key)) out[key] = tf.zeros(shape);
    else out[key] = tf.tensor(gaussian(n, seed, stream, a.tower.width ** -0.5), shape);
  }
  return out;
}

/** Refined tokens [B,gh,gw,D] from the base's dense tokens [B,gh,gw,D]. */
export function refineTokens(params: Params, a: RefinerArch, tokens: tf.Tensor): tf.Tensor {
  const [B, gh, gw, D] = tokens.shape as [number, number, number, number];
  let h = tokens.reshape([B, gh * gw, D]); // [B,T,D]
  for (let i = 0; i < a.depth; i++) h = block(params, `${REFINER_PREFIX}${i}.`, h, a.tower);
  return h.reshape([B, gh, gw, D]); // [B,gh,gw,D]
}

/**
 * The composite base∘Refiner's dense map: L2-normalised embeddings [B,gh,gw,E]. `params` holds
 * both the base's keys and the Refiner's (`refiner.layers.*`).
 */
export function refinedDenseFeatures(params: Params, a: RefinerArch, x: tf.Tensor): tf.Tensor {
  return denseHead(params, a.base, refineTokens(params, a, denseTokens(params, a.base, x)));
}
