// CLIPSelf region sampling and the region-classification batch, checked against geometry computed
// independently here: grid cells from their definition, crops that need no resizing compared pixel
// by pixel with the source, masks through dense weight matrices instead of the sparse taps.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Box, Sample } from "../../stdlib/data/sample.ts";
import { Rng } from "../../stdlib/data/rng.ts";
import { buildRegionBatch, featureBox, gridPairs, sampleRegions } from "../../stdlib/data/sampling.ts";
import { buildBenchBatch } from "../../stdlib/data/bench-batch.ts";
import { bicubicWeights, CLIP_MEAN, CLIP_STD } from "../../stdlib/data/resize.ts";
import { PAN_H, PAN_RECTS, PAN_W, paint, pattern } from "./coco-files.ts";

const norm = (v: number, c: number) => (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c];
const sample = (w: number, h: number, seed: number, extra: Partial<Sample> = {}): Sample => ({
  id: `s${seed}`,
  width: w,
  height: h,
  rgb: pattern(w, h, seed),
  segments: [],
  captions: [],
  ...extra,
});

/** Pixel (x, y, c) of image n of an [N, S, S, 3] array. */
const at = (a: Float32Array, S: number, n: number, x: number, y: number, c: number) => a[((n * S + y) * S + x) * 3 + c];

test("the 24 CLIPSelf splits, and the variants rla's options select", () => {
  const expected: [number, number][] = [
    [1, 1],
    [1, 2],
    [2, 1],
    [2, 2],
    [2, 3],
    [2, 4],
  ];
  for (const m of [3, 4]) for (let n = 2; n <= 6; n++) expected.push([m, n]);
  for (const m of [5, 6]) for (let n = 3; n <= 6; n++) expected.push([m, n]);
  assert.equal(gridPairs(), expected);
  assert.is(expected.length, 24);
  assert.equal(gridPairs({ grid: [1, 2, 3, 4] }).length, 2 + 4 + 3 + 3);
  assert.equal(gridPairs({ grid: [1, 3], pairs: "all" }), [
    [1, 1],
    [1, 3],
    [3, 1],
    [3, 3],
  ]);
  assert.throws(() => gridPairs({ grid: [5], maxSplit: 2 }), /no grid splits/);
});

test("splits are drawn uniformly (χ² over 4800 draws) and a split's cells tile the image", () => {
  const counts = new Map<string, number>(),
    draws = 4800;
  for (let i = 0; i < draws; i++) {
    const r = sampleRegions({ id: "x", width: 60, height: 36 }, Rng.of(7, i));
    counts.set(String(r.split), (counts.get(String(r.split)) ?? 0) + 1);
    const [m, n] = r.split!;
    assert.is(r.boxes.length, Math.min(20, m * n));
    // Every box is one of the M×N cells x ∈ {c·w/N}, y ∈ {r·h/M}, and no cell repeats.
    const keys = new Set<string>();
    for (const b of r.boxes) {
      const c = Math.round((b[0] * n) / 60),
        rr = Math.round((b[1] * m) / 36);
      assert.equal([...b], [(c * 60) / n, (rr * 36) / m, ((c + 1) * 60) / n, ((rr + 1) * 36) / m]);
      keys.add(`${c},${rr}`);
    }
    assert.is(keys.size, r.boxes.length);
    if (m * n <= 20)
      assert.is(
        r.boxes.reduce((a, b) => a + (b[2] - b[0]) * (b[3] - b[1]), 0),
        60 * 36,
        "all cells: they tile the image",
      );
  }
  assert.is(counts.size, 24);
  const e = draws / 24,
    chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
  assert.ok(chi2 < 49.7, `χ²(23) = ${chi2.toFixed(1)} (p = 0.001 bound 49.7)`);
});

