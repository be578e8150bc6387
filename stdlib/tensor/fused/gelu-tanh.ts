// GELU, tanh form (PyTorch's approximate='tanh'), and its gradient, each one pass over memory.
// Composed from ops it is 8 elementwise kernels forward and ~20 backward over the MLP's widest
// activation ([B,T,4D]): ≈ 100 ms of a 200 ms tiny-ViT step on native before fusion.
import * as tf from "@tensorflow/tfjs";
import { nativeLibs } from "../native/native-backend.ts";
import { fusedHere, registerFusedKernel, runFused } from "./fused-kernel.ts";

const C = Math.sqrt(2 / Math.PI),
  A = 0.044715;

const same = (s: number[][]) => [s[0]!];

registerFusedKernel("ScdxGeluTanh", ["x"], same, ([x], [y]) => nativeLibs().fused.geluTanh(x!, y!, x!.length));
registerFusedKernel(
  "ScdxGeluTanhGrad",
  ["dy", "x"],
  (s) => [s[1]!],
  ([dy, x], [dx]) => nativeLibs().fused.geluTanhGrad(dy!, x!, dx!, x!.length),
);

tf.registerGradient({
  kernelName: "ScdxGeluTanh",
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({ x: () => runFused("ScdxGeluTanhGrad", { dy: dy as tf.Tensor, x: saved[0]! })[0]! }),
});

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise. */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (fusedHere("gelu_tanh") && x.dtype === "float32") return runFused("ScdxGeluTanh", { x })[0]!;
  // x·x·x, not pow: pow is ~5× slower on wasm (notes/tfjs.md §4)
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), A)), C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}
