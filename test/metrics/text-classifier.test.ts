// Prompt filling (ViLD rules, checked against hand-written prompts) and the prompt-ensemble
// classifier (checked against a direct float64 computation with a deterministic fake encoder).
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { article, fillTemplates, promptName, textClassifier } from "../../stdlib/metrics/text-classifier.ts";
import { SIMPLE_TEMPLATES, VILD_TEMPLATES } from "../../stdlib/metrics/templates.ts";
import { assertClose } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

test("templates: 63 distinct ViLD templates, each with one class slot", () => {
  assert.is(VILD_TEMPLATES.length, 63);
  assert.is(new Set(VILD_TEMPLATES).size, 63);
  for (const t of VILD_TEMPLATES) assert.is(t.split("{}").length, 2, t);
  assert.equal(SIMPLE_TEMPLATES, ["a photo of {a} {}."]);
});

test("prompt names, articles and the 'This is' rule", () => {
  assert.is(promptName("Traffic_Light"), "traffic light");
  assert.is(promptName("wall-other-merged/Fence"), "wall-other-merged or fence");
  assert.is(promptName("tv."), "tv");
  assert.is(article("apple"), "an");
  assert.is(article("umbrella"), "an");
  assert.is(article("banana"), "a");
  const t = [
    "There is {a} {} in the scene.",
    "a photo of {a} {}.",
    "the toy {}.",
    "itap of my {}.",
    "an embroidered {}.",
  ];
  assert.equal(fillTemplates("Orange", t), [
    "There is an orange in the scene.",
    "This is a photo of an orange.",
    "This is the toy orange.",
    "itap of my orange.",
    "This is an embroidered orange.",
  ]);
  assert.equal(fillTemplates("dining_table", t, { thisIs: false })[1], "a photo of a dining table.");
});

// Deterministic "encoder": a prompt's embedding from its character codes; not normalised.
const E = 6;
function fakeEmbed(p: string): number[] {
  const v = new Array<number>(E).fill(0);
  for (let i = 0; i < p.length; i++) v[i % E]! += Math.sin(p.charCodeAt(i) * (i + 1)) * (1 + (i % 3));
  return v;
}

for (const backend of TEST_BACKENDS) {
  test(`${backend}: textClassifier = L2(mean of L2 prompt embeddings) per class`, async () => {
    await initBackend(backend);
    const names = ["person", "traffic_light", "sky-other/clouds"];
    const calls: string[][] = [];
    const enc = async (prompts: string[]) => {
      calls.push(prompts);
      return tf.tensor2d(prompts.map(fakeEmbed));
    };
    const before = tf.memory().numTensors;
    const cls = await textClassifier(enc, names, VILD_TEMPLATES);
    assert.equal(cls.shape, [3, E]);
    assert.is(calls.length, 3);
    assert.equal(calls[1], fillTemplates("traffic_light", VILD_TEMPLATES));
    const want: number[] = [];
    for (const name of names) {
      const mean = new Array<number>(E).fill(0);
      for (const p of fillTemplates(name, VILD_TEMPLATES)) {
        const v = fakeEmbed(p),
          n = Math.hypot(...v);
        v.forEach((x, i) => {
          mean[i]! += x / n / VILD_TEMPLATES.length;
        });
      }
      const n = Math.hypot(...mean);
      want.push(...mean.map((x) => x / n));
    }
    assertClose(cls, want, "classifier rows", 1e-5, 1e-4);
    cls.dispose();
    assert.is(tf.memory().numTensors, before, "no tensors leak (encoder outputs disposed)");
  });
}

test.run();
