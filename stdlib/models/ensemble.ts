// CLIPSelf's weight-space ensemble at save time (notes/paper.md §1.6): α·θ_student + (1−α)·θ_original
// for every parameter (frozen ones are equal in both, so unchanged). α = 0.7 for B/16, 0.95 for L/14.
import * as tf from "@tensorflow/tfjs";

export function weightEnsemble(
  student: Readonly<Record<string, tf.Tensor>>,
  original: Readonly<Record<string, tf.Tensor>>,
  alpha: number,
): Record<string, tf.Tensor> {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`ensemble α must lie in [0, 1], got ${alpha}`);
  const out: Record<string, tf.Tensor> = {};
  for (const [k, s] of Object.entries(student)) {
    const o = original[k];
    if (!o) {
      out[k] = tf.clone(s);
      continue;
    } // e.g. Refiner keys: no original to blend with
    if (JSON.stringify(o.shape) !== JSON.stringify(s.shape))
      throw new Error(
        `ensemble: '${k}' is ${JSON.stringify(s.shape)} in the student and ${JSON.stringify(o.shape)} in the original`,
      );
    out[k] = tf.tidy(() => tf.add(tf.mul(s, alpha), tf.mul(o, 1 - alpha)));
  }
  return out;
}
