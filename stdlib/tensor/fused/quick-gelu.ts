// OpenAI CLIP's quick GELU, x·σ(1.702x), and its gradient, one pass each on native (composed: 3
// kernels forward and 6 backward over the MLP's [B,T,4D] activation; ≈ 45 ms of a ViT-B/16 step).
import * as tf from "@tensorflow/tfjs";
import { nativeLibs } from "../native/native-backend.ts";
import { fusedHere, registerFusedKernel, runFused } from "./fused-kernel.ts";

registerFusedKernel(
  "ScdxQuickGelu",
  ["x"],
  (s) => [s[0]!],
  ([x], [y]) => nativeLibs().fused.quickGelu(x!, y!, x!.length),
);
registerFusedKernel(
  "ScdxQuickGeluGrad",
  ["dy", "x"],
  (s) => [s[1]!],
  ([dy, x], [dx]) => nativeLibs().fused.quickGeluGrad(dy!, x!, dx!, x!.length),
);

tf.registerGradient({
  kernelName: "ScdxQuickGelu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({ x: () => runFused("ScdxQuickGeluGrad", { dy: dy as tf.Tensor, x: saved[0]! })[0]! }),
});

/** x·σ(1.702·x), elementwise. */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  if (fusedHere("quick_gelu") && x.dtype === "float32") return runFused("ScdxQuickGelu", { x })[0]!;
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}
