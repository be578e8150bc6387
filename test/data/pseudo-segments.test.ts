// Pseudo-segments from pixels alone: on the 96 px prototype world against its true panoptic
// segments, and on images that are not shapes (a COCO-fixture-style smooth pattern with flat
// rectangles, a noise texture, a grey checkerboard with a coloured disc).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pseudoSegments, tokenSegments } from "../../stdlib/data/pseudo-segments.ts";
import { shapesOptions, shapesSample } from "../../stdlib/data/shapes.ts";
import { mixSeed } from "../../stdlib/tensor/random.ts";
import { pattern } from "./coco-files.ts";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Mean over true segments of the best IoU with any pseudo-segment. */
function bestIoU(truth: Int32Array, ids: readonly number[], labels: Int32Array, count: number): number {
  let sum = 0;
  for (const id of ids) {
    let best = 0;
    for (let c = 0; c < count; c++) {
      let inter = 0,
        uni = 0;
      for (let p = 0; p < truth.length; p++) {
        const a = truth[p] === id,
          b = labels[p] === c;
        if (a && b) inter++;
        if (a || b) uni++;
      }
      best = Math.max(best, inter / uni);
    }
    sum += best;
  }
  return sum / ids.length;
}

test("prototype world: pseudo-segments recover the true segments (mean best IoU > 0.95 on 60 images)", () => {
  const o = shapesOptions({
    images: 60,
    size: 96,
    seed: 2,
    thing_size: range(18, 40),
    zoom: 0.25,
    zoom_size: range(36, 64),
    background: "grey",
    labels: "kind_color",
  });
  let iou = 0,
    pseudo = 0,
    truth = 0;
  for (let i = 0; i < 60; i++) {
    const s = shapesSample(o, i);
    const { labels, count } = pseudoSegments(s.rgb, 96, 96);
    iou += bestIoU(
      s.panoptic!,
      s.segments.map((g) => g.id),
      labels,
      count,
    );
    pseudo += count;
    truth += s.segments.length;
  }
  assert.ok(iou / 60 > 0.95, `mean best IoU ${iou / 60}`);
  assert.ok(pseudo <= 1.2 * truth && pseudo >= truth * 0.9, `${pseudo} pseudo-segments for ${truth} true ones`);
});

test("not shapes: flat rectangles on a smooth COCO-fixture pattern are found, the ramps stay whole", () => {
  const w = 64,
    h = 48,
    rgb = pattern(w, h, 3);
  const truth = new Int32Array(w * h);
  const rects = [
    { id: 1, x0: 8, y0: 8, x1: 24, y1: 30, rgb: [230, 30, 30] },
    { id: 2, x0: 36, y0: 12, x1: 58, y1: 40, rgb: [20, 40, 220] },
  ];
  for (const r of rects)
    for (let y = r.y0; y < r.y1; y++)
      for (let x = r.x0; x < r.x1; x++) {
        truth[y * w + x] = r.id;
        rgb.set(r.rgb, (y * w + x) * 3);
      }
  const { labels, count } = pseudoSegments(rgb, w, h);
  assert.ok(bestIoU(truth, [1, 2], labels, count) > 0.95, `rectangles, ${count} segments`);
  // The pattern ramps smoothly but wraps (mod 200) along a few lines: real edges, so a handful of
  // pieces is right; what must not happen is fragmentation of the ramps themselves.
  assert.ok(count <= 8, `the smooth pattern is split into ${count - 2} pieces`);
});

test("not shapes: a noise texture is one segment; a grey checkerboard with a red disc is two", () => {
  const w = 40,
    noise = new Uint8Array(w * w * 3);
  for (let p = 0; p < w * w; p++) {
    const hsh = mixSeed(9, p);
    for (let c = 0; c < 3; c++) noise[3 * p + c] = 100 + ((hsh >>> (8 * c)) & 31);
  }
  assert.is(pseudoSegments(noise, w, w).count, 1);
  const checks = new Uint8Array(w * w * 3),
    truth = new Int32Array(w * w);
  for (let y = 0; y < w; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x,
        disc = (x - 20) ** 2 + (y - 20) ** 2 <= 64;
      truth[p] = disc ? 1 : 0;
      const v = (Math.floor(x / 4) + Math.floor(y / 4)) & 1 ? 170 : 90;
      checks.set(disc ? [215, 45, 45] : [v, v, v], 3 * p);
    }
  const { labels, count } = pseudoSegments(checks, w, w);
  assert.is(count, 2);
  assert.ok(bestIoU(truth, [0, 1], labels, count) > 0.99);
});

test("tokens: majority label per patch, renumbered by first appearance; deterministic", () => {
  // 4×4 pixels, patch 2: label 5 fills the left half, 7 the right half but for one pixel.
  const l = Int32Array.from([5, 5, 7, 7, 5, 5, 7, 5, 5, 5, 7, 7, 5, 5, 7, 7]);
  const { tokens, count } = tokenSegments(l, 4, 2);
  assert.equal([...tokens], [0, 1, 0, 1]);
  assert.is(count, 2);
  const s = shapesSample(shapesOptions({ images: 1, size: 96, seed: 1, background: "grey" }), 0);
  assert.equal(pseudoSegments(s.rgb, 96, 96).labels, pseudoSegments(s.rgb, 96, 96).labels);
});

test.run();
