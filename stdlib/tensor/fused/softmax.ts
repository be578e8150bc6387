// Softmax over the last axis with a one-pass gradient, dx = y·(dy − Σ dy·y), on native (tfjs's
// gradient composes 4 kernels over the [B,H,T,T] attention scores).
import * as tf from "@tensorflow/tfjs";
import { nativeLibs } from "../native/native-backend.ts";
import { fusedHere, registerFusedKernel, runFused } from "./fused-kernel.ts";

const lastDim = (s: number[]) => s[s.length - 1]!;

registerFusedKernel(
  "ScdxSoftmax",
  ["x"],
  (s) => [s[0]!],
  ([x], [y], _a, [shape]) => nativeLibs().fused.softmax(x!, y!, x!.length / lastDim(shape!), lastDim(shape!)),
);
registerFusedKernel(
  "ScdxSoftmaxGrad",
  ["dy", "y"],
  (s) => [s[1]!],
  ([dy, y], [dx], _a, shapes) =>
    nativeLibs().fused.softmaxGrad(dy!, y!, dx!, y!.length / lastDim(shapes[1]!), lastDim(shapes[1]!)),
);

tf.registerGradient({
  kernelName: "ScdxSoftmax",
  outputsToSave: [true],
  gradFunc: (dy, saved) => ({ x: () => runFused("ScdxSoftmaxGrad", { dy: dy as tf.Tensor, y: saved[0]! })[0]! }),
});

/** Softmax over the last axis. */
export function softmax(x: tf.Tensor): tf.Tensor {
  if (fusedHere("softmax") && x.dtype === "float32" && x.rank >= 1 && x.size > 0)
    return runFused("ScdxSoftmax", { x })[0]!;
  return tf.softmax(x);
}
