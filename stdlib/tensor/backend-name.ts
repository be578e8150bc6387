// Backend names and the SCDX_BACKEND setting, apart from backend.ts: the driver decides which
// backend a run is keyed for without loading tfjs (about 0.7 s of a cached rerun on our machines),
// so nothing here may import it.
export type BackendName = "tensorflow" | "native" | "wasm" | "cpu";
/** In order of preference when nothing is asked for. */
export const BACKENDS: readonly BackendName[] = ["tensorflow", "native", "wasm", "cpu"];

/**
 * The native backend's kernel set (stdlib/tensor/native, stdlib/tensor/fused). Bump it whenever a
 * kernel's arithmetic changes: it is part of every cache key of results made on `native`.
 */
export const NATIVE_KERNELS_VERSION = 1;

export class BackendError extends Error {}

/** The backend asked for by the environment, if any; validated. */
export function backendFromEnv(env = process.env): BackendName | undefined {
  const v = env["SCDX_BACKEND"];
  if (!v) return undefined;
  if (!(BACKENDS as readonly string[]).includes(v))
    throw new BackendError(`SCDX_BACKEND=${v} is not one of ${BACKENDS.join(", ")}`);
  return v as BackendName;
}

/** The backend asked for: `--backend` if given, else SCDX_BACKEND; undefined when neither is. */
export function requestedBackend(flag: string | undefined, env = process.env): BackendName | undefined {
  if (flag === undefined) return backendFromEnv(env);
  if (!(BACKENDS as readonly string[]).includes(flag))
    throw new BackendError(`--backend must be one of ${BACKENDS.join(", ")}, got \`${flag}\``);
  return flag as BackendName;
}

/**
 * BLAS threads per worker process: SCDX_THREADS, else 1. Part of the cache key on `native` (the
 * last bits of a matMul differ between 1 and 2 threads).
 */
export function blasThreadsFromEnv(env: NodeJS.ProcessEnv = process.env, what = "SCDX_THREADS"): number {
  const v = env["SCDX_THREADS"];
  if (v === undefined || v === "") return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new BackendError(`${what} must be a whole number from 1 to 256, got \`${v}\``);
  return n;
}

/**
 * The backend as a cache key names it. Native results depend on the kernel set and on the BLAS
 * thread count (the last bits of a matMul), so both are in the name; the others are their name.
 */
export function keyedBackend(name: BackendName, threads: number): string {
  return name === "native" ? `native/kernels-${NATIVE_KERNELS_VERSION}/threads-${threads}` : name;
}
