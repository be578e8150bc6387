// A fused op = one kernel (and one gradient kernel) on the native backend, and the same math as
// ordinary tfjs ops everywhere else. Registered at import, like tfjs's own kernels; the gradient is
// registered by kernel name and so only ever runs where the forward kernel ran. Fused kernels run
// on native only: `wasm` and `cpu` keep their stock arithmetic, so their cached results stay valid.
import * as tf from "@tensorflow/tfjs";
import { runOnBuffers, type OutSpec, type TensorInfo } from "../buffers.ts";

export const FUSED_BACKEND = "native";

export type FusedOp = "linear" | "gelu_tanh" | "quick_gelu" | "layer_norm" | "softmax" | "attention" | "adamw";

// For perf/train-step.ts --ablation only: measuring what each fused op buys. Turning one off
// changes the arithmetic without changing cache keys, so nothing but that harness calls this.
const disabled = new Set<FusedOp>();
export function disableFusedOpsForBenchmark(ops: readonly FusedOp[]): void {
  disabled.clear();
  for (const o of ops) disabled.add(o);
}

/** Whether op's fused kernel runs here (else the caller composes ordinary ops). */
export function fusedHere(op: FusedOp): boolean {
  return tf.getBackend() === FUSED_BACKEND && !disabled.has(op);
}

type Compute<A> = (ins: Float32Array[], outs: Float32Array[], attrs: A, shapes: number[][]) => void;

/** Registers a kernel that reads float32 inputs and writes freshly allocated float32 outputs. */
export function registerFusedKernel<A = Record<string, never>>(
  kernelName: string,
  inputNames: readonly string[],
  outShapes: (shapes: number[][], attrs: A) => number[][],
  compute: Compute<A>,
): void {
  tf.registerKernel({
    kernelName,
    backendName: FUSED_BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const ins = inputNames.map((n) => (inputs as unknown as Record<string, TensorInfo>)[n]!);
      const shapes = ins.map((t) => t.shape);
      const a = attrs as unknown as A;
      const outs: OutSpec[] = outShapes(shapes, a).map((shape) => ({ shape }));
      const infos = runOnBuffers(FUSED_BACKEND, backend, ins, outs, (iv, ov) =>
        compute(iv as Float32Array[], ov, a, shapes),
      );
      return (infos.length === 1 ? infos[0] : infos) as never;
    },
  });
}

/** Runs a registered kernel; one output or several. */
export function runFused(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: object = {}): tf.Tensor[] {
  const r = tf.engine().runKernel(kernelName, inputs as never, attrs as never) as tf.Tensor | tf.Tensor[];
  return Array.isArray(r) ? r : [r];
}
