// LayerNorm over the last axis and its gradient, one kernel each (composed: 9 kernels forward and
// ~25 backward). The gradient kernel recomputes each row's mean and 1/σ rather than saving them:
// one extra read of x is cheaper than two more tensors on the tape.
import * as tf from "@tensorflow/tfjs";
import { nativeLibs } from "../native/native-backend.ts";
import { fusedHere, registerFusedKernel, runFused } from "./fused-kernel.ts";

interface Attrs {
  eps: number;
}

registerFusedKernel<Attrs>(
  "ScdxLayerNorm",
  ["x", "g", "b"],
  (s) => [s[0]!],
  ([x, g, b], [y], { eps }) => nativeLibs().fused.layerNorm(x!, g!, b!, y!, x!.length / g!.length, g!.length, eps),
);

registerFusedKernel<Attrs>(
  "ScdxLayerNormGrad",
  ["dy", "x", "g"],
  (s) => [s[1]!, s[2]!, s[2]!],
  ([dy, x, g], [dx, dg, db], { eps }) => {
    const d = g!.length;
    nativeLibs().fused.layerNormGrad(dy!, x!, g!, dx!, dg!, db!, new Float32Array(2 * d), x!.length / d, d, eps);
  },
);

tf.registerGradient({
  kernelName: "ScdxLayerNorm",
  inputsToSave: ["x", "g"],
  gradFunc: (dy, saved, attrs) => {
    const [dx, dg, db] = runFused("ScdxLayerNormGrad", { dy: dy as tf.Tensor, x: saved[0]!, g: saved[1]! }, attrs);
    return { x: () => dx!, g: () => dg!, b: () => db! };
  },
});

/** LayerNorm over the last axis (PyTorch's biased variance); g and b are [D]. */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  if (fusedHere("layer_norm") && x.dtype === "float32" && g.rank === 1 && b.rank === 1)
    return runFused("ScdxLayerNorm", { x, g, b }, { eps })[0]!;
  const mean = tf.mean(x, -1, true); // [...,1]
  const xc = tf.sub(x, mean); // [...,D]
  const variance = tf.mean(tf.mul(xc, xc), -1, true); // [...,1]
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), g), b);
}