test("region batch: student letterboxed bottom/right, crops centred, boxes in feature cells", () => {
  // 64×48 image, S = 64 (no resize), grid (2,2) only: cells are 32×24, teacher T = 32 (no resize either),
  // so the expected pixels are the source's own: nothing below depends on the resize code.
  const s0 = sample(64, 48, 1),
    s1 = sample(64, 48, 2);
  const G = 4,
    S = 64,
    T = 32;
  const batch = buildRegionBatch([s0, s1], [11, 12], {
    studentSize: S,
    teacherSize: T,
    featureGrid: G,
    grid: [2],
    pairs: "all",
  });
  assert.equal(batch.imageShape, [2, S, S, 3]);
  assert.equal(batch.cropShape, [8, T, T, 3]);
  assert.equal(Array.from(batch.boxImage), [0, 0, 0, 0, 1, 1, 1, 1]);
  for (const [x, y] of [
    [0, 0],
    [63, 47],
    [17, 30],
  ])
    for (let c = 0; c < 3; c++)
      assert.ok(Math.abs(at(batch.images, S, 1, x, y, c) - norm(s1.rgb[(y * 64 + x) * 3 + c], c)) < 1e-6);
  for (const [x, y] of [
    [0, 48],
    [63, 63],
  ])
    for (let c = 0; c < 3; c++)
      assert.ok(Math.abs(at(batch.images, S, 0, x, y, c) - norm(0, c)) < 1e-6, "black padding below");
  const seen = new Set<string>();
  for (let n = 0; n < 8; n++) {
    const b = Array.from(batch.boxes.subarray(n * 4, n * 4 + 4)),
      src = n < 4 ? s0 : s1;
    const px = b.map((v) => (v * 64) / G); // feature cells → pixels: × max(h, w) / grid
    assert.ok(
      [0, 32].includes(px[0]) && [0, 24].includes(px[1]) && px[2] === px[0] + 32 && px[3] === px[1] + 24,
      `cell ${px}`,
    );
    seen.add(`${batch.boxImage[n]}:${px}`);
    for (const [x, y] of [
      [0, 0],
      [31, 23],
      [5, 17],
    ])
      for (let c = 0; c < 3; c++)
        assert.ok(
          Math.abs(at(batch.crops, T, n, x, y + 4, c) - norm(src.rgb[((px[1] + y) * 64 + px[0] + x) * 3 + c], c)) <
            1e-6,
          "crop = cell pixels, 4 rows of padding above",
        );
    for (const y of [0, 3, 28, 31])
      assert.ok(Math.abs(at(batch.crops, T, n, 9, y, 1) - norm(0, 1)) < 1e-6, "centred black padding");
  }
  assert.is(seen.size, 8, "each image gives its four cells once");
  // Downscaled student: S = 32 halves everything; feature boxes stay fractions of the padded square.
  assert.equal(featureBox([32, 24, 64, 48], 64, 48, 32, 2), [1, 0.75, 2, 1.5]);
  assert.equal(featureBox([10, 0, 20, 30], 30, 60, 1024, 64), [(10 / 60) * 64, 0, (20 / 60) * 64, 32]);
});

test("same seeds give the same batch; different seeds different regions", () => {
  const spec = { studentSize: 32, teacherSize: 16, featureGrid: 2 };
  const a = buildRegionBatch([sample(50, 40, 3)], [99], spec),
    b = buildRegionBatch([sample(50, 40, 3)], [99], spec);
  assert.equal(Array.from(a.boxes), Array.from(b.boxes));
  assert.ok(Buffer.from(a.crops.buffer).equals(Buffer.from(b.crops.buffer)));
  const splits = new Set(
    Array.from({ length: 20 }, (_, i) => String(sampleRegions(sample(50, 40, 3), new Rng(i)).split)),
  );
  assert.ok(splits.size > 5);
});

