// BatchMatMul and _FusedMatMul on the native backend: OpenBLAS sgemm on views of the wasm heap.
// tfjs-wasm runs every transposed or batched product as a naive loop (1–3 GFLOP/s) and the rest
// through XNNPACK (30–40); OpenBLAS does 60–200 on one core here (notes/native-kernels.md).
// Batch dimensions broadcast as NumPy's do; the stock kernel is wrong when both sides broadcast
// ([2,1,m,k]×[1,3,k,n]), this one is not.
import type * as tf from "@tensorflow/tfjs";
import type { HeapBackend, TensorInfo } from "../buffers.ts";
import type { OpenBlas } from "./openblas.ts";

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const size = (s: readonly number[]) => s.reduce((a, c) => a * c, 1);

/** Output shape and, per output batch, the batch index into a and into b. */
export function broadcastBatches(
  aBatch: readonly number[],
  bBatch: readonly number[],
): { shape: number[]; aIndex: Int32Array; bIndex: Int32Array } {
  const rank = Math.max(aBatch.length, bBatch.length);
  const pa = [...Array(rank - aBatch.length).fill(1), ...aBatch] as number[],
    pb = [...Array(rank - bBatch.length).fill(1), ...bBatch] as number[];
  const shape = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1)
      throw new Error(`matMul: batch dimensions [${aBatch}] and [${bBatch}] do not broadcast`);
    return Math.max(d, e);
  });
  const n = size(shape);
  const aIndex = new Int32Array(n),
    bIndex = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    let rem = o,
      ia = 0,
      ib = 0,
      sa = 1,
      sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % shape[d]!;
      rem = (rem - i) / shape[d]!;
      if (pa[d] !== 1) ia += i * sa;
      if (pb[d] !== 1) ib += i * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    aIndex[o] = ia;
    bIndex[o] = ib;
  }
  return { shape, aIndex, bIndex };
}

/** op(a)·op(b) into a new heap tensor; `bias` (added row-wise, broadcast over rows) is optional. */
export function heapMatMul(
  blas: OpenBlas,
  backend: HeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  { transposeA, transposeB }: MatMulAttrs,
  bias?: TensorInfo,
): TensorInfo {
  const ra = a.shape.length,
    rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!,
    k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!,
    kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!,
    n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb)
    throw new Error(
      `matMul: inner dimensions differ (${k} vs ${kb}) for [${a.shape}]×[${b.shape}] transposeA=${transposeA} transposeB=${transposeB}`,
    );
  const { shape: batch, aIndex, bIndex } = broadcastBatches(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...batch, m, n], "float32");
  const av = backend.typedArrayFromHeap(a) as Float32Array,
    bv = backend.typedArrayFromHeap(b) as Float32Array,
    ov = backend.typedArrayFromHeap(out) as Float32Array;
  const nb = aIndex.length;
  if (m * n === 0 || nb === 0) return out;
  let beta = 0;
  if (bias) {
    const bv2 = backend.typedArrayFromHeap(bias) as Float32Array;
    if (bv2.length !== n) throw new Error(`matMul bias has ${bv2.length} values for ${n} columns`);
    for (let r = 0, rows = nb * m; r < rows; r++) ov.set(bv2, r * n); // C = bias, then C += A·B
    beta = 1;
  } else if (k === 0) {
    ov.fill(0);
    return out;
  }
  const lda = transposeA ? m : k,
    ldb = transposeB ? k : n;
  const aStride = m * k,
    bStride = k * n,
    oStride = m * n;
  const bShared = size(b.shape.slice(0, -2)) === 1,
    aFull = size(a.shape.slice(0, -2)) === nb;
  if (bShared && aFull && !transposeA) {
    // every batch of a times the same b: one [nb·m, k]×[k, n] product
    blas.sgemm(false, transposeB, nb * m, n, k, 1, av, lda, bv, ldb, beta, ov, n);
    return out;
  }
  for (let i = 0; i < nb; i++) {
    const ao = aIndex[i]! * aStride,
      bo = bIndex[i]! * bStride,
      oo = i * oStride;
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      av.subarray(ao, ao + aStride),
      lda,
      bv.subarray(bo, bo + bStride),
      ldb,
      beta,
      ov.subarray(oo, oo + oStride),
      n,
    );
  }
  return out;
}

/** BatchMatMul for float32; other dtypes go to the stock kernel. */
export function batchMatMulKernel(blas: OpenBlas, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== "float32" || b.dtype !== "float32") return stock(args);
    return heapMatMul(
      blas,
      args.backend as unknown as HeapBackend,
      a,
      b,
      args.attrs as unknown as MatMulAttrs,
    ) as never;
  };
}

/** _FusedMatMul with a 1-D bias (or none) and no activation through BLAS; anything else stock. */
export function fusedMatMulKernel(blas: OpenBlas, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as MatMulAttrs & { activation?: string };
    const n = attrs.transposeB ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
    const plainBias = !bias || size(bias.shape) === n;
    if (
      a!.dtype !== "float32" ||
      b!.dtype !== "float32" ||
      preluActivationWeights ||
      !plainBias ||
      (attrs.activation ?? "linear") !== "linear"
    )
      return stock(args);
    return heapMatMul(blas, args.backend as unknown as HeapBackend, a!, b!, attrs, bias) as never;
  };
}
