// Region-language alignment (CLIPSelf, notes/paper.md §1.4): L = 1 − mean_i cos(s_i, t_i), s_i the
// student's RoIAligned dense feature of region i, t_i the frozen teacher's embedding of the crop.
import * as tf from "@tensorflow/tfjs";
import { l2normalize, stopGradient } from "../tensor/nn.ts";

/** student [N,E] region features, teacher [N,E] crop embeddings (no gradient flows into it). */
export function rlaLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  const s = l2normalize(student),
    t = l2normalize(stopGradient(teacher)); // [N,E]
  return tf.sub(1, tf.mean(tf.sum(tf.mul(s, t), -1))) as tf.Scalar;
}
