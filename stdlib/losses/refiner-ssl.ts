// HYPOTHESIS (notes/paper.md §2.3): the paper does not publish the Refiner's objective. CLIP's dense
// tokens are cleaner when a region is seen zoomed in, so the refined full-image map, RoIAligned over
// a random crop, should match the frozen CLIP's dense map of that crop fed on its own. Token-wise
// InfoNCE (negatives: the crop's other tokens) or cosine.
import * as tf from "@tensorflow/tfjs";
import { l2normalize, stopGradient } from "../tensor/nn.ts";
import { mixSeed, mulberry32 } from "../tensor/random.ts";

export interface RefinerSslOptions {
  readonly tau: number;
  readonly objective: "infonce" | "cosine";
  readonly crop_min: number;
  readonly crop_max: number;
  readonly crops: number;
}

export interface Crops {
  /** [N,4] x0,y0,x1,y1 as fractions of the image side (pixel-edge model). */
  readonly boxes: Float32Array;
  readonly boxImage: Int32Array;
  /** The same crops as tf.image.cropAndResize boxes [N,4] (y1,x1,y2,x2, corner-aligned), chosen so
   * that its samples sit at the crop's pixel centres, where RoIAlign(aligned) samples too. */
  readonly tfBoxes: Float32Array;
}

/** `crops` square crops per image of `size` px, side ∈ [crop_min, crop_max], from (seed, step) alone. */
export function sampleCrops(images: number, o: RefinerSslOptions, seed: number, step: number, size: number): Crops {
  const rand = mulberry32(mixSeed(seed, 0x55c0 + step));
  const n = images * o.crops,
    boxes = new Float32Array(4 * n),
    boxImage = new Int32Array(n),
    tfb = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const side = o.crop_min + (o.crop_max - o.crop_min) * rand();
    const x0 = (1 - side) * rand(),
      y0 = (1 - side) * rand();
    boxes.set([x0, y0, x0 + side, y0 + side], 4 * i);
    const [ya, yb] = cropAxis(y0, y0 + side, size),
      [xa, xb] = cropAxis(x0, x0 + side, size);
    tfb.set([ya, xa, yb, xb], 4 * i);
    boxImage[i] = Math.floor(i / o.crops);
  }
  return { boxes, boxImage, tfBoxes: tfb };
}

/**
 * cropAndResize samples output i of S at y1·(H−1) + i·(y2−y1)(H−1)/(S−1) (pixel indices). For a
 * crop [a, b) = [lo·H, hi·H) we want pixel-centre samples a + (i+½)(b−a)/S − ½; with S = H this
 * gives y1 = (a + (b−a)/2H − ½)/(H−1) and y2 = y1 + (hi − lo).
 */
function cropAxis(lo: number, hi: number, H: number): [number, number] {
  const a = lo * H,
    b = hi * H;
  const y1 = (a + (b - a) / (2 * H) - 0.5) / (H - 1);
  return [y1, y1 + (hi - lo)];
}

/** student, teacher: [N,g,g,E] token grids of the same crops. */
export function refinerSslLoss(student: tf.Tensor, teacher: tf.Tensor, o: RefinerSslOptions): tf.Scalar {
  const [N, gh, gw, E] = student.shape as [number, number, number, number];
  const s = l2normalize(student.reshape([N, gh * gw, E])); // [N,T,E]
  const t = l2normalize(stopGradient(teacher).reshape([N, gh * gw, E])); // [N,T,E]
  if (o.objective === "cosine") return tf.sub(1, tf.mean(tf.sum(tf.mul(s, t), -1))) as tf.Scalar;
  const logits = tf.div(tf.matMul(s, t, false, true), o.tau); // [N,T,T]
  const eye = tf.eye(gh * gw); // [T,T]
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), eye), -1))) as tf.Scalar;
}
