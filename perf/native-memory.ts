// Memory harness (not a test): N training steps of a workload (perf/train-step-workloads.ts) on a
// backend, printing tfjs's tensor count, the wasm heap and the process RSS as it goes. On a sound
// path all three stop moving after the first steps (tensors: from step 1; heap and RSS: once the
// allocator has seen the step's peak). The native kernels allocate nothing outside the wasm heap.
// Run: node --import tsx perf/native-memory.ts [--backend native] [--workload quickstart] [--steps 300]
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../stdlib/tensor/backend.ts";
import { makeWorkload } from "./train-step-workloads.ts";

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : d;
};
const backend = arg("--backend", "native"),
  steps = Number(arg("--steps", "300"));
await initBackend(backend as never);
const w = makeWorkload(arg("--workload", "quickstart"));
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const heap = () => {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return b.wasm ? mb(b.wasm.HEAPU8.byteLength) : "—";
};
console.log("step  numTensors  wasm heap   rss");
for (let s = 1; s <= steps; s++) {
  w.step();
  if (s === 1 || s === 10 || s % 50 === 0)
    console.log(
      `${String(s).padStart(4)}  ${String(tf.memory().numTensors).padStart(10)}  ${heap().padStart(10)}  ${mb(process.memoryUsage().rss)}`,
    );
}
w.dispose();
