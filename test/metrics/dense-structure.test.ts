// The probe bench's diagnostics against numpy (test/reference/dense_structure.py): same-segment
// AUROC (exact pairwise there, binned here: agreement to 1e-3) and the correlation of two cosine
// matrices; plus the edge cases a reader relies on (perfect separation, no information).
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  addPairs,
  AurocAccumulator,
  cosineMatrix,
  matrixCorrelation,
  patchMeanColor,
} from "../../stdlib/metrics/dense-structure.ts";
import { loadFixture } from "../support/reference.ts";

const fx = loadFixture("dense_structure");

test("auroc and corr match numpy on 30 tokens in 4 segments", () => {
  const tokens = fx.raw("tokens").data as Float32Array,
    ref = fx.raw("ref").data as Float32Array,
    seg = fx.raw("segments").data as Int32Array;
  const [n, E] = fx.raw("tokens").shape as [number, number];
  const acc = new AurocAccumulator();
  const sim = cosineMatrix(tokens, n, E);
  addPairs(acc, sim, seg);
  assert.ok(
    Math.abs(acc.result()! - (fx.meta["auroc"] as number)) < 1e-3,
    `auroc ${acc.result()} vs ${fx.meta["auroc"]}`,
  );
  const c = matrixCorrelation(sim, cosineMatrix(ref, n, E), n)!;
  assert.ok(Math.abs(c - (fx.meta["corr"] as number)) < 1e-9, `corr ${c} vs ${fx.meta["corr"]}`);
});

test("auroc: 1 when segments separate perfectly, 0.5 when scores carry nothing, null without negatives", () => {
  const perfect = new AurocAccumulator();
  addPairs(perfect, Float64Array.from([1, 0.9, -0.5, 0.9, 1, -0.5, -0.5, -0.5, 1]), Int32Array.from([0, 0, 1]));
  assert.is(perfect.result(), 1);
  const flat = new AurocAccumulator();
  addPairs(flat, new Float64Array(9).fill(0.3), Int32Array.from([0, 0, 1]));
  assert.is(flat.result(), 0.5);
  const one = new AurocAccumulator();
  addPairs(one, new Float64Array(4).fill(1), Int32Array.from([2, 2]));
  assert.is(one.result(), null);
});

test("patchMeanColor: the mean of each cell's pixels", () => {
  // 4×4 image, 2×2 grid: cell 0 all 10s, cell 3 all 200s, cells 1 and 2 a 0/100 half-and-half.
  const rgb = new Uint8Array(4 * 4 * 3);
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++) {
      const v = x < 2 && y < 2 ? 10 : x >= 2 && y >= 2 ? 200 : (x + y) % 2 ? 100 : 0;
      rgb.fill(v, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
    }
  assert.equal([...patchMeanColor(rgb, 4, 2, [0, 1, 3])], [10, 10, 10, 50, 50, 50, 200, 200, 200]);
});

test.run();
