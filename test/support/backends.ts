// The backends numerics tests run on: every one this machine offers. `native` joins when OpenBLAS
// and its kernels can run here (CI installs libopenblas0) and is left out with SCDX_NATIVE=off, which
// CI also runs so that the fallback stays tested.
import { nativeUnavailable } from "../../stdlib/tensor/native/probe.ts";

export const NATIVE_UNAVAILABLE = nativeUnavailable();

export const TEST_BACKENDS = [...(NATIVE_UNAVAILABLE ? [] : (["native"] as const)), "wasm", "cpu"] as const;

if (NATIVE_UNAVAILABLE && process.env["SCDX_NATIVE"] !== "off" && !process.env["SCDX_QUIET_NATIVE"]) {
  process.env["SCDX_QUIET_NATIVE"] = "1"; // say it once per process
  console.warn(`(native backend not tested: ${NATIVE_UNAVAILABLE})`);
}
