// Backend selection: tensorflow (tfjs-node-gpu, optional) → native (wasm + OpenBLAS + fused
// kernels) → wasm → cpu, overridable with SCDX_BACKEND / --backend. tfjs-node-gpu silently runs on CPU when CUDA libraries are missing
// (notes/tfjs.md §6), so a GPU request is checked against the devices TensorFlow really created.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerKernelFixes } from "./kernels.ts";
import { BACKENDS, BackendError, blasThreadsFromEnv, type BackendName } from "./backend-name.ts";
import { nativeBlas, registerNativeBackend } from "./native/native-backend.ts";

export { BACKENDS, BackendError, backendFromEnv, type BackendName } from "./backend-name.ts";

export interface BackendInfo {
  readonly name: BackendName;
  /** "gpu" only when TensorFlow reported a GPU device; tfjs-node without CUDA is "cpu". */
  readonly device: "gpu" | "cpu";
  readonly tfjsVersion: string;
  /** On `native`: the BLAS library, the CPU kernels it chose and its thread count. */
  readonly blas?: { readonly library: string; readonly core: string; readonly threads: number };
  /** Why earlier choices were passed over, for logs and `--backend` errors. */
  readonly tried: readonly string[];
}

let current: BackendInfo | undefined;

/**
 * Select a backend once per process. `want` forces one (an error if it cannot start);
 * without it the first that starts wins. `requireGpu` fails unless a GPU device exists.
 */
export async function initBackend(
  want?: BackendName,
  opts: { requireGpu?: boolean; threads?: number } = {},
): Promise<BackendInfo> {
  if (current && (!want || current.name === want)) {
    const threads = opts.threads ?? blasThreadsFromEnv();
    if (current.blas && current.blas.threads !== threads) {
      registerNativeBackend(threads); // sets OpenBLAS's pool
      current = { ...current, blas: { ...current.blas, threads } };
    }
    if (opts.requireGpu && current.device !== "gpu")
      throw new BackendError(`a GPU was required, but backend '${current.name}' runs on the CPU`);
    return current;
  }
  tf.enableProdMode(); // also silences the "looks like you are running in Node" banner
  const tried: string[] = [];
  const order = want ? [want] : BACKENDS;
  let gpuDevices = 0;
  for (const name of order) {
    if (name === "tensorflow") {
      try {
        const mod = "@tensorflow/tfjs-node-gpu";
        await import(/* @vite-ignore */ mod);
        gpuDevices = await countGpuDevices();
      } catch (e) {
        tried.push(`tensorflow: @tensorflow/tfjs-node-gpu did not load (${firstLine(e)})`);
        continue;
      }
    }
    if (name === "native") {
      const why = registerNativeBackend(opts.threads ?? blasThreadsFromEnv());
      if (why) {
        tried.push(`native: ${why}`);
        continue;
      }
    }
    if (!tf.findBackendFactory(name)) {
      tried.push(`${name}: not registered`);
      continue;
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      tried.push(`${name}: ${firstLine(e)}`);
      continue;
    }
    if (!ok) {
      tried.push(`${name}: failed to initialise`);
      continue;
    }
    await tf.ready();
    registerKernelFixes(name);
    const device = name === "tensorflow" && gpuDevices > 0 ? "gpu" : "cpu";
    if (opts.requireGpu && device !== "gpu")
      throw new BackendError(
        `a GPU was required, but backend '${name}' runs on the CPU` +
          (name === "tensorflow"
            ? " (TensorFlow created no GPU device: are libcudart/libcudnn on LD_LIBRARY_PATH?)"
            : ""),
      );
    const blas = name === "native" ? nativeBlas() : undefined;
    current = {
      name,
      device,
      tfjsVersion: tf.version.tfjs,
      tried,
      ...(blas && { blas: { library: `OpenBLAS ${blas.version}`, core: blas.core, threads: blas.threads() } }),
    };
    return current;
  }
  throw new BackendError(`no backend could start${want ? ` (asked for '${want}')` : ""}: ${tried.join("; ")}`);
}

export function backendInfo(): BackendInfo | undefined {
  return current;
}

// tfjs-node's backend records whether TensorFlow placed ops on a GPU (`isUsingGpuDevice`, set from
// the native binding when a GPU device was created); without CUDA it is false and ops run on CPU.
async function countGpuDevices(): Promise<number> {
  await tf.setBackend("tensorflow");
  const backend = tf.backend() as unknown as {
    isUsingGpuDevice?: boolean;
    binding?: { isUsingGpuDevice?: () => boolean };
  };
  if (typeof backend.isUsingGpuDevice === "boolean") return backend.isUsingGpuDevice ? 1 : 0;
  return backend.binding?.isUsingGpuDevice?.() ? 1 : 0;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split("\n")[0]!
    .slice(0, 200);
}
