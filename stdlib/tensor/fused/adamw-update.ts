// One AdamW update of one parameter as one kernel on native: reads θ, g, m, v once and writes θ',
// m', v' (composed: 11 kernels and 8 temporaries per parameter, ≈ 10 ms of a tiny-ViT step).
import type * as tf from "@tensorflow/tfjs";
import { nativeLibs } from "../native/native-backend.ts";
import { fusedHere, registerFusedKernel, runFused } from "./fused-kernel.ts";

export interface AdamWScalars {
  readonly b1: number;
  readonly b2: number;
  /** 1 − lr·wd where decay applies, else 1. */
  readonly decay: number;
  /** lr / (1 − β1ᵗ). */
  readonly stepSize: number;
  /** √(1 − β2ᵗ). */
  readonly sqrtC2: number;
  readonly eps: number;
}

registerFusedKernel<AdamWScalars>(
  "ScdxAdamW",
  ["p", "g", "m", "v"],
  (s) => [s[0]!, s[0]!, s[0]!],
  ([p, g, m, v], [p1, m1, v1], a) =>
    nativeLibs().fused.adamw(
      p!,
      g!,
      m!,
      v!,
      p1!,
      m1!,
      v1!,
      p!.length,
      a.b1,
      a.b2,
      a.decay,
      a.stepSize,
      a.sqrtC2,
      a.eps,
    ),
);

/** [θ', m', v'] in one kernel where fused kernels run; undefined elsewhere (compose the update). */
export function fusedAdamW(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  a: AdamWScalars,
): [tf.Tensor, tf.Tensor, tf.Tensor] | undefined {
  if (!fusedHere("adamw") || p.dtype !== "float32" || g.dtype !== "float32") return undefined;
  const [p1, m1, v1] = runFused("ScdxAdamW", { p, g, m, v }, a);
  return [p1!, m1!, v1!];
}
