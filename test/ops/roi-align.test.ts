// roiAlign against torchvision.ops.roi_align (test/reference/ops_metrics.py): outputs and feature
// gradients, boxes inside, partly outside, tiny, larger than the map, degenerate; aligned and not;
// adaptive and fixed sampling; several output sizes and spatial scales.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { roiAlign, planRoiAlign, type RoiStrategy } from "../../stdlib/ops/roi-align.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

interface Case {
  B: number;
  C: number;
  H: number;
  W: number;
  n: number;
  out: [number, number];
  scale: number;
  sampling: number;
  aligned: boolean;
}

const fx = loadFixture("roi_align");
const cases = fx.meta["cases"] as Case[];

function check(i: number, c: Case, impl?: "kernel" | "matmul", strategy?: RoiStrategy, imagesPerChunk?: number): void {
  tf.tidy(() => {
    const p = `case${i}.`;
    const feats = fx.tensor(p + "features") as tf.Tensor4D;
    const boxes = fx.tensor(p + "boxes") as tf.Tensor2D;
    const idx = fx.tensor(p + "box_index") as tf.Tensor1D;
    const opts = {
      spatialScale: c.scale,
      samplingRatio: c.sampling,
      aligned: c.aligned,
      impl,
      strategy,
      imagesPerChunk,
    };
    const what = `case ${i} (${JSON.stringify(c)}, ${impl ?? "auto"}, ${strategy ?? "auto"}, chunk ${imagesPerChunk ?? "auto"})`;
    const out = roiAlign(feats, boxes, idx, c.out, opts);
    assertClose(out, fx.raw(p + "out"), `${what} output`, 1e-5, 1e-4);
    const dout = fx.tensor(p + "dout");
    const grad = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(roiAlign(f as tf.Tensor4D, boxes, idx, c.out, opts), dout)))(
      feats,
    );
    assertClose(grad, fx.raw(p + "dfeatures"), `${what} gradient`, 1e-5, 1e-4);
  });
}

for (const backend of TEST_BACKENDS) {
  test(`${backend}: roiAlign kernels (and the default choice) match torchvision (output and gradient)`, async () => {
    await initBackend(backend);
    cases.forEach((c, i) => {
      check(i, c, "kernel");
      check(i, c);
    });
  });

  test(`${backend}: roiAlign matMul path matches torchvision, both strategies, every chunking`, async () => {
    await initBackend(backend);
    cases.forEach((c, i) => {
      check(i, c, "matmul");
      for (const s of ["dense", "separable"] as const) {
        check(i, c, "matmul", s, 1); // per image: box rows permuted into image order and back
        check(i, c, "matmul", s, c.B); // one chunk: rows in the caller's order
        if (c.B > 2) check(i, c, "matmul", s, 2); // a short last chunk
      }
    });
  });

  for (const impl of ["kernel", "matmul"] as const)
    test(`${backend}/${impl}: roiAlign inside optimizer-style tidy leaks no tensors`, async () => {
      await initBackend(backend);
      const feats = tf.variable(tf.randomNormal([3, 6, 6, 4])) as tf.Variable<tf.Rank.R4>;
      const boxes = tf.tensor2d([0, 0, 3, 3, 1, 2, 6, 6, -1, -1, 2, 7, 2, 2, 2.5, 2.5], [4, 4]);
      const idx = tf.tensor1d([2, 0, 2, 1], "int32");
      const step = () =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() =>
            tf.sum(tf.square(roiAlign(feats, boxes, idx, [2, 2], { impl }))),
          );
          value.dataSync();
          grads[feats.name]!.dataSync();
        });
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      assert.is(tf.memory().numTensors, before);
      tf.dispose([feats, boxes, idx]);
    });
}

test("roiAlign: no boxes gives [0, oh, ow, C]; bad image index is an error", async () => {
  await initBackend("cpu");
  tf.tidy(() => {
    const f = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    assert.equal(roiAlign(f, [], [], [2, 2]).shape, [0, 2, 2, 3]);
    assert.throws(() => roiAlign(f, [0, 0, 1, 1], [2], [1, 1]), /image index 2/);
  });
});

test("planRoiAlign: dense on small maps (batched for 1×1), separable per image on large maps with k×k", () => {
  const pooled = planRoiAlign(16, 320, 8, 8, 64, 1, 1);
  assert.is(pooled.strategy, "dense");
  assert.ok(pooled.imagesPerChunk > 1);
  assert.is(planRoiAlign(16, 320, 8, 8, 64, 4, 4).strategy, "dense");
  assert.is(planRoiAlign(1, 100, 64, 64, 512, 1, 1).strategy, "dense");
  const big = planRoiAlign(4, 400, 64, 64, 512, 8, 8);
  assert.equal([big.strategy, big.imagesPerChunk], ["separable", 1]);
  assert.ok(planRoiAlign(16, 320, 8, 8, 64, 4, 4, false).seconds < planRoiAlign(16, 320, 8, 8, 64, 4, 4, true).seconds);
});

test.run();