test("proposals: area filter [8², 1024²], teacher crop enlarged 1.5× and clipped, student keeps the box", () => {
  const props: Box[] = [
    [10, 10, 20, 18],
    [0, 0, 4, 4],
    [5, 5, 40, 40],
  ];
  const s = sample(64, 48, 4, { proposals: props });
  const r = sampleRegions(s, new Rng(1), { regions: "proposals" });
  const sorted = [...r.boxes].map((b, i) => [b, r.crops[i]] as const).sort((x, y) => x[0][0] - y[0][0]);
  assert.equal(
    sorted.map((p) => [...p[0]]),
    [
      [5, 5, 40, 40],
      [10, 10, 20, 18],
    ],
  );
  assert.equal([...sorted[1][1]], [7.5, 8, 22.5, 20]); // centre (15, 14), half-sizes 7.5 and 6
  assert.equal([...sorted[0][1]], [0, 0, 48.75, 48]); // clipped at 0 and at the image's bottom
  // Crop [7.5, 8, 22.5, 20] → PIL rounds to [8, 8, 22, 20): 14×12; with T = 14 it is only padded (1 row above).
  const only: Sample = { ...s, proposals: [props[0]] };
  const batch = buildRegionBatch([only], [5], {
    studentSize: 64,
    teacherSize: 14,
    featureGrid: 8,
    regions: "proposals",
  });
  assert.equal(Array.from(batch.boxes), [10 / 8, 10 / 8, 20 / 8, 18 / 8]);
  for (const [x, y] of [
    [0, 0],
    [13, 11],
    [6, 4],
  ])
    for (let c = 0; c < 3; c++)
      assert.ok(Math.abs(at(batch.crops, 14, 0, x, y + 1, c) - norm(s.rgb[((8 + y) * 64 + 8 + x) * 3 + c], c)) < 1e-6);
  // None in range → the reference's fallback: the top-left quarter.
  const tiny = sampleRegions(sample(64, 48, 4, { proposals: [[0, 0, 4, 4]] }), new Rng(1), { regions: "proposals" });
  assert.equal(tiny, { boxes: [[0, 0, 16, 12]], crops: [[0, 0, 16, 12]] });
  assert.throws(() => sampleRegions(sample(8, 8, 1), new Rng(1), { regions: "proposals" }), /no proposals/);
});

test("bench batch: masks = dense bicubic (W_y · M · W_xᵀ) > 0 padded, boxes, labels, thing crops enlarged", () => {
  const ids = paint(PAN_W, PAN_H, PAN_RECTS),
    G = 8;
  const segs = [
    { id: 300, label: 1, isThing: false, box: [0, 0, 48, 10] as Box, area: 480 },
    { id: 5, label: 0, isThing: true, box: [4, 12, 20, 28] as Box, area: 256 },
  ];
  const s = sample(PAN_W, PAN_H, 5, { segments: segs, panoptic: ids });
  const batch = buildBenchBatch([s], { studentSize: 48, featureGrid: G, teacherSize: 24 });
  assert.equal(Array.from(batch.labels), [1, 0]);
  assert.equal(Array.from(batch.isThing), [0, 1]);
  assert.equal(Array.from(batch.boxes), Array.from(Float32Array.from([0, 0, 8, 10 / 6, 4 / 6, 2, 20 / 6, 28 / 6])));
  // Independent mask path: longest side 48 → 8, so 40 → round(6.67) = 7 rows; dense matrices from
  // bicubicWeights (checked against torch) instead of the sparse taps letterboxMask uses.
  const Wy = bicubicWeights(PAN_H, 7),
    Wx = bicubicWeights(PAN_W, 8);
  segs.forEach((seg, n) => {
    for (let oy = 0; oy < G; oy++)
      for (let ox = 0; ox < G; ox++) {
        let v = 0;
        if (oy < 7)
          for (let y = 0; y < PAN_H; y++)
            for (let x = 0; x < PAN_W; x++)
              if (ids[y * PAN_W + x] === seg.id) v += Wy[oy * PAN_H + y] * Wx[ox * PAN_W + x];
        assert.is(batch.masks![(n * G + oy) * G + ox], v > 0 ? 1 : 0, `mask ${seg.id} at (${ox}, ${oy}) = ${v}`);
      }
  });
  // The thing's crop is its box enlarged 1.5× about the centre: [0, 8, 24, 32) → 24×24, T = 24: no resize.
  for (const [x, y] of [
    [0, 0],
    [23, 23],
    [12, 5],
  ])
    for (let c = 0; c < 3; c++)
      assert.ok(Math.abs(at(batch.crops!, 24, 1, x, y, c) - norm(s.rgb[((8 + y) * PAN_W + x) * 3 + c], c)) < 1e-6);
  // The stuff crop is its box as is: 48×10 → 24×5, padded centred (rows 9..13).
  assert.ok(Math.abs(at(batch.crops!, 24, 0, 3, 2, 0) - norm(0, 0)) < 1e-6);
  assert.ok(Math.abs(at(batch.crops!, 24, 0, 3, 10, 0) - norm(0, 0)) > 0.1);
  // Thing crops only: one row, equal to the full batch's thing row.
  const things = buildBenchBatch([s], { studentSize: 48, featureGrid: G, teacherSize: 24, cropThingsOnly: true });
  assert.equal(things.cropShape, [1, 24, 24, 3]);
  assert.equal(things.crops, batch.crops!.subarray(24 * 24 * 3));
});

test.run();
