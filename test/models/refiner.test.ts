// The Refiner composite and the refiner_ssl loss against PyTorch (test/reference/refiner.py);
// a fresh Refiner is exactly the identity on CLIP's dense features.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { archFromHfConfig } from "../../stdlib/models/clip-arch.ts";
import { denseFeatures, denseTokens } from "../../stdlib/models/clip.ts";
import { initRefiner, refinedDenseFeatures, refinerArch, refinerShapes } from "../../stdlib/models/refiner.ts";
import { refinerSslLoss, sampleCrops } from "../../stdlib/losses/refiner-ssl.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("refiner");
const arch = archFromHfConfig(fx.meta["config"] as Record<string, unknown>);
const ra = refinerArch(arch, { depth: fx.meta["depth"] as number });
const base = () =>
  Object.fromEntries(
    [...fx.tensors.keys()].filter((k) => k.startsWith("param.")).map((k) => [k.slice(6), fx.tensor(k)]),
  );
const rkeys = Object.keys(refinerShapes(ra)).sort();

for (const backend of TEST_BACKENDS) {
  test(`${backend}: refined dense features and Refiner gradients match PyTorch`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      const P = base();
      assertClose(denseTokens(P, arch, fx.tensor("images")), fx.raw("tokens"), "dense tokens");
      const grads = tf.grads((...ts: tf.Tensor[]) => {
        const params = { ...P, ...Object.fromEntries(rkeys.map((k, i) => [k, ts[i]!])) };
        const out = refinedDenseFeatures(params, ra, fx.tensor("images"));
        assertClose(out, fx.raw("refined"), "refined dense");
        return tf.sum(tf.mul(out, fx.tensor("r"))) as tf.Scalar;
      })(rkeys.map((k) => fx.tensor(`refiner.${k}`)));
      rkeys.forEach((k, i) => assertClose(grads[i]!, fx.raw(`grad.${k}`), `∂${k}`, 2e-4, 1e-3));
    });
  });

  test(`${backend}: a freshly initialised Refiner is the identity`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      const P = base(),
        R = initRefiner(ra, 3);
      assert.equal(Object.keys(R).sort(), rkeys);
      assertClose(
        refinedDenseFeatures({ ...P, ...R }, ra, fx.tensor("images")),
        denseFeatures(P, arch, fx.tensor("images")),
        "identity",
        1e-5,
        1e-5,
      );
    });
  });

  test(`${backend}: refiner_ssl (InfoNCE and cosine) value and gradient`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      for (const objective of ["infonce", "cosine"] as const) {
        const o = { tau: 0.2, objective, crop_min: 0.25, crop_max: 0.75, crops: 2 };
        const { value, grads } = tf.valueAndGrads((s: tf.Tensor) => refinerSslLoss(s, fx.tensor("ssl.t"), o))([
          fx.tensor("ssl.s"),
        ]);
        assertClose(value, fx.raw(`ssl.${objective}.loss`), `${objective} loss`);
        assertClose(grads[0]!, fx.raw(`ssl.${objective}.grad`), `${objective} ∂s`, 1e-5, 1e-3);
      }
    });
  });
}

test("refiner_ssl crops are deterministic in (seed, step), inside the image, and cropAndResize samples their pixel centres", () => {
  const o = { tau: 0.2, objective: "infonce" as const, crop_min: 0.25, crop_max: 0.75, crops: 3 };
  const a = sampleCrops(2, o, 7, 11, 64),
    b = sampleCrops(2, o, 7, 11, 64),
    c = sampleCrops(2, o, 7, 12, 64);
  assert.equal(Array.from(a.boxes), Array.from(b.boxes));
  assert.not.equal(Array.from(a.boxes), Array.from(c.boxes));
  assert.equal(Array.from(a.boxImage), [0, 0, 0, 1, 1, 1]);
  for (let i = 0; i < 6; i++) {
    const [x0, y0, x1, y1] = a.boxes.slice(4 * i, 4 * i + 4);
    assert.ok(x0! >= 0 && y0! >= 0 && x1! <= 1 && y1! <= 1 && x1! - x0! >= 0.25 && x1! - x0! <= 0.75);
    // first and last samples of cropAndResize (pixel indices) = first/last pixel centres of the crop
    const [ty1, , ty2] = a.tfBoxes.slice(4 * i, 4 * i + 4);
    const H = 64,
      a0 = y0! * H,
      b0 = y1! * H;
    assert.ok(Math.abs(ty1! * (H - 1) - (a0 + (b0 - a0) / (2 * H) - 0.5)) < 1e-4);
    assert.ok(Math.abs(ty2! * (H - 1) - (a0 + ((H - 0.5) * (b0 - a0)) / H - 0.5)) < 1e-3);
  }
});

test.run();
