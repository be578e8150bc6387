// Backend names and the SCDX_BACKEND setting, apart from backend.ts: the driver decides which
// backend a run is keyed for without loading tfjs (about 0.7 s of a cached rerun on our machines),
// so nothing here may import it.
export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

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
