// Image batches for segment_contrast: each token's pseudo-segment comes from the pixels the student
// sees, the same with or without the batch worker's transfer, and counts match the labels.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildBatch, buildImageBatch, type ImageBatch } from "../../stdlib/data/batch.ts";
import { pseudoSegmentDefaults, pseudoSegments, tokenSegments } from "../../stdlib/data/pseudo-segments.ts";
import { shapesOptions, shapesSample } from "../../stdlib/data/shapes.ts";

const o = shapesOptions({ images: 3, size: 96, seed: 4, background: "grey", labels: "kind_color" });
const samples = [0, 1, 2].map((i) => shapesSample(o, i));
const spec = { size: 96, segments: { patch: 8, options: pseudoSegmentDefaults } };

test("tokenLabels: 12×12 per image, equal to pseudoSegments → tokenSegments of each image", () => {
  const b = buildImageBatch(samples, spec);
  assert.is(b.tokenLabels!.length, 3 * 144);
  samples.forEach((s, i) => {
    const t = tokenSegments(pseudoSegments(s.rgb, 96, 96).labels, 96, 8);
    assert.equal([...b.tokenLabels!.subarray(i * 144, (i + 1) * 144)], [...t.tokens]);
    assert.is(b.tokenCounts![i], t.count);
    assert.is(Math.max(...b.tokenLabels!.subarray(i * 144, (i + 1) * 144)) + 1, t.count);
  });
});

test("without segments: no token labels (other losses pay nothing)", () => {
  const b = buildBatch({ kind: "images", size: 96 }, samples, [0, 0, 0]) as ImageBatch;
  assert.is(b.tokenLabels, undefined);
  assert.is(b.tokenCounts, undefined);
});

test.run();
