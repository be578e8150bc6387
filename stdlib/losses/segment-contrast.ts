// segment_contrast: every dense token is pulled to the prototype of its own pseudo-segment and
// pushed from the image's other prototypes (DetCon's objective on a single view, as in the second
// prototype of notes/toyworld.md). Pseudo-segment labels are computed on the CPU from pixels
// (stdlib/data/pseudo-segments.ts) and arrive as integers; this is the differentiable part.
import * as tf from "@tensorflow/tfjs";
import { l2normalize } from "../tensor/nn.ts";

/** Token labels of a batch: labels [B·T] in 0..K-1 per image, and each image's segment count. */
export interface TokenSegments {
  readonly labels: Int32Array;
  readonly counts: Int32Array;
}

/** Per-token weights 1/(|segment|·#segments) [B,T] and the valid-segment mask [B,1,K], on the CPU. */
function weightsOf(seg: TokenSegments, B: number, T: number, K: number): { w: Float32Array; valid: Float32Array } {
  const w = new Float32Array(B * T),
    valid = new Float32Array(B * K);
  for (let b = 0; b < B; b++) {
    const size = new Int32Array(K);
    for (let t = 0; t < T; t++) size[seg.labels[b * T + t]!]!++;
    const n = seg.counts[b]!;
    for (let t = 0; t < T; t++) w[b * T + t] = 1 / (size[seg.labels[b * T + t]!]! * n);
    for (let s = 0; s < n; s++) valid[b * K + s] = 1;
  }
  return { w, valid };
}

/** dense [B,g,g,E] (or [B,T,E]), token segments, temperature → mean over images of the weighted CE. */
export function segmentContrastLoss(dense: tf.Tensor, seg: TokenSegments, tau: number): tf.Scalar {
  const B = dense.shape[0]!,
    E = dense.shape[dense.rank - 1]!;
  const z = l2normalize(dense.reshape([B, -1, E])); // [B,T,E]
  const T = z.shape[1]!;
  const K = Math.max(1, ...seg.counts);
  const { w, valid } = weightsOf(seg, B, T, K);
  const onehot = tf.oneHot(tf.tensor2d(seg.labels, [B, T], "int32"), K); // [B,T,K]
  const pad = tf.sub(1, tf.tensor3d(valid, [B, 1, K])); // [B,1,K]: 1 for segments an image does not have
  // A padded segment's sum is 0, and the gradient of ‖0‖ is NaN: give it a constant vector instead
  // (its one-hot column is zero, so no token feeds it or receives gradient through it).
  const sums = tf.add(tf.matMul(onehot, z, true, false), tf.transpose(pad, [0, 2, 1])); // [B,K,E]
  const proto = l2normalize(sums); // [B,K,E]
  const logits = tf.div(tf.matMul(z, proto, false, true), tau); // [B,T,K]
  // Padded segments get −1e4: exp underflows to exactly 0, as if the column were absent.
  const masked = tf.add(logits, tf.mul(pad, -1e4)); // [B,T,K]
  const ce = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(masked)), -1)); // [B,T]
  return tf.div(tf.sum(tf.mul(ce, tf.tensor2d(w, [B, T]))), B) as tf.Scalar;
}
