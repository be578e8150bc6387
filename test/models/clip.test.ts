// CLIP forward passes and gradients against an independent PyTorch implementation
// (test/reference/clip.py): conv2d patches, fused-projection attention, torch's bicubic resize.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { archFromHfConfig } from "../../stdlib/models/clip-arch.ts";
import { denseFeatures, encodeImage, encodeText, eotPositions } from "../../stdlib/models/clip.ts";
import { clipShapes } from "../../stdlib/models/clip-params.ts";
import { assertClose, loadFixture, type Fixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

function setup(name: string) {
  const fx = loadFixture(`clip_tiny_${name}`);
  const arch = archFromHfConfig(fx.meta["config"] as Record<string, unknown>);
  const keys = [...fx.tensors.keys()]
    .filter((k) => k.startsWith("param."))
    .map((k) => k.slice(6))
    .sort();
  return { fx, arch, keys };
}

function outputs(fx: Fixture, arch: ReturnType<typeof archFromHfConfig>, params: Record<string, tf.Tensor>) {
  const ids = fx.raw("ids"),
    [B, L] = ids.shape as [number, number];
  const idsT = tf.tensor2d(ids.data as Int32Array, [B, L], "int32");
  return {
    image_embeds: encodeImage(params, arch, fx.tensor("images")),
    dense: denseFeatures(params, arch, fx.tensor("images")),
    dense_big: denseFeatures(params, arch, fx.tensor("images_big")),
    text_embeds: encodeText(params, arch, idsT, eotPositions(ids.data as Int32Array, B, L, arch.text!.eotId)),
  };
}

for (const backend of TEST_BACKENDS) {
  for (const name of ["quick", "tanh"]) {
    test(`${backend}/${name}: image, dense and text embeddings match PyTorch`, async () => {
      await initBackend(backend);
      const { fx, arch, keys } = setup(name);
      tf.tidy(() => {
        const params = Object.fromEntries(keys.map((k) => [k, fx.tensor(`param.${k}`)]));
        const shapes = clipShapes(arch);
        assert.equal(Object.keys(shapes).sort(), keys, "parameter table equals the checkpoint's keys");
        for (const k of keys) assert.equal(params[k]!.shape, shapes[k], k);
        const out = outputs(fx, arch, params);
        for (const [k, v] of Object.entries(out)) assertClose(v, fx.raw(k), `${name}.${k}`, 1e-4, 1e-4);
      });
    });

    test(`${backend}/${name}: gradients of every parameter match PyTorch`, async () => {
      await initBackend(backend);
      const { fx, arch, keys: all } = setup(name);
      const fixed = all.filter((k) => !fx.tensors.has(`grad.${k}`)); // logit_scale: no path to these outputs
      assert.equal(fixed, ["logit_scale"]);
      const keys = all.filter((k) => !fixed.includes(k));
      tf.tidy(() => {
        const grads = tf.grads((...ts: tf.Tensor[]) => {
          const params = Object.fromEntries([
            ...keys.map((k, i) => [k, ts[i]!] as const),
            ...fixed.map((k) => [k, fx.tensor(`param.${k}`)] as const),
          ]);
          const o = outputs(fx, arch, params);
          return tf.addN([
            tf.sum(tf.mul(o.dense, fx.tensor("r_dense"))),
            tf.sum(tf.mul(o.image_embeds, fx.tensor("r_image"))),
            tf.sum(tf.mul(o.text_embeds, fx.tensor("r_text"))),
            tf.sum(tf.mul(o.dense_big, fx.tensor("r_dense_big"))),
          ]) as tf.Scalar;
        })(keys.map((k) => fx.tensor(`param.${k}`)));
        keys.forEach((k, i) => assertClose(grads[i]!, fx.raw(`grad.${k}`), `${name} ∂/∂${k}`, 2e-4, 1e-3));
      });
    });
  }
}

test.run();
