// AdamW with decay groups and the warmup + cosine schedule against torch.optim.AdamW driven by
// open_clip's cosine_lr (test/reference/optim.py).
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { adamwInit, adamwStep } from "../../stdlib/optim/adamw.ts";
import { learningRate } from "../../stdlib/optim/schedule.ts";
import { decays } from "../../stdlib/models/clip-params.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("optim");
const meta = fx.meta as {
  lr: number;
  weight_decay: number;
  betas: [number, number];
  eps: number;
  warmup: number;
  total: number;
  lrs: number[];
};
const keys = ["fc.weight", "fc.bias", "layer_norm1.weight", "emb.weight"];

test("schedule: warmup then cosine equals open_clip's cosine_lr", () => {
  const o = { lr: meta.lr, warmup: meta.warmup, schedule: "cosine" as const, min_lr: 0 };
  meta.lrs.forEach((lr, step) => assert.ok(Math.abs(learningRate(o, step, meta.total) - lr) < 1e-12, `step ${step}`));
});

test("decay rule: matrices decay; biases, norms and 1-D parameters do not", () => {
  assert.equal(
    keys.map((k) => decays(k, fx.raw(`init.${k}`).shape)),
    [true, false, false, true],
  );
});

for (const backend of TEST_BACKENDS) {
  test(`${backend}: ${meta.total} AdamW steps equal torch's parameters and moments`, async () => {
    await initBackend(backend);
    const params = Object.fromEntries(
      keys.map((k) => [k, tf.variable(fx.tensor(`init.${k}`), false, `${backend}.optim.${k}`)]),
    );
    const state = adamwInit(params, `${backend}.adam`);
    const o = { lr: meta.lr, weight_decay: meta.weight_decay, betas: meta.betas, eps: meta.eps };
    for (let step = 0; step < meta.total; step++) {
      const grads = Object.fromEntries(keys.map((k) => [k, fx.tensor(`grad.${step}.${k}`)]));
      const lr = learningRate({ ...o, warmup: meta.warmup, schedule: "cosine", min_lr: 0 }, step, meta.total);
      adamwStep(params, grads, state, o, lr, (k) => decays(k, params[k]!.shape));
      tf.dispose(Object.values(grads));
    }
    for (const k of keys) {
      assertClose(params[k]!, fx.raw(`final.${k}`), `θ ${k}`, 1e-5, 1e-5);
      assertClose(state.m[k]!, fx.raw(`m.${k}`), `m ${k}`, 1e-5, 1e-5);
      assertClose(state.v[k]!, fx.raw(`v.${k}`), `v ${k}`, 1e-4, 1e-5);
    }
    tf.dispose([...Object.values(params), ...Object.values(state.m), ...Object.values(state.v)]);
  });
}

test.run();
