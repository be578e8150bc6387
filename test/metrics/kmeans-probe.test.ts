// k-means (Lloyd from given centroids) against a numpy implementation, k-means++ determinism, and
// the whole probe (k-means → Hungarian on overlaps → mIoU) against numpy + scipy on a synthetic grid.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { kmeans, kmeansPlusPlus } from "../../stdlib/metrics/kmeans.ts";
import { kmeansProbe, matchClusters } from "../../stdlib/metrics/kmeans-probe.ts";
import { SegmentationAccumulator } from "../../stdlib/metrics/segmentation.ts";
import { mulberry32 } from "../../stdlib/tensor/random.ts";
import { assertClose, loadFixture } from "../support/reference.ts";

const fx = loadFixture("kmeans_probe");

test("Lloyd from fixed centroids reproduces numpy's assignments, centroids and iteration count", () => {
  const r = kmeans(fx.raw("points").data, 4, { k: 4, init: fx.raw("init").data });
  assert.equal([...r.assignments], [...fx.raw("assign").data]);
  assertClose(r.centroids, fx.raw("centroids"), "centroids", 1e-6, 1e-6);
  assert.is(r.iterations, fx.meta["iterations"]);
  assert.is(r.converged, fx.meta["converged"]);
  assert.ok((fx.meta["iterations"] as number) >= 2, "fixture needs several iterations");
  const capped = kmeans(fx.raw("points").data, 4, { k: 4, init: fx.raw("init").data, maxIter: 1 });
  assert.is(capped.converged, false);
  assert.is(capped.iterations, 1);
});

test("k-means++ is deterministic per seed, picks distinct data points, and separates clear blobs", () => {
  const rand = mulberry32(5);
  const pts: number[] = [];
  for (const [cx, cy] of [
    [0, 0],
    [10, 0],
    [0, 10],
  ])
    for (let i = 0; i < 20; i++) pts.push(cx + rand() - 0.5, cy + rand() - 0.5);
  const a = kmeans(pts, 2, { k: 3, seed: 7 }),
    b = kmeans(pts, 2, { k: 3, seed: 7 });
  assert.equal(a, b);
  const init = kmeansPlusPlus(pts, 2, 3, mulberry32(1));
  const rows = [0, 1, 2].map((j) => `${init[2 * j]},${init[2 * j + 1]}`);
  assert.is(new Set(rows).size, 3);
  for (const r of rows)
    assert.ok(
      pts.some((_, i) => i % 2 === 0 && `${pts[i]},${pts[i + 1]}` === r),
      "centres are data points",
    );
  for (let blob = 0; blob < 3; blob++) {
    const ids = new Set(a.assignments.slice(blob * 20, blob * 20 + 20));
    assert.is(ids.size, 1, `blob ${blob} in one cluster`);
  }
  assert.is(new Set(a.assignments).size, 3);
});

test("probe matches numpy + scipy on the synthetic grid (fixed init, void = −1)", () => {
  const labels = fx.raw("probe_labels").data as Int32Array;
  const r = kmeansProbe(fx.raw("probe_tokens").data, 6, labels, 3, {
    k: 4,
    init: fx.raw("probe_init").data,
    voidLabel: -1,
  });
  assert.equal([...r.kmeans.assignments], [...fx.raw("probe_assign").data]);
  assert.equal([...r.clusterToClass], [...fx.raw("probe_cluster_class").data]);
  (fx.meta["probe_iou"] as number[]).forEach((v, c) =>
    assert.ok(Math.abs(r.iou[c]! - v) < 1e-12, `IoU ${c}: ${r.iou[c]} vs ${v}`),
  );
  assert.ok(Math.abs(r.miou! - (fx.meta["probe_miou"] as number)) < 1e-12);
  assert.ok(r.miou! < 1 && r.miou! > 0.3, "fixture is neither perfect nor hopeless");
});

test("probe by hand: permuted perfect clusters score 1; shared accumulator sums over images", () => {
  // two images, 2-D tokens at three well-separated spots; GT classes 0..2 (void 255)
  const img = (order: number[]) => {
    const tokens: number[] = [],
      labels: number[] = [];
    order.forEach((cls, i) => {
      tokens.push(cls * 10 + (i % 3) * 0.01, -cls * 10);
      labels.push(i === 0 ? 255 : cls);
    });
    return { tokens, labels };
  };
  const acc = new SegmentationAccumulator(3);
  const a = img([2, 0, 1, 1, 0, 2, 2, 1]);
  const r1 = kmeansProbe(a.tokens, 2, a.labels, 3, { seed: 3, accumulator: acc });
  assert.is(r1.miou, 1);
  // second image: two GT classes, but tokens of class 1 split in two far-apart spots → k = 2 clusters
  const tokens = [0, 0, 0, 0, 50, 50, 100, 100, 100, 100],
    labels = [0, 0, 1, 1, 1];
  const r2 = kmeansProbe(tokens, 2, labels, 3, { init: [0, 0, 100, 100], accumulator: acc });
  assert.equal([...r2.clusterToClass], [0, 1]);
  // image 2: the (50, 50) token is equidistant, goes to the lower index, cluster 0 → predicted 0.
  // Totals: class 0 TP 2+2, FP 1; class 1 TP 3+2, FN 1; class 2 TP 2
  assert.equal(r2.iou, [4 / 5, 5 / 6, 1]);
  assert.equal(matchClusters([0, 1, 2], [255, 255, 255], 3, 3), Int32Array.from([-1, -1, -1]));
});

test.run();
