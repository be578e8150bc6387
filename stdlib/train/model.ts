// A model as a train or bench stage holds it: its architecture, its parameters (trainable ones as
// tf.Variables), and the two views of it the losses and benches need — the global image
// embedding and CLIPSelf's dense feature map — whatever its family (CLIP, or CLIP∘Refiner).
import type * as tf from "@tensorflow/tfjs";
import type { ClipArch } from "../models/clip-arch.ts";
import { denseFeatures, encodeImage, encodeText } from "../models/clip.ts";
import { inClipGroup } from "../models/clip-params.ts";
import { REFINER_PREFIX, refinedDenseFeatures, type RefinerArch } from "../models/refiner.ts";
import type { Params } from "../tensor/nn.ts";

export interface StageModel {
  readonly family: "clip" | "refiner";
  readonly arch: ClipArch;
  readonly refiner?: RefinerArch;
  readonly params: Params;
}

export function dense(m: StageModel, x: tf.Tensor, params: Params = m.params): tf.Tensor {
  return m.refiner ? refinedDenseFeatures(params, m.refiner, x) : denseFeatures(params, m.arch, x); // [B,gh,gw,E]
}

export function imageEmbedding(m: StageModel, x: tf.Tensor, params: Params = m.params): tf.Tensor {
  return encodeImage(params, m.arch, x); // [B,E]
}

export function textEmbedding(
  m: StageModel,
  ids: tf.Tensor2D,
  eot: readonly number[],
  params: Params = m.params,
): tf.Tensor {
  return encodeText(params, m.arch, ids, eot); // [B,E]
}

/** Token grid side of the model for a square input of `size` pixels. */
export function gridOf(m: StageModel, size: number): number {
  return size / m.arch.vision.patch;
}

/**
 * Does parameter `key` of a model of this family belong to the `trainable =` group? A Refiner's
 * `refiner` group is its own blocks; `all` adds the CLIP under it.
 */
export function inGroup(m: StageModel, key: string, group: string): boolean {
  if (m.family === "refiner") {
    if (group === "refiner") return key.startsWith(REFINER_PREFIX);
    if (group === "all") return true;
  }
  return inClipGroup(key, group);
}

export function trainableKeys(m: StageModel, groups: readonly string[]): string[] {
  return Object.keys(m.params)
    .filter((k) => groups.some((g) => inGroup(m, k, g)))
    .sort();
}
