// Spatial Correlation Distillation (notes/paper.md §2.2, a reconstruction; every open choice is an
// option). Per region: correlation S = Z·Zᵀ over its k×k RoIAligned tokens, optional row min-max
// rescale, P = softmax(S/τ) per row; the loss compares the source's rows with the student's.
import * as tf from "@tensorflow/tfjs";
import { l2normalize, stopGradient } from "../tensor/nn.ts";

export interface ScdOptions {
  readonly tau: number;
  readonly minmax: boolean;
  readonly stop_grad: "source" | "source_and_student";
  readonly divergence: "ce" | "kl";
  readonly direction: "source_to_student" | "student_to_source";
  readonly similarity: "cosine" | "dot";
}

export const scdDefaults: ScdOptions = {
  tau: 0.2,
  minmax: true,
  stop_grad: "source",
  divergence: "ce",
  direction: "source_to_student",
  similarity: "cosine",
};

/** Row-wise rescale of x [...,L,L] to [0,1]; a constant row becomes 0 (eps keeps it finite). */
function minmaxRows(x: tf.Tensor): tf.Tensor {
  const lo = tf.min(x, -1, true),
    hi = tf.max(x, -1, true); // [...,L,1]
  return tf.div(tf.sub(x, lo), tf.add(tf.sub(hi, lo), 1e-6));
}

/** Correlation logits S/τ of z [N,L,E]; `detachRight` stops the gradient through one factor. */
function correlationLogits(z: tf.Tensor, o: ScdOptions, detachRight: boolean): tf.Tensor {
  const zz = o.similarity === "cosine" ? l2normalize(z) : z; // [N,L,E]
  let s = tf.matMul(zz, detachRight ? stopGradient(zz) : zz, false, true); // [N,L,L]
  if (o.minmax) s = minmaxRows(s);
  return tf.div(s, o.tau);
}

/**
 * student, source: [N,L,E] region token grids (L = k²) from the student's and the source's dense
 * maps. Returns the mean over regions and rows of the chosen divergence.
 */
export function scdLoss(student: tf.Tensor, source: tf.Tensor, o: ScdOptions = scdDefaults): tf.Scalar {
  const ls = correlationLogits(student, o, o.stop_grad === "source_and_student"); // [N,L,L]
  const lt = correlationLogits(stopGradient(source), o, false); // [N,L,L]
  const logPs = tf.logSoftmax(ls),
    logPt = tf.logSoftmax(lt);
  // "p‖q": the expectation is under p. source_to_student = KL(P_source ‖ P_student), CE(P_source, P_student).
  const [logP, logQ] = o.direction === "source_to_student" ? [logPt, logPs] : [logPs, logPt];
  const pP = tf.exp(logP);
  const perRow =
    o.divergence === "ce"
      ? tf.neg(tf.sum(tf.mul(pP, logQ), -1)) // [N,L]
      : tf.sum(tf.mul(pP, tf.sub(logP, logQ)), -1); // [N,L]
  return tf.mean(perRow) as tf.Scalar;
}
