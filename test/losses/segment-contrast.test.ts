// segment_contrast value and gradient against PyTorch autograd (test/reference/segment_contrast.py,
// written per image and per segment without padding), on every backend.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { segmentContrastLoss } from "../../stdlib/losses/segment-contrast.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("segment_contrast");
const taus = fx.meta["tau"] as number[];

for (const backend of TEST_BACKENDS) {
  test(`${backend}: segment_contrast value and ∂dense at τ = ${taus.join(", ")}; images with 4, 2 and 3 segments`, async () => {
    await initBackend(backend);
    const labels = fx.raw("labels").data as Int32Array;
    const B = fx.raw("dense").shape[0]!,
      T = labels.length / B;
    const counts = Int32Array.from({ length: B }, (_, b) => 1 + Math.max(...labels.subarray(b * T, (b + 1) * T)));
    tf.tidy(() => {
      const dense = fx.tensor("dense");
      taus.forEach((tau, i) => {
        const { value, grads } = tf.valueAndGrads((d: tf.Tensor) => segmentContrastLoss(d, { labels, counts }, tau))([
          dense,
        ]);
        assertClose(value, fx.raw(`${i}.loss`), `loss τ=${tau}`, 1e-5, 1e-4);
        assertClose(grads[0]!, fx.raw(`${i}.grad`), `∂dense τ=${tau}`, 1e-6, 1e-3);
      });
    });
  });
}

test.run();
