// Kernels that stock tfjs lacks or runs badly. `UnsortedSegmentSum` is the gradient of `gather`
// (token embeddings): wasm has none, and cpu's loops over every segment, O(vocab·N·D) — 25 s for
// one CLIP-vocabulary embedding gradient (notes/tfjs.md §3). Ours is one O(N·D) scatter-add.
import * as tf from "@tensorflow/tfjs";

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
  makeOutput(shape: number[], dtype: string): TensorInfo;
}
interface CpuBackend {
  data: { get(id: object): { values: Float32Array | Int32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array | Int32Array): TensorInfo;
}

function scatterAdd(
  x: Float32Array | Int32Array,
  ids: Float32Array | Int32Array,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  const n = ids.length,
    inner = x.length / Math.max(n, 1);
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue; // TensorFlow's rule: out-of-range ids are dropped
    const src = i * inner,
      dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

const registered = new Set<string>();

export function registerKernelFixes(backendName: string): void {
  if (registered.has(backendName) || (backendName !== "wasm" && backendName !== "cpu")) return;
  registered.add(backendName);
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as unknown as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    const outShape = [numSegments, ...x.shape.slice(1)];
    if (backendName === "wasm") {
      const b = backend as unknown as WasmBackend;
      const out = b.makeOutput(outShape, x.dtype);
      scatterAdd(b.typedArrayFromHeap(x), b.typedArrayFromHeap(segmentIds), numSegments, b.typedArrayFromHeap(out));
      return out as never;
    }
    const b = backend as unknown as CpuBackend;
    const size = outShape.reduce((a, c) => a * c, 1);
    const out = x.dtype === "int32" ? new Int32Array(size) : new Float32Array(size);
    scatterAdd(b.data.get(x.dataId).values, b.data.get(segmentIds.dataId).values, numSegments, out);
    return b.makeTensorInfo(outShape, x.dtype, out) as never;
  };
  if (tf.getKernel("UnsortedSegmentSum", backendName)) tf.unregisterKernel("UnsortedSegmentSum", backendName);
  tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName, kernelFunc });
}
