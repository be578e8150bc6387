// CLIP's symmetric InfoNCE: logits = exp(logit_scale)·img·txtᵀ over the batch, cross-entropy with
// the diagonal as targets, averaged over both directions.
import * as tf from "@tensorflow/tfjs";
import { l2normalize } from "../tensor/nn.ts";

/** image [B,E], text [B,E] embeddings (unnormalised), logitScale: scalar log-scale (learned or fixed). */
export function clipContrastiveLoss(image: tf.Tensor, text: tf.Tensor, logitScale: tf.Tensor): tf.Scalar {
  const B = image.shape[0]!;
  // OpenAI clamps the scale at 100 so training cannot make logits explode.
  const scale = tf.minimum(tf.exp(logitScale), 100);
  const logits = tf.mul(tf.matMul(l2normalize(image), l2normalize(text), false, true), scale); // [B,B]
  const eye = tf.oneHot(tf.range(0, B, 1, "int32"), B); // [B,B]
  const ce = (l: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(eye, tf.logSoftmax(l)), -1)));
  return tf.div(tf.add(ce(logits), ce(tf.transpose(logits))), 2) as tf.Scalar;
}
