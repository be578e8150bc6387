// Loading the committed PyTorch reference fixtures (test/fixtures/reference/*.safetensors, written
// by test/reference/*.py) and comparing tensors against them with a tolerance.
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { readSafetensors, type RawTensor } from "../../stdlib/io/safetensors.ts";
import { repoRoot } from "./golden.ts";

export interface Fixture {
  readonly tensors: ReadonlyMap<string, RawTensor>;
  /** The script's JSON metadata (options used, scalars). */
  readonly meta: Record<string, unknown>;
  raw(name: string): RawTensor;
  /** A tf tensor (float32 or int32); caller disposes, or call inside tf.tidy. */
  tensor(name: string): tf.Tensor;
}

export function loadFixture(name: string): Fixture {
  const file = join(repoRoot, "test", "fixtures", "reference", `${name}.safetensors`);
  const st = readSafetensors(file);
  const meta = st.metadata["json"] ? (JSON.parse(st.metadata["json"]) as Record<string, unknown>) : {};
  const raw = (n: string): RawTensor => {
    const t = st.tensors.get(n);
    if (!t) throw new Error(`fixture ${name} has no tensor '${n}' (has: ${[...st.tensors.keys()].join(", ")})`);
    return t;
  };
  return {
    tensors: st.tensors,
    meta,
    raw,
    tensor: (n) => {
      const t = raw(n);
      return tf.tensor(t.data as Float32Array, [...t.shape], t.data instanceof Int32Array ? "int32" : "float32");
    },
  };
}

/**
 * Throws with the worst element unless |a − b| ≤ atol + rtol·|b| everywhere (numpy's allclose rule).
 * `b` is the reference.
 */
export function assertClose(
  actual: tf.Tensor | ArrayLike<number>,
  expected: tf.Tensor | RawTensor | ArrayLike<number>,
  what: string,
  atol = 1e-4,
  rtol = 1e-4,
): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = expected instanceof tf.Tensor ? expected.dataSync() : "data" in expected ? expected.data : expected;
  if (actual instanceof tf.Tensor && "shape" in expected) {
    const es = [...(expected as { shape: readonly number[] }).shape];
    if (JSON.stringify(actual.shape) !== JSON.stringify(es))
      throw new Error(`${what}: shape ${JSON.stringify(actual.shape)}, expected ${JSON.stringify(es)}`);
  }
  if (a.length !== e.length) throw new Error(`${what}: ${a.length} values, expected ${e.length}`);
  let worst = -1,
    worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) - (atol + rtol * Math.abs(e[i]!));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0)
    throw new Error(
      `${what}: element ${worst} is ${a[worst]}, expected ${e[worst]} (|Δ| = ${Math.abs(a[worst]! - e[worst]!).toExponential(2)}, atol ${atol}, rtol ${rtol})`,
    );
}
