// Region classification mAcc against numpy (test/reference/ops_metrics.py): top-1/3/5 per-class mean
// accuracy over present classes, thing and stuff separately, with two classes absent.
import * as tf from "@tensorflow/tfjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { RegionAccuracy, regionClassification } from "../../stdlib/metrics/region-classification.ts";
import { loadFixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const fx = loadFixture("region_classification");
const isThing = [...fx.raw("is_thing").data].map((v) => v === 1);
const labels = fx.raw("labels").data as Int32Array;

for (const backend of TEST_BACKENDS) {
  test(`${backend}: mAcc matches numpy, one shot and accumulated in batches`, async () => {
    await initBackend(backend);
    tf.tidy(() => {
      const emb = fx.tensor("embeddings") as tf.Tensor2D,
        text = fx.tensor("text") as tf.Tensor2D;
      const r = regionClassification(emb, text, labels, isThing, [1, 3, 5]);
      for (const key of ["thing.top1", "thing.top3", "thing.top5", "stuff.top1", "stuff.top3", "stuff.top5"]) {
        const want = fx.meta[key] as number;
        assert.ok(Math.abs(r.metrics[key]! - want) < 1e-9, `${key}: ${r.metrics[key]} vs ${want}`);
      }
      assert.ok(
        (fx.meta["thing.top1"] as number) < 1 && (fx.meta["thing.top1"] as number) > 0.2,
        "fixture is not trivial",
      );
      assert.is(r.classes.thing, fx.meta["thing.classes"]);
      assert.is(r.classes.stuff, fx.meta["stuff.classes"]);
      assert.is(r.regions.thing + r.regions.stuff, labels.length);
      const acc = new RegionAccuracy(isThing, [1, 3, 5]);
      for (let s = 0; s < labels.length; s += 50) {
        const n = Math.min(50, labels.length - s);
        acc.addEmbeddings(emb.slice([s, 0], [n, -1]), text, labels.subarray(s, s + n));
      }
      assert.equal(acc.result(), r);
    });
  });
}

test("RegionAccuracy: hand-checked ranks, ties by class index, empty group is null", () => {
  const acc = new RegionAccuracy([true, true, false], [1, 2]);
  // region 0: label 1 ranks 2nd; region 1: tie between 0 and 1 → class 0 first, label 1 ranks 2nd;
  // region 2: label 0 top; region 3: label 2 (stuff) last
  acc.addScores([0.9, 0.5, 0.1, 0.4, 0.4, 0.1, 0.7, 0.2, 0.3, 0.5, 0.6, 0.1], [1, 1, 0, 2]);
  const r = acc.result();
  assert.equal(r.metrics, { "thing.top1": (1 + 0) / 2, "thing.top2": (1 + 1) / 2, "stuff.top1": 0, "stuff.top2": 0 });
  const empty = new RegionAccuracy([true, false]).result();
  assert.equal(empty.metrics, { "thing.top1": null, "thing.top5": null, "stuff.top1": null, "stuff.top5": null });
  assert.throws(() => acc.addScores([0, 0, 0], [3]), /label 3/);
});

test.run();
