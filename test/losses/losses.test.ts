// RLA, SCD (every option combination) and CLIP-contrastive values and gradients against PyTorch
// autograd (test/reference/losses.py).
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { rlaLoss } from "../../stdlib/losses/rla.ts";
import { scdLoss, type ScdOptions } from "../../stdlib/losses/scd.ts";
import { clipContrastiveLoss } from "../../stdlib/losses/clip-contrastive.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("losses");

for (const backend of TEST_BACKENDS) {
  test(`${backend}: rla value and student gradient; no gradient reaches the teacher`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      const s = fx.tensor("rla.s"),
        t = fx.tensor("rla.t");
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => rlaLoss(a, b))([s, t]);
      assertClose(value, fx.raw("rla.loss"), "rla loss");
      assertClose(grads[0]!, fx.raw("rla.grad_s"), "rla ∂s");
      assert.is(tf.max(tf.abs(grads[1]!)).dataSync()[0], 0);
    });
  });

  test(`${backend}: scd over all ${(fx.meta["scd_cases"] as unknown[]).length} option combinations`, async () => {
    await initBackend(backend);
    const cases = fx.meta["scd_cases"] as ScdOptions[];
    tf.tidy(() => {
      const zs = fx.tensor("scd.zs"),
        zt = fx.tensor("scd.zt");
      cases.forEach((o, i) => {
        const { value, grads } = tf.valueAndGrads((a: tf.Tensor) => scdLoss(a, zt, o))([zs]);
        assertClose(value, fx.raw(`scd.${i}.loss`), `scd ${JSON.stringify(o)} loss`, 1e-4, 1e-4);
        assertClose(grads[0]!, fx.raw(`scd.${i}.grad`), `scd ${JSON.stringify(o)} ∂zs`, 1e-5, 1e-3);
      });
    });
  });

  test(`${backend}: clip_contrastive value and gradients, including the logit scale`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        clipContrastiveLoss(a, b, c),
      )([fx.tensor("con.img"), fx.tensor("con.txt"), fx.tensor("con.logit_scale")]);
      assertClose(value, fx.raw("con.loss"), "contrastive loss");
      assertClose(grads[0]!, fx.raw("con.grad_img"), "∂img");
      assertClose(grads[1]!, fx.raw("con.grad_txt"), "∂txt");
      assertClose(grads[2]!, fx.raw("con.grad_scale"), "∂logit_scale");
    });
  });
}

test.run();
