// Mask pooling (CLIPSelf's region features for segments, notes/paper.md §1.3):
//   out[m] = Σ_{y,x} F[b_m, y, x]·mask_m[y, x] / (Σ mask_m + 1e-12)
// at feature resolution. Masks are grouped by image so each group is one plain 2-D product
// masks_b [M_b, H·W] · F_b [H·W, C]; nothing of size M·H·W·C is materialised. Evaluation code:
// plain autodiff (the gradient's transposed matMul is slow on wasm but correct).
import * as tf from "@tensorflow/tfjs";

/**
 * `features` [B, H, W, C]; `masks` [M, H, W] (0/1 or soft weights); `maskIndex` [M] image of each
 * mask. Returns [M, C] in mask order. An all-zero mask gives a zero vector.
 */
export function maskPool(
  features: tf.Tensor4D,
  masks: tf.Tensor3D,
  maskIndex: tf.Tensor1D | ArrayLike<number>,
): tf.Tensor2D {
  const [B, H, W, C] = features.shape;
  const [M, mh, mw] = masks.shape;
  if (mh !== H || mw !== W) throw new Error(`maskPool: masks are ${mh}×${mw}, features ${H}×${W}`);
  const idx = maskIndex instanceof tf.Tensor ? maskIndex.dataSync() : maskIndex;
  if (idx.length !== M) throw new Error(`maskPool: ${M} masks but ${idx.length} mask indices`);
  if (M === 0) return tf.zeros([0, C]);
  const byImage: number[][] = Array.from({ length: B }, () => []);
  for (let i = 0; i < M; i++) {
    const b = idx[i]!;
    if (!Number.isInteger(b) || b < 0 || b >= B)
      throw new RangeError(`maskPool: mask ${i} has image index ${b}, outside [0, ${B})`);
    byImage[b]!.push(i);
  }
  return tf.tidy(() => {
    const m2 = tf.reshape(masks, [M, H * W]);
    const f3 = tf.reshape(features, [B, H * W, C]);
    const order: number[] = [];
    const parts: tf.Tensor2D[] = [];
    byImage.forEach((ids, b) => {
      if (ids.length === 0) return;
      const contiguous = ids.every((v, i) => v === ids[0]! + i);
      const mb = contiguous
        ? tf.slice(m2, [ids[0]!, 0], [ids.length, H * W])
        : tf.gather(m2, tf.tensor1d(ids, "int32")); // [M_b, H·W]
      const fb = tf.reshape(tf.slice(f3, [b, 0, 0], [1, H * W, C]), [H * W, C]);
      const sums = tf.add(tf.sum(mb, 1, true), 1e-12); // [M_b, 1]
      parts.push(tf.div(tf.matMul(mb, fb), sums));
      order.push(...ids);
    });
    const out = parts.length === 1 ? parts[0]! : tf.concat(parts, 0); // [M, C] grouped by image
    if (order.every((v, i) => v === i)) return out;
    const pos = new Array<number>(M);
    order.forEach((v, i) => {
      pos[v] = i;
    });
    return tf.gather(out, tf.tensor1d(pos, "int32"));
  });
}
