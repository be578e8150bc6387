// The workloads of perf/train-step.ts on tfjs, each mirrored by perf/peer_torch.py:
//   tiny        vit_tiny (64 px, patch 8, width 128, depth 4), batch 16: forward, 1 − cos, backward,
//               AdamW over the image tower
//   b16         ViT-B/16 at 224 px, batch 8 (what the coco recipes run): the same step with the
//               encoder blocks trainable (CLIPSelf's set)
//   quickstart  examples/shapes/quickstart.scd's real step: vit_tiny, batch 8, 8 grid-cell regions
//               per image; RLA against the frozen teacher's forwards of the 64 crops, + 0.5·SCD
//               with 4×4 RoIAlign; stdlib/train/step.ts exactly as the runner calls it
// Inputs are seeded so both sides see the same shapes; values are not compared here (the reference
// tests do that), only time.
import * as tf from "@tensorflow/tfjs";
import { archFromFacts, type ClipArch } from "../stdlib/models/clip-arch.ts";
import { encodeImage } from "../stdlib/models/clip.ts";
import { initClip } from "../stdlib/models/clip-params.ts";
import { clipConfigs } from "../stdlib/models/configs.ts";
import { adamwInit, adamwStep } from "../stdlib/optim/adamw.ts";
import { scdDefaults } from "../stdlib/losses/scd.ts";
import { l2normalize } from "../stdlib/tensor/nn.ts";
import { gaussian } from "../stdlib/tensor/random.ts";
import { createTrainer, trainStep } from "../stdlib/train/step.ts";

export interface Workload {
  readonly step: () => void;
  readonly forward?: () => void;
  readonly dispose: () => void;
}

function visionArch(name: string): ClipArch {
  const p = clipConfigs[name]!;
  const arch = archFromFacts({
    family: "clip",
    arch: name,
    width: p.width,
    layers: p.layers,
    heads: p.heads,
    patch: p.patch,
    imageSize: p.imageSize,
    embedDim: p.embedDim,
    text: null,
    groups: [],
    defaultTrainable: [],
    frozen: false,
  });
  return { ...arch, text: null };
}

/** 1 − cos(image embedding, fixed target) with AdamW over the parameters `train` selects. */
function cosineStep(archName: string, batch: number, train: (key: string) => boolean): Workload {
  const arch = visionArch(archName);
  const all = initClip(arch, 0);
  const vars: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(all)) if (train(k)) vars[k] = tf.variable(v, true, `perf/${k}`);
  const params = { ...all, ...vars };
  const state = adamwInit(vars, "perf/adam");
  const S = arch.vision.imageSize;
  const x = tf.tensor4d(gaussian(batch * S * S * 3, 1, 0, 1), [batch, S, S, 3]);
  const target = l2normalize(tf.tensor2d(gaussian(batch * arch.embedDim, 2, 0, 1), [batch, arch.embedDim]));
  const keys = Object.keys(vars);
  const opts = { lr: 1e-4, weight_decay: 0.1, betas: [0.9, 0.999] as const, eps: 1e-8 };
  return {
    step: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sub(1, tf.mean(tf.sum(tf.mul(l2normalize(encodeImage(params, arch, x)), target), -1))) as tf.Scalar,
          keys.map((k) => vars[k]!),
        );
        const byKey = Object.fromEntries(keys.map((k) => [k, grads[vars[k]!.name]!]));
        adamwStep(vars, byKey, state, opts, 1e-4, () => true);
        value.dataSync();
      }),
    forward: () =>
      tf.tidy(() => {
        encodeImage(params, arch, x).dataSync();
      }),
    dispose: () => tf.dispose([...Object.values(all), ...Object.values(vars), x, target]),
  };
}

const isBlock = (k: string) => k.startsWith("vision_model.encoder.layers.");

function quickstartStep(): Workload {
  const arch = visionArch("vit_tiny");
  const params = initClip(arch, 0);
  const model = { family: "clip" as const, arch, params };
  const t = createTrainer({
    model,
    trainable: ["blocks"],
    seed: 0,
    steps: 1000,
    losses: [
      { kind: "rla", weight: 1, teacher: model, options: { weight: 1 } },
      { kind: "scd", weight: 0.5, source: model, options: { ...scdDefaults, tau: 0.2, k: 4, scope: "region" } },
    ],
    optim: { lr: 2e-4, weight_decay: 0.1, betas: [0.9, 0.999], eps: 1e-8, warmup: 20, schedule: "cosine", min_lr: 0 },
  });
  const B = 8,
    perImage = 8,
    S = 64;
  // grid cells of 1×1 … 4×4 splits, as rla(grid: 1..4, max_boxes: 8) samples them
  const boxes = new Float32Array(B * perImage * 4),
    boxImage = new Int32Array(B * perImage);
  for (let i = 0; i < B * perImage; i++) {
    const n = 1 + (i % 4),
      cx = (i * 7) % n,
      cy = (i * 3) % n;
    boxes.set([cx / n, cy / n, (cx + 1) / n, (cy + 1) / n], i * 4);
    boxImage[i] = Math.floor(i / perImage);
  }
  const batch = {
    images: { data: gaussian(B * S * S * 3, 3, 0, 1), shape: [B, S, S, 3] as const },
    crops: { data: gaussian(B * perImage * S * S * 3, 4, 0, 1), shape: [B * perImage, S, S, 3] as const },
    boxes,
    boxImage,
  };
  return {
    step: () => {
      trainStep(t, batch);
    },
    dispose: () => {
      t.dispose();
      tf.dispose(Object.values(params));
    },
  };
}

export function makeWorkload(name: string, batch?: number): Workload {
  if (name === "tiny")
    return cosineStep("vit_tiny", batch ?? 16, (k) => k.startsWith("vision") || k === "visual_projection.weight");
  if (name === "b16") return cosineStep("vit_b16", batch ?? 8, isBlock);
  if (name === "quickstart") return quickstartStep();
  throw new Error(`unknown workload ${name} (tiny, b16, quickstart)`);
}
