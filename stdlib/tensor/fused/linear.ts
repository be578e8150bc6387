// y = x·Wᵀ + b as one kernel on native: the bias is copied into the output and sgemm accumulates
// onto it (beta = 1), W is read transposed in place. The gradient is one kernel of three products:
// dx = dy·W, dW = dyᵀ·x (both sgemm, no materialised transposes) and db = column sums of dy.
// Elsewhere, linear() in nn.ts keeps its wasm-friendly formulation.
import * as tf from "@tensorflow/tfjs";
import type { HeapBackend, TensorInfo } from "../buffers.ts";
import { heapMatMul } from "../native/matmul-kernel.ts";
import { nativeLibs } from "../native/native-backend.ts";
import { FUSED_BACKEND, runFused } from "./fused-kernel.ts";

const blas = () => nativeLibs().blas;

tf.registerKernel({
  kernelName: "ScdxLinear",
  backendName: FUSED_BACKEND,
  kernelFunc: ({ inputs, backend }) => {
    const { x, w, b } = inputs as unknown as { x: TensorInfo; w: TensorInfo; b?: TensorInfo };
    return heapMatMul(
      blas(),
      backend as unknown as HeapBackend,
      x,
      w,
      { transposeA: false, transposeB: true },
      b,
    ) as never;
  },
});

tf.registerKernel({
  kernelName: "ScdxLinearGrad",
  backendName: FUSED_BACKEND,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x, w } = inputs as unknown as { dy: TensorInfo; x: TensorInfo; w: TensorInfo };
    const hb = backend as unknown as HeapBackend;
    const dx = heapMatMul(blas(), hb, dy, w, { transposeA: false, transposeB: false }); // [M,in]
    const dw = heapMatMul(blas(), hb, dy, x, { transposeA: true, transposeB: false }); // [out,in]
    if (!(attrs as { bias: boolean }).bias) return [dx, dw] as never;
    const [M, N] = dy.shape as [number, number];
    const db = hb.makeOutput([N], "float32");
    nativeLibs().fused.colSum(
      hb.typedArrayFromHeap(dy) as Float32Array,
      hb.typedArrayFromHeap(db) as Float32Array,
      M,
      N,
    );
    return [dx, dw, db] as never;
  },
});

tf.registerGradient({
  kernelName: "ScdxLinear",
  inputsToSave: ["x", "w"],
  gradFunc: (dy, saved, attrs) => {
    const bias = (attrs as { bias: boolean }).bias;
    const [dx, dw, db] = runFused("ScdxLinearGrad", { dy: dy as tf.Tensor, x: saved[0]!, w: saved[1]! }, { bias });
    const grads: Record<string, () => tf.Tensor> = { x: () => dx!, w: () => dw! };
    if (bias) grads["b"] = () => db!;
    return grads;
  },
});

/** x [M,in] · W[out,in]ᵀ (+ b [out]) → [M,out], one native kernel. */
export function fusedLinear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const inputs: Record<string, tf.Tensor> = b ? { x, w, b } : { x, w };
  return runFused("ScdxLinear", inputs, { bias: !!b })[0] as tf.Tensor2D;
}
