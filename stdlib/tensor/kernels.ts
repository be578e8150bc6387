// Kernels that stock tfjs lacks or runs badly. `UnsortedSegmentSum` is the gradient of `gather`
// (token embeddings): wasm has none, and cpu's loops over every segment, O(vocab·N·D) — 25 s for
// one CLIP-vocabulary embedding gradient (notes/tfjs.md §3). Ours is one O(N·D) scatter-add.
import * as tf from "@tensorflow/tfjs";
import { hasTypedBuffers, runOnBuffers, type TensorInfo } from "./buffers.ts";

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
  if (registered.has(backendName) || !hasTypedBuffers(backendName)) return;
  registered.add(backendName);
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as unknown as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    const shape = [numSegments, ...x.shape.slice(1)];
    const dtype = x.dtype === "int32" ? "int32" : "float32";
    return runOnBuffers(backendName, backend, [x, segmentIds], [{ shape, dtype }], ([xs, ids], [out]) =>
      scatterAdd(xs!, ids!, numSegments, out!),
    )[0] as never;
  };
  if (tf.getKernel("UnsortedSegmentSum", backendName)) tf.unregisterKernel("UnsortedSegmentSum", backendName);
  tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName, kernelFunc });
}
