// Dataset-level mIoU against numpy (test/reference/ops_metrics.py), and MaskCLIP-style dense
// prediction against torch (F.normalize, einsum, F.interpolate bilinear align_corners=False, argmax).
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { SegmentationAccumulator, densePredict } from "../../stdlib/metrics/segmentation.ts";
import { loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("segmentation");
const close = (a: number | null, b: number | null, what: string) =>
  assert.ok(a === b || (a !== null && b !== null && Math.abs(a - b) < 1e-12), `${what}: ${a} vs ${b}`);

test("mIoU over three images matches numpy; absent class left out, FP-only class counted", () => {
  const acc = new SegmentationAccumulator(fx.meta["num_classes"] as number, fx.meta["void"] as number);
  for (let i = 0; i < 3; i++) acc.add(fx.raw(`pred${i}`).data as Int32Array, fx.raw(`gt${i}`).data as Int32Array);
  const r = acc.result();
  const iou = fx.meta["iou"] as (number | null)[];
  iou.forEach((v, c) => close(r.iou[c]!, v, `IoU of class ${c}`));
  assert.is(iou[3], null, "class 3 occurs nowhere");
  assert.is(iou[5], 0, "class 5 only predicted");
  close(r.miou, fx.meta["miou"] as number, "mIoU");
  close(r.pixelAccuracy, fx.meta["pixel_accuracy"] as number, "pixel accuracy");
  assert.is(r.classes, 5);
});

test("mIoU by hand: void ignored, out-of-range prediction is a miss, bad label throws", () => {
  const acc = new SegmentationAccumulator(3, -1);
  acc.add([0, 0, 1, 1, 2, 7, 1], [0, 1, 1, -1, 2, 2, -1]);
  // class 0: TP 1, FP 1 (pixel 1) → 1/2; class 1: TP 1, FN 1 → 1/2; class 2: TP 1, FN 1 (pred 7) → 1/2
  assert.equal(acc.result(), { miou: 0.5, iou: [0.5, 0.5, 0.5], pixelAccuracy: 3 / 5, classes: 3 });
  assert.throws(() => acc.add([0], [3]), /label 3/);
  assert.equal(new SegmentationAccumulator(2).result(), {
    miou: null,
    iou: [null, null],
    pixelAccuracy: null,
    classes: 0,
  });
});

for (const backend of TEST_BACKENDS) {
  test(`${backend}: densePredict matches torch's upsampled-cosine argmax`, async () => {
    await initBackend(backend);
    const [Ho, Wo] = fx.meta["dense_out"] as [number, number];
    const want = fx.raw("dense_pred").data as Int32Array;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const got = densePredict(fx.tensor("dense") as tf.Tensor4D, fx.tensor("dense_text") as tf.Tensor2D, [Ho, Wo]);
      assert.is(got.length, 2);
      const flat = [...got[0]!, ...got[1]!];
      const diff = flat.filter((v, i) => v !== want[i]).length;
      assert.is(diff, 0, `${diff} of ${flat.length} pixels differ`);
      assert.ok(new Set(flat).size >= 3, "fixture uses several classes");
    });
    assert.is(tf.memory().numTensors, before);
  });
}

test.run();
