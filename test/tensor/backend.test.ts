// Backend selection and our kernel fixes.
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backendFromEnv, BackendError, initBackend } from "../../stdlib/tensor/backend.ts";
import { repoRoot } from "../support/golden.ts";
import { NATIVE_UNAVAILABLE, TEST_BACKENDS } from "../support/backends.ts";

test("default selection in a fresh process falls through tensorflow to native (else wasm) and says why", () => {
  // A fresh process: within this one, earlier suites have already picked a backend.
  const code = `import { initBackend } from "./stdlib/tensor/backend.ts";
    const info = await initBackend(); console.log(JSON.stringify(info));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  assert.is(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout.trim().split("\n").pop()!) as { name: string; device: string; tried: string[] };
  let hasNode = true;
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node-gpu");
  } catch {
    hasNode = false;
  }
  // tfjs-node-gpu is optional and cannot install without libtensorflow; where absent we land on
  // native when OpenBLAS is installed, else on wasm with native's reason
  if (!hasNode) {
    assert.is(info.name, NATIVE_UNAVAILABLE ? "wasm" : "native");
    assert.is(info.device, "cpu");
    assert.match(info.tried[0] ?? "", /tensorflow: @tensorflow\/tfjs-node-gpu did not load/);
    if (NATIVE_UNAVAILABLE) assert.match(info.tried[1] ?? "", /^native: /);
  }
});

test("a GPU requirement fails on a CPU backend with the reason", async () => {
  try {
    await initBackend("cpu", { requireGpu: true });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, BackendError);
    assert.match((e as Error).message, /a GPU was required, but backend 'cpu' runs on the CPU/);
  }
});

test("SCDX_BACKEND is validated", () => {
  assert.is(backendFromEnv({ SCDX_BACKEND: "cpu" }), "cpu");
  assert.is(backendFromEnv({}), undefined);
  assert.throws(
    () => backendFromEnv({ SCDX_BACKEND: "webgl" }),
    /SCDX_BACKEND=webgl is not one of tensorflow, native, wasm, cpu/,
  );
});

for (const backend of TEST_BACKENDS) {
  test(`${backend}: the embedding gradient (UnsortedSegmentSum) is a scatter-add, out-of-range ids dropped`, async () => {
    await initBackend(backend);
    const V = 7,
      D = 3,
      ids = [1, 1, 6, 0, 3, 1];
    const dy = Array.from({ length: ids.length * D }, (_, i) => ((i * 37) % 11) - 5);
    const expected = new Float32Array(V * D);
    ids.forEach((id, i) => {
      for (let j = 0; j < D; j++) expected[id * D + j]! += dy[i * D + j]!;
    });
    const g = tf.tidy(() =>
      tf.grad((e: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(e, tf.tensor1d(ids, "int32")), tf.tensor2d(dy, [ids.length, D]))),
      )(tf.zeros([V, D])),
    );
    assert.equal(Array.from(g.dataSync()), Array.from(expected));
    g.dispose();
    const direct = tf.unsortedSegmentSum(
      tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      tf.tensor1d([2, -1, 9], "int32"),
      3,
    );
    assert.equal(Array.from(direct.dataSync()), [0, 0, 0, 0, 1, 2]);
    direct.dispose();
  });
}

test.run();
