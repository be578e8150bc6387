// Kernels written in JS over a backend's own buffers, for every backend that keeps tensors in
// typed arrays: wasm and native (the wasm heap) and cpu (JS arrays). One function hands a kernel its
// input and output arrays, so each kernel is written once.
//
// Pitfall (notes/native-kernels.md): the wasm heap's ArrayBuffer is replaced when memory grows, so
// every output is allocated first and only then are views taken; no view outlives the call.

export type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Values = Float32Array | Int32Array;

export interface HeapBackend {
  typedArrayFromHeap(t: TensorInfo): Values;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  incRef(dataId: object): void;
}
interface CpuBackend {
  data: { get(id: object): { values: Values } };
  makeTensorInfo(shape: number[], dtype: string, values: Values): TensorInfo;
}

/** Backends whose tensors live on the wasm heap. */
export function onWasmHeap(backendName: string): boolean {
  return backendName === "wasm" || backendName === "native";
}

/** Backends on which the JS kernels of this project run. */
export function hasTypedBuffers(backendName: string): boolean {
  return onWasmHeap(backendName) || backendName === "cpu";
}

export interface OutSpec {
  readonly shape: number[];
  readonly dtype?: "float32" | "int32";
}

/**
 * Runs `f` on the arrays of `inputs` and of freshly allocated outputs (contents undefined: `f`
 * writes every element), and returns the outputs as tensor infos.
 */
export function runOnBuffers(
  backendName: string,
  backend: unknown,
  inputs: readonly TensorInfo[],
  outs: readonly OutSpec[],
  f: (ins: Values[], outs: Float32Array[]) => void,
): TensorInfo[] {
  if (onWasmHeap(backendName)) {
    const b = backend as unknown as HeapBackend;
    const infos = outs.map((o) => b.makeOutput(o.shape, o.dtype ?? "float32"));
    f(
      inputs.map((t) => b.typedArrayFromHeap(t)),
      infos.map((t) => b.typedArrayFromHeap(t) as Float32Array),
    );
    return infos;
  }
  const b = backend as unknown as CpuBackend;
  const arrays = outs.map((o) => {
    const n = o.shape.reduce((a, c) => a * c, 1);
    return o.dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
  });
  f(
    inputs.map((t) => b.data.get(t.dataId).values),
    arrays as Float32Array[],
  );
  return outs.map((o, i) => b.makeTensorInfo(o.shape, o.dtype ?? "float32", arrays[i]!));
}
