// Building blocks shared by every model: linear layers whose gradients are plain 2-D NN matMuls,
// LayerNorm, activations, L2 normalisation. On wasm only a 2-D, untransposed matMul reaches
// XNNPACK; autodiff's transposed products run a naive loop ~10× slower (notes/tfjs.md §4), so
// linear() materialises the transposes itself. Weights keep PyTorch's [out, in] layout, so
// parameter names *and* shapes equal the checkpoint's.
import * as tf from "@tensorflow/tfjs";
import { fusedHere } from "./fused/fused-kernel.ts";
import { geluTanh } from "./fused/gelu-tanh.ts";
import { quickGelu } from "./fused/quick-gelu.ts";
import { fusedLinear } from "./fused/linear.ts";

export { layerNorm } from "./fused/layer-norm.ts";

export type Params = Readonly<Record<string, tf.Tensor>>;

/** The parameter `name`, or an error naming it (a loader bug, not a user error, by the time we get here). */
export function p(params: Params, name: string): tf.Tensor {
  const t = params[name];
  if (!t) throw new Error(`missing parameter '${name}'`);
  return t;
}

const linearWithBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  const value = tf.add(tf.matMul(x, tf.transpose(w)), b); // [M,out]
  return {
    value,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        tf.matMul(dy, ws), // dx [M,in]
        tf.matMul(tf.transpose(dy), xs), // dW [out,in]
        tf.matMul(tf.ones([1, dy.shape[0]]), dy).reshape([dy.shape[1]]), // db [out]; a matMul beats Sum(axis 0) on wasm
      ];
    },
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const linearNoBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, tf.transpose(w)), // [M,out]
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, ws), tf.matMul(tf.transpose(dy), xs)];
    },
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** y = x·Wᵀ + b over the last axis, W [out, in] as in PyTorch. Any leading shape. */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const lead = x.shape.slice(0, -1),
    inDim = x.shape[x.shape.length - 1]!;
  const x2 = x.reshape([-1, inDim]) as tf.Tensor2D; // [M,in]
  const y = fusedHere("linear")
    ? fusedLinear(x2, w as tf.Tensor2D, b as tf.Tensor1D | undefined)
    : b
      ? linearWithBias(x2, w as tf.Tensor2D, b as tf.Tensor1D)
      : linearNoBias(x2, w as tf.Tensor2D);
  return y.reshape([...lead, w.shape[0]!]); // [...,out]
}

export type Activation = "quick_gelu" | "gelu" | "gelu_tanh";

export function activation(kind: Activation, x: tf.Tensor): tf.Tensor {
  switch (kind) {
    case "quick_gelu":
      return quickGelu(x); // OpenAI CLIP
    case "gelu":
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
    case "gelu_tanh":
      return geluTanh(x);
  }
}

/** x / max(‖x‖₂, eps) over the last axis, as torch.nn.functional.normalize. */
export function l2normalize(x: tf.Tensor, eps = 1e-12): tf.Tensor {
  const norm = tf.sqrt(tf.sum(tf.mul(x, x), -1, true)); // [...,1]
  return tf.div(x, tf.maximum(norm, eps));
}

/** Identity whose gradient is zero (tfjs has no stop_gradient / detach). */
export const stopGradient = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
}) as never) as (x: tf.Tensor) => tf.Tensor;
