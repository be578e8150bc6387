// OpenBLAS through koffi (a dynamic FFI with prebuilt binaries: nothing compiles at install). The
// system's libopenblas.so.0 does every matMul of the native backend; a hand-written GEMM would be
// 5–100× slower (notes/native-kernels.md). Loading is lazy and its failure is a reason, not a throw,
// so the caller can say why it fell back.
import { createRequire } from "node:module";

export const OPENBLAS_SONAME = "libopenblas.so.0";

// CBLAS enum values (cblas.h): row-major storage, and the transpose flags.
const ROW_MAJOR = 101,
  NO_TRANS = 111,
  TRANS = 112;

export interface OpenBlas {
  /** C[m,n] = alpha·op(A)·op(B) + beta·C, row-major, views into one heap (offsets in elements). */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
  setThreads(n: number): void;
  threads(): number;
  /** e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
  readonly config: string;
  /** The CPU kernels OpenBLAS picked, e.g. "Haswell", "SkylakeX". */
  readonly core: string;
  readonly version: string;
}

let loaded: OpenBlas | undefined;
let failure: string | undefined;

/** OpenBLAS, loaded once; or the reason it cannot be (see `openBlasFailure`). */
export function loadOpenBlas(): OpenBlas | undefined {
  if (loaded || failure) return loaded;
  let koffi: typeof import("koffi");
  try {
    koffi = createRequire(import.meta.url)("koffi");
  } catch (e) {
    failure = `the koffi package did not load (${firstLine(e)}); reinstall with \`npm ci\``;
    return undefined;
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(OPENBLAS_SONAME);
  } catch (e) {
    failure = `${OPENBLAS_SONAME} not found (${firstLine(e)}): install libopenblas0 (Debian/Ubuntu: apt install libopenblas0)`;
    return undefined;
  }
  const gemm = lib.func(
    "void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, float *, int)",
  );
  const setThreads = lib.func("void openblas_set_num_threads(int)");
  const getThreads = lib.func("int openblas_get_num_threads()");
  const config = String(lib.func("const char *openblas_get_config()")());
  const core = String(lib.func("const char *openblas_get_corename()")());
  loaded = {
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      gemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    },
    setThreads: (n) => setThreads(n),
    threads: () => getThreads() as number,
    config,
    core,
    version: /OpenBLAS\s+(\S+)/.exec(config)?.[1] ?? "unknown",
  };
  return loaded;
}

/** Why OpenBLAS could not be loaded, after a failed `loadOpenBlas()`. */
export function openBlasFailure(): string | undefined {
  return failure;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split("\n")[0]!
    .slice(0, 200);
}
