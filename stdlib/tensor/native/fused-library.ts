// The fused kernels' shared library (c/scdx-kernels.c, built by tools/build-native-kernels.sh and
// committed under prebuilt/), loaded through koffi. It targets linux-x64 with AVX2 and FMA; anywhere
// else the native backend is unavailable, with that reason, and the wasm backend runs instead.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const FUSED_LIBRARY = fileURLToPath(new URL("./prebuilt/linux-x64/libscdx-kernels.so", import.meta.url));

type F = Float32Array;
export interface FusedLibrary {
  geluTanh(x: F, y: F, n: number): void;
  geluTanhGrad(dy: F, x: F, dx: F, n: number): void;
  quickGelu(x: F, y: F, n: number): void;
  quickGeluGrad(dy: F, x: F, dx: F, n: number): void;
  layerNorm(x: F, g: F, b: F, y: F, rows: number, d: number, eps: number): void;
  layerNormGrad(dy: F, x: F, g: F, dx: F, dg: F, db: F, tmp: F, rows: number, d: number, eps: number): void;
  softmax(x: F, y: F, rows: number, d: number): void;
  softmaxGrad(dy: F, y: F, dx: F, rows: number, d: number): void;
  colSum(x: F, out: F, rows: number, cols: number): void;
  adamw(
    ...a: [
      p: F,
      g: F,
      m: F,
      v: F,
      p1: F,
      m1: F,
      v1: F,
      n: number,
      b1: number,
      b2: number,
      decay: number,
      step: number,
      sqrtC2: number,
      eps: number,
    ]
  ): void;
}

/**
 * Why this machine cannot run the committed kernels, without loading anything: cheap enough for
 * the driver, which decides the keyed backend before any worker starts.
 */
export function fusedLibraryUnsupported(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64")
    return `the native kernels are built for linux-x64 only (this is ${process.platform}-${process.arch})`;
  let flags = "";
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "";
  } catch {
    return "cannot read /proc/cpuinfo to check for AVX2 and FMA";
  }
  const have = new Set(flags.trim().split(/\s+/));
  const missing = ["avx2", "fma"].filter((f) => !have.has(f));
  return missing.length ? `this CPU lacks ${missing.join(" and ")}, which the native kernels need` : undefined;
}

let loaded: FusedLibrary | undefined;

/** Loads the library once; throws with the reason when it cannot. */
export function loadFusedLibrary(): FusedLibrary {
  if (loaded) return loaded;
  const unsupported = fusedLibraryUnsupported();
  if (unsupported) throw new Error(unsupported);
  const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
  const lib = koffi.load(FUSED_LIBRARY);
  const fn = (sig: string) => lib.func(sig) as (...a: unknown[]) => void;
  const abi = (lib.func("int scdx_kernels_abi()") as () => number)();
  if (abi !== 1)
    throw new Error(`${FUSED_LIBRARY} has ABI ${abi}, expected 1: rebuild with tools/build-native-kernels.sh`);
  const P = "float *",
    I = "int64_t";
  loaded = {
    geluTanh: fn(`void scdx_gelu_tanh(${P}, ${P}, ${I})`),
    geluTanhGrad: fn(`void scdx_gelu_tanh_grad(${P}, ${P}, ${P}, ${I})`),
    quickGelu: fn(`void scdx_quick_gelu(${P}, ${P}, ${I})`),
    quickGeluGrad: fn(`void scdx_quick_gelu_grad(${P}, ${P}, ${P}, ${I})`),
    layerNorm: fn(`void scdx_layer_norm(${P}, ${P}, ${P}, ${P}, ${I}, ${I}, float)`),
    layerNormGrad: fn(`void scdx_layer_norm_grad(${P}, ${P}, ${P}, ${P}, ${P}, ${P}, ${P}, ${I}, ${I}, float)`),
    softmax: fn(`void scdx_softmax(${P}, ${P}, ${I}, ${I})`),
    softmaxGrad: fn(`void scdx_softmax_grad(${P}, ${P}, ${P}, ${I}, ${I})`),
    colSum: fn(`void scdx_col_sum(${P}, ${P}, ${I}, ${I})`),
    adamw: fn(
      `void scdx_adamw(${P}, ${P}, ${P}, ${P}, ${P}, ${P}, ${P}, ${I}, float, float, float, float, float, float)`,
    ),
  };
  return loaded;
}
