// The training step against PyTorch (test/reference/train_step.py: torchvision roi_align,
// torch.optim.AdamW), and the tensor count staying flat over 100 steps.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { archFromHfConfig } from "../../stdlib/models/clip-arch.ts";
import { initClip } from "../../stdlib/models/clip-params.ts";
import { createTrainer, trainStep, NonFiniteLossError } from "../../stdlib/train/step.ts";
import type { StageModel } from "../../stdlib/train/model.ts";
import type { TrainBatchData } from "../../stdlib/train/batch.ts";
import { scdDefaults } from "../../stdlib/losses/scd.ts";
import { assertClose, loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("train_step");
const meta = fx.meta as {
  config: Record<string, unknown>;
  lambda: number;
  k: number;
  lr: number;
  steps: number;
  warmup: number;
};
const arch = archFromHfConfig(meta.config);
const f32 = (n: string) => fx.raw(n).data as Float32Array;
const shape4 = (n: string) => fx.raw(n).shape as unknown as [number, number, number, number];

function batch(step: number): TrainBatchData {
  return {
    images: { data: f32(`${step}.images`), shape: shape4(`${step}.images`) },
    crops: { data: f32(`${step}.crops`), shape: shape4(`${step}.crops`) },
    boxes: f32("boxes"),
    boxImage: fx.raw("box_image").data as Int32Array,
  };
}

for (const backend of TEST_BACKENDS) {
  test(`${backend}: two RLA + λ·SCD steps equal PyTorch's losses and updated blocks`, async () => {
    await initBackend(backend);
    const keys = [...fx.tensors.keys()].filter((k) => k.startsWith("param.")).map((k) => k.slice(6));
    const params = Object.fromEntries(keys.map((k) => [k, fx.tensor(`param.${k}`)]));
    const model: StageModel = { family: "clip", arch, params };
    const t = createTrainer({
      model,
      trainable: ["blocks"],
      seed: 0,
      steps: meta.steps,
      losses: [
        { kind: "rla", weight: 1, teacher: model, options: { weight: 1 } },
        { kind: "scd", weight: meta.lambda, source: model, options: { ...scdDefaults, k: meta.k, scope: "region" } },
      ],
      optim: {
        lr: meta.lr,
        weight_decay: 0.1,
        betas: [0.9, 0.999],
        eps: 1e-8,
        warmup: meta.warmup,
        schedule: "cosine",
        min_lr: 0,
      },
    });
    for (let s = 0; s < meta.steps; s++) {
      const r = trainStep(t, batch(s));
      assertClose([r.loss], f32(`${s}.loss`), `step ${s} loss`);
      assertClose([r.terms["rla"]!, r.terms["scd"]!], [f32(`${s}.rla`)[0]!, f32(`${s}.scd`)[0]!], `step ${s} terms`);
      assertClose([r.lr], f32(`${s}.lr`), `step ${s} lr`, 1e-9, 1e-6);
    }
    const trained = Object.keys(t.variables);
    assert.ok(trained.length > 0 && trained.every((k) => k.startsWith("vision_model.encoder.layers.")));
    // A key bias has an exactly zero gradient (softmax ignores a constant added to a row of scores);
    // torch's is round-off noise, which Adam scales into ±lr steps, so its final value is noise.
    for (const k of trained.filter((k) => !k.endsWith("k_proj.bias")))
      assertClose(t.variables[k]!, fx.raw(`final.${k}`), `θ ${k}`, 2e-4, 1e-3);
    // frozen parameters are the model's own tensors, untouched
    assertClose(
      t.params["visual_projection.weight"]!,
      fx.raw("param.visual_projection.weight"),
      "frozen projection",
      0,
      0,
    );
    t.dispose();
    tf.dispose(Object.values(params));
  });
}

for (const backend of TEST_BACKENDS.filter((b) => b !== "cpu"))
  test(`${backend}: 100 steps of RLA + SCD + contrastive keep tf.memory().numTensors flat`, async () => {
    await initBackend(backend);
    const a = { ...arch, text: { ...arch.text!, eotId: arch.text!.vocabSize - 1 } };
    const params = initClip(a, 1);
    const model: StageModel = { family: "clip", arch: a, params };
    const t = createTrainer({
      model,
      trainable: ["all"],
      seed: 0,
      steps: 100,
      losses: [
        { kind: "rla", weight: 1, teacher: model, options: { weight: 1 } },
        { kind: "scd", weight: 0.5, source: model, options: { ...scdDefaults, k: 2, scope: "region" } },
        { kind: "clip_contrastive", weight: 1, options: { learn_temperature: true } },
      ],
      optim: { lr: 1e-3, weight_decay: 0.1, betas: [0.9, 0.98], eps: 1e-6, warmup: 10, schedule: "cosine", min_lr: 0 },
    });
    const L = a.text!.contextLength,
      ids = new Int32Array(2 * L);
    for (let i = 0; i < ids.length; i++) ids[i] = 1 + (i % 7);
    ids[3] = a.text!.eotId;
    ids[L + 5] = a.text!.eotId;
    const b = { ...batch(0), tokens: { ids, length: L, eot: [3, 5] } };
    trainStep(t, b);
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    for (let s = 1; s < 100; s++) {
      trainStep(t, b);
      counts.push(tf.memory().numTensors);
    }
    assert.ok(
      counts.every((c) => c === start),
      `tensor counts moved: start ${start}, saw ${[...new Set(counts)].join(", ")}`,
    );
    t.dispose();
    tf.dispose(Object.values(params));
  });

test("wasm: a non-finite loss stops the step, names the term and leaves parameters alone", async () => {
  await initBackend("wasm");
  const keys = [...fx.tensors.keys()].filter((k) => k.startsWith("param.")).map((k) => k.slice(6));
  const params = Object.fromEntries(keys.map((k) => [k, fx.tensor(`param.${k}`)]));
  const model: StageModel = { family: "clip", arch, params };
  const t = createTrainer({
    model,
    trainable: ["blocks"],
    seed: 0,
    steps: 2,
    losses: [{ kind: "rla", weight: 1, teacher: model, options: { weight: 1 } }],
    optim: { lr: 1e-2, weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8, warmup: 0, schedule: "constant", min_lr: 0 },
  });
  const bad = batch(0),
    data = new Float32Array(bad.images.data);
  data[5] = NaN;
  const before = t.variables["vision_model.encoder.layers.0.mlp.fc1.weight"]!.dataSync().slice();
  try {
    trainStep(t, { ...bad, images: { data, shape: bad.images.shape } });
    assert.unreachable("expected NonFiniteLossError");
  } catch (e) {
    assert.instance(e, NonFiniteLossError);
    assert.match((e as Error).message, /loss term 'rla' is NaN at step 0/);
  }
  assert.equal(t.variables["vision_model.encoder.layers.0.mlp.fc1.weight"]!.dataSync(), before);
  t.dispose();
  tf.dispose(Object.values(params));
});

test.run();
