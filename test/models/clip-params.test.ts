// The parameter table: CLIPSelf's frozen set, seeded initialisation, the weight-space ensemble.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { archFromFacts } from "../../stdlib/models/clip-arch.ts";
import { clipConfigs } from "../../stdlib/models/configs.ts";
import { clipShapes, inClipGroup, initClip } from "../../stdlib/models/clip-params.ts";
import { weightEnsemble } from "../../stdlib/models/ensemble.ts";

const c = clipConfigs["vit_tiny"]!;
const arch = archFromFacts({
  family: "clip",
  arch: "vit_tiny",
  width: c.width,
  layers: c.layers,
  heads: c.heads,
  patch: c.patch,
  imageSize: c.imageSize,
  embedDim: c.embedDim,
  text: c.text,
  groups: [],
  defaultTrainable: [],
  frozen: false,
});

test("vit_tiny has ~1.25 M parameters (notes/toyworld.md) in HF keys", () => {
  const shapes = clipShapes(arch);
  const n = Object.values(shapes).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
  assert.ok(n > 1.0e6 && n < 1.4e6, `${n}`);
  assert.equal(shapes["vision_model.embeddings.position_embedding.weight"], [65, 128]);
});

test("`blocks` is CLIPSelf's trainable set: embeddings, class token, pre/post norms, projection and text stay frozen", () => {
  const keys = Object.keys(clipShapes(arch));
  const frozen = keys.filter((k) => !inClipGroup(k, "blocks"));
  for (const k of [
    "vision_model.embeddings.patch_embedding.weight",
    "vision_model.embeddings.class_embedding",
    "vision_model.embeddings.position_embedding.weight",
    "vision_model.pre_layrnorm.weight",
    "vision_model.post_layernorm.bias",
    "visual_projection.weight",
    "text_projection.weight",
    "text_model.encoder.layers.0.mlp.fc1.weight",
    "logit_scale",
  ])
    assert.ok(frozen.includes(k), k);
  assert.is(keys.filter((k) => inClipGroup(k, "blocks")).length, 4 * 16);
  assert.ok(keys.filter((k) => inClipGroup(k, "text")).every((k) => k.startsWith("text")));
});

test("initialisation is a function of the seed, equal on wasm and cpu", async () => {
  await initBackend("wasm");
  const a = initClip(arch, 5),
    b = initClip(arch, 5),
    d = initClip(arch, 6);
  const key = "vision_model.encoder.layers.2.mlp.fc1.weight";
  const va = Float32Array.from(a[key]!.dataSync());
  assert.equal(Array.from(va), Array.from(b[key]!.dataSync()));
  assert.not.equal(Array.from(va.slice(0, 8)), Array.from(d[key]!.dataSync().slice(0, 8)));
  const std = Math.sqrt(va.reduce((s: number, v: number) => s + v * v, 0) / va.length);
  assert.ok(Math.abs(std - (2 * 128) ** -0.5) < 0.005, `fc1 std ${std}`);
  await initBackend("cpu");
  const e = initClip(arch, 5);
  assert.equal(Array.from(e[key]!.dataSync()), Array.from(va));
  tf.dispose([...Object.values(a), ...Object.values(b), ...Object.values(d), ...Object.values(e)]);
});

test("weight ensemble: α·student + (1−α)·original, per parameter, checked shapes", async () => {
  await initBackend("wasm");
  const s = { w: tf.tensor1d([1, 2]), r: tf.tensor1d([5]) },
    o = { w: tf.tensor1d([3, -2]) };
  const e = weightEnsemble(s, o, 0.7);
  assert.ok(
    Math.abs(e["w"]!.dataSync()[0]! - (0.7 * 1 + 0.3 * 3)) < 1e-6 &&
      Math.abs(e["w"]!.dataSync()[1]! - (0.7 * 2 - 0.3 * 2)) < 1e-6,
  );
  assert.equal(Array.from(e["r"]!.dataSync()), [5]);
  assert.throws(
    () => weightEnsemble({ w: tf.zeros([2]) }, { w: tf.zeros([3]) }, 0.5),
    /'w' is \[2\] in the student and \[3\]/,
  );
  assert.throws(() => weightEnsemble(s, o, 1.5), /α must lie in \[0, 1\]/);
});

test.run();
