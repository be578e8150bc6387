// maskPool against the torch expression sum(f·m)/(sum(m)+1e-12) (test/reference/ops_metrics.py):
// output and feature gradient, masks in mixed image order, an empty and a full mask.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { maskPool } from "../../stdlib/ops/mask-pool.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("mask_pool");

for (const backend of TEST_BACKENDS) {
  test(`${backend}: maskPool matches torch (output and gradient)`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      const f = fx.tensor("features") as tf.Tensor4D,
        masks = fx.tensor("masks") as tf.Tensor3D;
      const idx = fx.tensor("mask_index") as tf.Tensor1D;
      const out = maskPool(f, masks, idx);
      assertClose(out, fx.raw("out"), "maskPool output", 1e-5, 1e-4);
      assert.equal([...out.slice([2, 0], [1, -1]).dataSync()], [0, 0, 0, 0], "empty mask pools to zeros");
      const dout = fx.tensor("dout");
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(maskPool(x as tf.Tensor4D, masks, idx), dout)))(f);
      assertClose(grad, fx.raw("dfeatures"), "maskPool gradient", 1e-5, 1e-4);
      // masks already in image order take the no-permutation path; same numbers
      const sorted = [1, 2, 6, 3, 5, 0, 4];
      const out2 = maskPool(
        f,
        tf.gather(masks, sorted),
        sorted.map((i) => idx.dataSync()[i]!),
      );
      assertClose(out2, tf.gather(out, sorted), "maskPool, sorted masks", 1e-6, 1e-6);
    });
  });
}

test("maskPool: shape and index errors", async () => {
  await initBackend("cpu");
  tf.tidy(() => {
    const f = tf.zeros([2, 3, 3, 4]) as tf.Tensor4D;
    assert.throws(() => maskPool(f, tf.zeros([1, 3, 4]) as tf.Tensor3D, [0]), /3×4/);
    assert.throws(() => maskPool(f, tf.zeros([1, 3, 3]) as tf.Tensor3D, [2]), /image index 2/);
    assert.equal(maskPool(f, tf.zeros([0, 3, 3]) as tf.Tensor3D, []).shape, [0, 4]);
  });
});

test.run();
