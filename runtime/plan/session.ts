// What `run`, `plan`, `why` and `export` share once a study has compiled: which backend results
// are keyed for, which cache, and the run plan with every stage's cache key.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { Study } from "../../core/ir.ts";
import {
  type BackendError,
  blasThreadsFromEnv,
  keyedBackend,
  requestedBackend,
  type BackendName,
} from "../../stdlib/tensor/backend-name.ts";
import { nativeUnavailable } from "../../stdlib/tensor/native/probe.ts";
import { Cache, projectDirOf, resolveCacheRoot } from "../cache/store.ts";
import { FileFingerprints } from "../cache/key.ts";
import { scdxVersion } from "../cache/manifest.ts";
import { planRun, type RunPlan } from "./run-plan.ts";
import { UsageError } from "../../core/usage-error.ts";

/**
 * The backend a run's results are keyed for, decided without loading tfjs (a fully cached rerun
 * must not pay for it): --backend, else SCDX_BACKEND, else tensorflow when tfjs-node-gpu is
 * installed, else native when OpenBLAS and the fused kernels can run here, else wasm. Workers then
 * start exactly this backend or fail saying so.
 */
export function chooseBackend(flag: string | undefined): BackendName {
  return chooseBackendWithReason(flag).name;
}

/** As chooseBackend, with why native was passed over when nothing was asked for. */
export function chooseBackendWithReason(flag: string | undefined): { name: BackendName; note?: string } {
  let asked: BackendName | undefined;
  try {
    asked = requestedBackend(flag);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (asked) return { name: asked };
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node-gpu");
    return { name: "tensorflow" };
  } catch {}
  const why = nativeUnavailable();
  return why ? { name: "wasm", note: `native backend unavailable: ${why}; using wasm` } : { name: "native" };
}

/** BLAS threads per worker: --threads, else SCDX_THREADS, else 1. */
export function chooseThreads(flag: string | undefined): number {
  try {
    return flag === undefined ? blasThreadsFromEnv() : blasThreadsFromEnv({ SCDX_THREADS: flag }, "--threads");
  } catch (e) {
    throw new UsageError((e as BackendError).message);
  }
}

export interface Session {
  readonly study: Study;
  readonly file: string;
  readonly backend: BackendName;
  /** BLAS threads per worker (keyed on native). */
  readonly threads: number;
  /** The backend as cache keys name it: on native, with its kernel-set version and BLAS threads. */
  readonly keyedBackend: string;
  /** Why the preferred backend was passed over, for one line on stderr. */
  readonly backendNote?: string;
  readonly cache: Cache;
  readonly plan: RunPlan;
  readonly projectDir: string;
  readonly fingerprints: FileFingerprints;
}

export function openSession(
  study: Study,
  file: string,
  o: { backend?: string; threads?: string; cache?: string; cacheRoot?: string; only?: readonly string[]; cwd: string },
): Session {
  const { name: backend, note: backendNote } = chooseBackendWithReason(o.backend);
  const threads = chooseThreads(o.threads);
  const keyed = keyedBackend(backend, threads);
  const projectDir = projectDirOf(path.resolve(o.cwd, file));
  const root = o.cacheRoot ?? resolveCacheRoot({ flag: o.cache, projectDir, cwd: o.cwd });
  try {
    mkdirSync(root, { recursive: true });
    accessSync(root, constants.W_OK);
  } catch (e) {
    throw new UsageError(`cannot use ${root} as the cache: ${(e as Error).message}`);
  }
  const cache = new Cache(root);
  const fingerprints = new FileFingerprints(path.join(root, "fingerprints.json"));
  const plan = planRun(
    study,
    { backend: keyed, scdxVersion: scdxVersion(), fingerprint: fingerprints.fingerprint },
    o.only,
  );
  fingerprints.save();
  return {
    study,
    file,
    backend,
    threads,
    keyedBackend: keyed,
    ...(backendNote && { backendNote }),
    cache,
    plan,
    projectDir,
    fingerprints,
  };
}

/**
 * Whether the cache holds the entry of planned stage `node`: its manifest is there. A hint, not a
 * verdict (nothing is verified; a run verifies before it serves), for the plan and the reporter.
 */
export function hasEntry(s: Session, node: string): boolean {
  const p = s.plan.stages.get(node);
  return !!p && existsSync(path.join(s.cache.entryDir(p.info.key), "manifest.json"));
}
