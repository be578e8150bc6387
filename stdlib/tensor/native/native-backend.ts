// The `native` backend: tfjs-wasm's memory and kernels, with the hot ones replaced — every float32
// matMul through OpenBLAS, copy-free Identity and same-type Cast — plus the fused kernels of
// stdlib/tensor/fused/, which are registered for this backend only. Results differ from `wasm` in
// the last bits, so they are keyed as their own backend (kernel-set version and BLAS threads).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { HeapBackend, TensorInfo } from "../buffers.ts";
import { batchMatMulKernel, fusedMatMulKernel } from "./matmul-kernel.ts";
import { type FusedLibrary, loadFusedLibrary } from "./fused-library.ts";
import { loadOpenBlas, openBlasFailure, type OpenBlas } from "./openblas.ts";

// A copy that keeps the data: the wasm kernels copy even float32 → float32 (≈ 30 ms of a tiny-ViT step).
const shareData: tf.KernelFunc = ({ inputs, backend }) => {
  const x = (inputs as unknown as { x: TensorInfo }).x;
  (backend as unknown as HeapBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype } as never;
};

let registered: OpenBlas | undefined;
let fused: FusedLibrary | undefined;

/**
 * Registers `native` with tfjs (once). Returns why it cannot be, or undefined when it is ready to
 * be chosen with tf.setBackend("native"). `threads` sets OpenBLAS's pool.
 */
export function registerNativeBackend(threads: number): string | undefined {
  if (process.env["SCDX_NATIVE"] === "off") return "turned off by SCDX_NATIVE=off";
  const blas = registered ?? loadOpenBlas();
  if (!blas) return openBlasFailure();
  blas.setThreads(threads);
  if (registered) return undefined;
  try {
    fused = loadFusedLibrary();
  } catch (e) {
    return (e as Error).message;
  }
  const factory = tf.findBackendFactory("wasm");
  if (!factory) return "the wasm backend is not registered";
  // The same factory gives a second, independent wasm module (its own heap). The wasm kernels'
  // setup functions rebind to whichever backend tf.setBackend last chose, so both may live in a process.
  tf.registerBackend("native", factory, 1);
  const stock = new Map<string, tf.KernelFunc>();
  for (const k of tf.getKernelsForBackend("wasm")) {
    stock.set(k.kernelName, k.kernelFunc);
    tf.registerKernel({ ...k, backendName: "native" });
  }
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    if (tf.getKernel(kernelName, "native")) tf.unregisterKernel(kernelName, "native");
    tf.registerKernel({ kernelName, backendName: "native", kernelFunc });
  };
  const stockOf = (name: string) => {
    const f = stock.get(name);
    if (!f) throw new Error(`tfjs-wasm has no ${name} kernel to fall back to`);
    return f;
  };
  replace("BatchMatMul", batchMatMulKernel(blas, stockOf("BatchMatMul")));
  replace("_FusedMatMul", fusedMatMulKernel(blas, stockOf("_FusedMatMul")));
  replace("Identity", (args) =>
    (args.inputs as { x: TensorInfo }).x.dtype === "string" ? stockOf("Identity")(args) : shareData(args),
  );
  replace("Cast", (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    return (args.attrs as { dtype: string }).dtype === x.dtype && x.dtype !== "string"
      ? shareData(args)
      : stockOf("Cast")(args);
  });
  registered = blas;
  return undefined;
}

/** The OpenBLAS in use, once `registerNativeBackend` has succeeded. */
export function nativeBlas(): OpenBlas | undefined {
  return registered;
}

/** OpenBLAS and the fused kernels, for kernels that run only once the backend exists. */
export function nativeLibs(): { blas: OpenBlas; fused: FusedLibrary } {
  if (!registered || !fused) throw new Error("the native backend's libraries are used before it was registered");
  return { blas: registered, fused };
}
