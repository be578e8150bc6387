// Dataset-level semantic segmentation mIoU (notes/paper.md §4.3) and the training-free MaskCLIP-style
// dense prediction used as its cheap open-vocabulary proxy.
//
// Convention (mmseg's): TP/FP/FN per class are summed over the whole dataset, pixels whose ground
// truth is void are ignored, IoU_c = TP / (TP + FP + FN), and mIoU averages over the classes whose
// union is non-empty, i.e. that occur in the ground truth or in the predictions (IoU NaN → left
// out). A predicted id outside [0, C) counts as a miss of the true class and a false positive of none.
import * as tf from "@tensorflow/tfjs";

export interface SegmentationResult {
  /** Mean IoU over classes present in ground truth or predictions; null if none. Fraction in [0, 1]. */
  readonly miou: number | null;
  /** Per class; null where the class occurs in neither. */
  readonly iou: (number | null)[];
  /** Correct / non-void pixels (mmseg's aAcc); null if no non-void pixel. */
  readonly pixelAccuracy: number | null;
  /** Classes entering the mean. */
  readonly classes: number;
}

export class SegmentationAccumulator {
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
  private correct = 0;
  private total = 0;

  /** `voidLabel`: ground-truth value ignored everywhere (default 255, the mmseg / COCO-Stuff one). */
  constructor(
    readonly numClasses: number,
    readonly voidLabel = 255,
  ) {
    this.tp = new Float64Array(numClasses);
    this.fp = new Float64Array(numClasses);
    this.fn = new Float64Array(numClasses);
  }

  /** One image (or any batch of pixels): `pred` and `gt` of equal length, class indices. */
  add(pred: ArrayLike<number>, gt: ArrayLike<number>, voidLabel = this.voidLabel): void {
    if (pred.length !== gt.length)
      throw new Error(`SegmentationAccumulator: ${pred.length} predictions for ${gt.length} labels`);
    const C = this.numClasses;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i]!;
      if (g === voidLabel) continue;
      if (!(g >= 0 && g < C && Number.isInteger(g)))
        throw new RangeError(
          `SegmentationAccumulator: label ${g} at pixel ${i} is neither a class in [0, ${C}) nor void (${voidLabel})`,
        );
      const p = pred[i]!;
      this.total++;
      if (p === g) {
        this.tp[g]++;
        this.correct++;
        continue;
      }
      this.fn[g]++;
      if (p >= 0 && p < C) this.fp[p]++;
    }
  }

  result(): SegmentationResult {
    const iou: (number | null)[] = [];
    let sum = 0,
      n = 0;
    for (let c = 0; c < this.numClasses; c++) {
      const union = this.tp[c]! + this.fp[c]! + this.fn[c]!;
      if (union === 0) {
        iou.push(null);
        continue;
      }
      const v = this.tp[c]! / union;
      iou.push(v);
      sum += v;
      n++;
    }
    return { miou: n ? sum / n : null, iou, pixelAccuracy: this.total ? this.correct / this.total : null, classes: n };
  }
}

export interface DensePredictOptions {
  /** L2-normalise tokens before scoring (MaskCLIP's order); default true. */
  readonly normalize?: boolean;
}

/**
 * MaskCLIP-style labels: `dense` [B, h, w, E] token features, `text` [K, E] L2-normalised class
 * embeddings → per image an Int32Array of H·W class indices (row-major). Scores are computed at
 * feature resolution, then bilinearly upsampled (half-pixel centres, = torch's align_corners=False)
 * and arg-maxed. Upsampling is linear, so this equals the argmax of the cosine between the upsampled
 * (normalised-token) map and the text embeddings, at K instead of E channels of memory.
 */
export function densePredict(
  dense: tf.Tensor4D,
  text: tf.Tensor2D,
  outSize: readonly [number, number],
  opts: DensePredictOptions = {},
): Int32Array[] {
  const [B, h, w, E] = dense.shape;
  const K = text.shape[0];
  if (text.shape[1] !== E)
    throw new Error(`densePredict: features have ${E} channels, text embeddings ${text.shape[1]}`);
  const out: Int32Array[] = [];
  const textT = tf.transpose(text); // [E, K]
  try {
    for (let b = 0; b < B; b++) {
      const labels = tf.tidy(() => {
        let f = tf.reshape(tf.slice(dense, [b, 0, 0, 0], [1, h, w, E]), [h * w, E]);
        if (opts.normalize ?? true) f = tf.div(f, tf.maximum(tf.norm(f, "euclidean", 1, true), 1e-12));
        const logits = tf.reshape(tf.matMul(f, textT), [1, h, w, K]);
        // [1, H, W, K]
        const up = tf.image.resizeBilinear(logits as tf.Tensor4D, [outSize[0], outSize[1]], false, true);
        return tf.argMax(up, 3);
      });
      out.push(new Int32Array(labels.dataSync()));
      labels.dispose();
    }
  } finally {
    textT.dispose();
  }
  return out;
}
