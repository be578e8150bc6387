// Multi-head scaled dot-product attention on [B,T,D] projections, and its gradient, as one kernel
// each on native: per (batch, head), sgemm reads the head's columns in place (leading dimension D),
// so the 4-D transposes to [B,H,T,dh] and back (4 forward, 4 backward), the scale multiply and
// the separate softmax kernels all disappear. The probabilities are a second output, saved for
// the gradient. Elsewhere — and with a mask, which only the short text tower uses — the same math
// is composed from stock ops, in the order the model always used (so wasm and cpu bits are unchanged).
import * as tf from "@tensorflow/tfjs";
import type { HeapBackend, TensorInfo } from "../buffers.ts";
import { nativeLibs } from "../native/native-backend.ts";
import type { OpenBlas } from "../native/openblas.ts";
import { FUSED_BACKEND, fusedHere, runFused } from "./fused-kernel.ts";
import { softmax } from "./softmax.ts";

interface Attrs {
  heads: number;
  scale: number;
}

const view = (b: HeapBackend, t: TensorInfo) => b.typedArrayFromHeap(t) as Float32Array;

// Per-head products are small (T×T×dh); splitting each over BLAS threads costs more than it gives
// (measured: B/16 attention 113 ms on 1 thread, 142 on 2). One thread here also makes attention's
// bits independent of the thread count. Returns the count to restore.
function oneBlasThread(blas: OpenBlas): number {
  const n = blas.threads();
  if (n !== 1) blas.setThreads(1);
  return n;
}

tf.registerKernel({
  kernelName: "ScdxAttention",
  backendName: FUSED_BACKEND,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { q, k, v } = inputs as unknown as Record<string, TensorInfo>;
    const { heads: H, scale } = attrs as unknown as Attrs;
    const [B, T, D] = q!.shape as [number, number, number];
    const dh = D / H;
    const hb = backend as unknown as HeapBackend;
    const out = hb.makeOutput([B, T, D], "float32"),
      probs = hb.makeOutput([B, H, T, T], "float32");
    const { blas, fused } = nativeLibs();
    const Q = view(hb, q!),
      K = view(hb, k!),
      V = view(hb, v!),
      O = view(hb, out),
      P = view(hb, probs);
    const threads = oneBlasThread(blas);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const x = b * T * D + h * dh, // this head's first column of row 0, in [B,T,D]
          p = (b * H + h) * T * T;
        const Pbh = P.subarray(p, p + T * T);
        // scores = scale·Q·Kᵀ [T,T], softmax in place, then ctx = P·V [T,dh] into the head's columns
        blas.sgemm(false, true, T, T, dh, scale, Q.subarray(x), D, K.subarray(x), D, 0, Pbh, T);
        fused.softmax(Pbh, Pbh, T, T);
        blas.sgemm(false, false, T, dh, T, 1, Pbh, T, V.subarray(x), D, 0, O.subarray(x), D);
      }
    blas.setThreads(threads);
    return [out, probs] as never;
  },
});

tf.registerKernel({
  kernelName: "ScdxAttentionGrad",
  backendName: FUSED_BACKEND,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, q, k, v, probs } = inputs as unknown as Record<string, TensorInfo>;
    const { heads: H, scale } = attrs as unknown as Attrs;
    const [B, T, D] = q!.shape as [number, number, number];
    const dh = D / H;
    const hb = backend as unknown as HeapBackend;
    const dq = hb.makeOutput([B, T, D], "float32"),
      dk = hb.makeOutput([B, T, D], "float32"),
      dv = hb.makeOutput([B, T, D], "float32");
    const { blas, fused } = nativeLibs();
    const G = view(hb, dy!),
      Q = view(hb, q!),
      K = view(hb, k!),
      V = view(hb, v!),
      P = view(hb, probs!),
      dQ = view(hb, dq),
      dK = view(hb, dk),
      dV = view(hb, dv);
    const dP = new Float32Array(T * T);
    const threads = oneBlasThread(blas);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const x = b * T * D + h * dh,
          p = (b * H + h) * T * T;
        const Pbh = P.subarray(p, p + T * T);
        blas.sgemm(true, false, T, dh, T, 1, Pbh, T, G.subarray(x), D, 0, dV.subarray(x), D); // dV = Pᵀ·dY
        blas.sgemm(false, true, T, T, dh, 1, G.subarray(x), D, V.subarray(x), D, 0, dP, T); // dP = dY·Vᵀ
        fused.softmaxGrad(dP, Pbh, dP, T, T); // dS = P∘(dP − Σ dP∘P), in place
        blas.sgemm(false, false, T, dh, T, scale, dP, T, K.subarray(x), D, 0, dQ.subarray(x), D); // dQ = s·dS·K
        blas.sgemm(true, false, T, dh, T, scale, dP, T, Q.subarray(x), D, 0, dK.subarray(x), D); // dK = s·dSᵀ·Q
      }
    blas.setThreads(threads);
    return [dq, dk, dv] as never;
  },
});

tf.registerGradient({
  kernelName: "ScdxAttention",
  inputsToSave: ["q", "k", "v"],
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v, probs] = saved as tf.Tensor[];
    const [dq, dk, dv] = runFused(
      "ScdxAttentionGrad",
      { dy: (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor, q: q!, k: k!, v: v!, probs: probs! },
      attrs,
    );
    return { q: () => dq!, k: () => dk!, v: () => dv! };
  },
});

/**
 * softmax(scale·QKᵀ + mask)·V per head, for projections q, k, v [B,T,D] (heads = D/dh side by
 * side, as nn.MultiheadAttention lays them out). Returns the merged heads [B,T,D].
 */
export function multiHeadAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  heads: number,
  scale: number,
  mask?: tf.Tensor,
): tf.Tensor {
  const [B, T, D] = q.shape as [number, number, number];
  if (fusedHere("attention") && !mask && q.dtype === "float32")
    return runFused("ScdxAttention", { q, k, v }, { heads, scale })[0]!;
  const dh = D / heads;
  const split = (y: tf.Tensor) => tf.transpose(y.reshape([B, T, heads, dh]), [0, 2, 1, 3]); // [B,H,T,dh]
  let scores = tf.matMul(split(scale !== 1 ? tf.mul(q, scale) : q), split(k), false, true); // [B,H,T,T]
  if (mask) scores = tf.add(scores, mask);
  const ctx = tf.matMul(softmax(scores), split(v)); // [B,H,T,dh]
  return tf.transpose(ctx, [0, 2, 1, 3]).reshape([B, T, D]); // [B,T,D]
}
