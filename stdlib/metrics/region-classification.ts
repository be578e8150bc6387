// Zero-shot region classification accuracy (CLIPSelf's mAcc, notes/paper.md §4.1): each region's
// embedding is scored against a text classifier by cosine; a region is a top-k hit when its label
// ranks among the k best classes. Per class, acc_c = hits / regions of that class; mAcc = mean over
// classes with at least one region, separately for thing and stuff classes. Values are fractions
// in [0, 1]; null when a group has no region. Accumulates over many batches.
import * as tf from "@tensorflow/tfjs";

export interface RegionAccuracyResult {
  /** `thing.top1`, `thing.top5`, `stuff.top1`, … as fractions; null for a group without regions. */
  readonly metrics: Record<string, number | null>;
  /** Classes with at least one region, per group. */
  readonly classes: { readonly thing: number; readonly stuff: number };
  readonly regions: { readonly thing: number; readonly stuff: number };
}

export class RegionAccuracy {
  private readonly counts: Int32Array;
  private readonly hits: Int32Array[];

  /** `isThing[c]` per class; `topk` the accuracies reported (default 1 and 5). */
  constructor(
    readonly isThing: readonly boolean[],
    readonly topk: readonly number[] = [1, 5],
  ) {
    this.counts = new Int32Array(isThing.length);
    this.hits = topk.map(() => new Int32Array(isThing.length));
  }

  /**
   * `scores` [N, C] row-major (higher = better), `labels` [N] class indices. Rank of the label =
   * classes scoring strictly higher + equal-scoring classes with a lower index (a stable sort).
   */
  addScores(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
    const C = this.isThing.length,
      N = labels.length;
    if (scores.length !== N * C)
      throw new Error(`RegionAccuracy: ${scores.length} scores for ${N} regions × ${C} classes`);
    for (let i = 0; i < N; i++) {
      const l = labels[i]!;
      if (!Number.isInteger(l) || l < 0 || l >= C)
        throw new RangeError(`RegionAccuracy: region ${i} has label ${l}, outside [0, ${C})`);
      const row = i * C,
        s = scores[row + l]!;
      let rank = 0;
      for (let c = 0; c < C; c++) {
        const v = scores[row + c]!;
        if (v > s || (v === s && c < l)) rank++;
      }
      this.counts[l]++;
      this.topk.forEach((k, j) => {
        if (rank < k) this.hits[j]![l]++;
      });
    }
  }

  /** Cosine scores of `embeddings` [N, E] against `classifier` [C, E] (both L2-normalised by the caller). */
  addEmbeddings(embeddings: tf.Tensor2D, classifier: tf.Tensor2D, labels: ArrayLike<number>): void {
    const scores = tf.tidy(() => tf.matMul(embeddings, tf.transpose(classifier))); // [N, C]
    try {
      this.addScores(scores.dataSync(), labels);
    } finally {
      scores.dispose();
    }
  }

  result(): RegionAccuracyResult {
    const metrics: Record<string, number | null> = {};
    const classes = { thing: 0, stuff: 0 },
      regions = { thing: 0, stuff: 0 };
    for (const part of ["thing", "stuff"] as const) {
      const present: number[] = [];
      this.isThing.forEach((t, c) => {
        if (t === (part === "thing") && this.counts[c]! > 0) present.push(c);
      });
      classes[part] = present.length;
      regions[part] = present.reduce((a, c) => a + this.counts[c]!, 0);
      this.topk.forEach((k, j) => {
        metrics[`${part}.top${k}`] =
          present.length === 0
            ? null
            : present.reduce((a, c) => a + this.hits[j]![c]! / this.counts[c]!, 0) / present.length;
      });
    }
    return { metrics, classes, regions };
  }
}

/** One-shot mAcc for embeddings [N, E], classifier [C, E], labels [N]. */
export function regionClassification(
  embeddings: tf.Tensor2D,
  classifier: tf.Tensor2D,
  labels: ArrayLike<number>,
  isThing: readonly boolean[],
  topk: readonly number[] = [1, 5],
): RegionAccuracyResult {
  const acc = new RegionAccuracy(isThing, topk);
  acc.addEmbeddings(embeddings, classifier, labels);
  return acc.result();
}
