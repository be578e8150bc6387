// One pre-LN transformer block, shared by the image tower, the text tower and the Refiner.
// Parameter names follow Hugging Face's CLIPEncoderLayer, so `prefix` + these keys are checkpoint keys.
import * as tf from "@tensorflow/tfjs";
import { multiHeadAttention } from "../tensor/fused/attention.ts";
import { activation, layerNorm, linear, p, type Params } from "../tensor/nn.ts";
import type { TowerArch } from "./clip-arch.ts";

export interface BlockOptions {
  /** Additive [T,T] mask (0 or −1e9), for the text tower's causal attention. */
  readonly mask?: tf.Tensor;
  /** CLIPSelf's dense mode: attention replaced by out_proj(v_proj(·)), each token sees only itself. */
  readonly valueOnly?: boolean;
}

/** Multi-head self-attention on x [B,T,D]. Q/K/V stay separate projections, as in the checkpoint. */
export function attention(params: Params, prefix: string, x: tf.Tensor, arch: TowerArch, mask?: tf.Tensor): tf.Tensor {
  const D = x.shape[2]!;
  const proj = (name: string) => linear(x, p(params, `${prefix}${name}.weight`), p(params, `${prefix}${name}.bias`)); // [B,T,D]
  const ctx = multiHeadAttention(
    proj("q_proj"),
    proj("k_proj"),
    proj("v_proj"),
    arch.heads,
    (D / arch.heads) ** -0.5,
    mask,
  ); // [B,T,D]
  return linear(ctx, p(params, `${prefix}out_proj.weight`), p(params, `${prefix}out_proj.bias`));
}

export function mlp(params: Params, prefix: string, x: tf.Tensor, arch: TowerArch): tf.Tensor {
  // [B,T,mlp]
  const h = activation(arch.act, linear(x, p(params, `${prefix}fc1.weight`), p(params, `${prefix}fc1.bias`)));
  return linear(h, p(params, `${prefix}fc2.weight`), p(params, `${prefix}fc2.bias`)); // [B,T,D]
}

/** x + attn(LN1 x), then x + MLP(LN2 x). */
export function block(
  params: Params,
  prefix: string,
  x: tf.Tensor,
  arch: TowerArch,
  opts: BlockOptions = {},
): tf.Tensor {
  const ln1 = layerNorm(x, p(params, `${prefix}layer_norm1.weight`), p(params, `${prefix}layer_norm1.bias`), arch.eps);
  const a = opts.valueOnly
    ? linear(
        linear(ln1, p(params, `${prefix}self_attn.v_proj.weight`), p(params, `${prefix}self_attn.v_proj.bias`)),
        p(params, `${prefix}self_attn.out_proj.weight`),
        p(params, `${prefix}self_attn.out_proj.bias`),
      )
    : attention(params, `${prefix}self_attn.`, ln1, arch, opts.mask);
  const h = tf.add(x, a); // [B,T,D]
  const ln2 = layerNorm(h, p(params, `${prefix}layer_norm2.weight`), p(params, `${prefix}layer_norm2.bias`), arch.eps);
  return tf.add(h, mlp(params, `${prefix}mlp.`, ln2, arch));
}

/** Parameter shapes of one block, for initialisation and for checking loaded checkpoints. */
export function blockShapes(prefix: string, arch: TowerArch): Record<string, number[]> {
  const D = arch.width,
    M = arch.mlp,
    out: Record<string, number[]> = {};
  for (const n of ["q_proj", "k_proj", "v_proj", "out_proj"]) {
    out[`${prefix}self_attn.${n}.weight`] = [D, D];
    out[`${prefix}self_attn.${n}.bias`] = [D];
  }
  for (const n of ["layer_norm1", "layer_norm2"]) {
    out[`${prefix}${n}.weight`] = [D];
    out[`${prefix}${n}.bias`] = [D];
  }
  out[`${prefix}mlp.fc1.weight`] = [M, D];
  out[`${prefix}mlp.fc1.bias`] = [M];
  out[`${prefix}mlp.fc2.weight`] = [D, M];
  out[`${prefix}mlp.fc2.bias`] = [D];
  return out;
}
