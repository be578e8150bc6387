// Bicubic resizing and letterboxing against PyTorch / PIL (fixtures from test/reference/resize.py).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFixture, assertClose } from "../support/reference.ts";
import { bicubicWeights, normalize, resizeImage, resizeImageU8 } from "../../stdlib/data/resize.ts";
import {
  centerCropClip,
  fitLongest,
  letterboxMask,
  letterboxStudent,
  letterboxTeacher,
  maskBounds,
  roundHalfEven,
} from "../../stdlib/data/letterbox.ts";

const fx = loadFixture("resize");
const pairs = fx.meta["pairs"] as [number, number][];
const u8 = fx.raw("u8");
const img = { data: u8.data as Uint8Array, height: u8.shape[0], width: u8.shape[1], channels: 3 };

test("bicubicWeights equals torch F.interpolate(bicubic, align_corners=False), with and without antialias", () => {
  assert.ok(pairs.length >= 10);
  for (const [a, b] of pairs) {
    assertClose(bicubicWeights(a, b), fx.raw(`w_plain_${a}_${b}`), `plain ${a}→${b}`, 1e-6, 1e-5);
    assertClose(bicubicWeights(a, b, { antialias: true }), fx.raw(`w_aa_${a}_${b}`), `antialias ${a}→${b}`, 1e-6, 1e-5);
  }
});

test("bicubicWeights rows sum to one and same-size resizing is the identity", () => {
  for (const aa of [false, true]) {
    const W = bicubicWeights(9, 4, { antialias: aa });
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 9; j++) s += W[i * 9 + j];
      assert.ok(Math.abs(s - 1) < 1e-6, `row ${i} sums to ${s}`);
    }
    const I = bicubicWeights(6, 6, { antialias: aa });
    for (let i = 0; i < 36; i++) assert.is(I[i], i % 7 === 0 ? 1 : 0);
  }
});

test("resizeImage (float) equals torch on a float image", () => {
  const src = fx.raw("img");
  const [h, w] = src.shape;
  for (const name of ["up", "down", "mixed"])
    for (const aa of [false, true]) {
      const ref = fx.raw(`img_${name}_${aa ? "aa" : "plain"}`);
      const out = resizeImage(src.data as Float32Array, h, w, 3, ref.shape[0], ref.shape[1], { antialias: aa });
      assertClose(out, ref, `${name} ${aa ? "aa" : "plain"}`, 1e-4, 0);
    }
});

test("resizeImageU8 equals PIL's BICUBIC resize bit for bit", () => {
  for (const name of ["up", "down", "wide", "tall", "mixed"]) {
    const ref = fx.raw(`pil_${name}`);
    const out = resizeImageU8(img.data, img.height, img.width, 3, ref.shape[0], ref.shape[1]);
    let diff = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== ref.data[i]) diff++;
    assert.is(diff, 0, `${name}: ${diff} of ${out.length} bytes differ from PIL`);
  }
});

test("student / teacher letterbox and centre crop equal open_clip's transforms + Normalize", () => {
  const s = letterboxStudent(img, 48);
  assert.equal([s.fit.height, s.fit.width, s.fit.top, s.fit.left], [36, 48, 0, 0]);
  assert.is(s.fit.scale, 48 / 31);
  assertClose(normalize(s.data), fx.raw("student"), "student", 1e-6, 0);
  const t = letterboxTeacher(img, 40);
  assert.equal([t.fit.height, t.fit.width, t.fit.top, t.fit.left], [30, 40, 5, 0]);
  assertClose(normalize(t.data), fx.raw("teacher"), "teacher", 1e-6, 0);
  assertClose(normalize(centerCropClip(img, 20, "torchvision")), fx.raw("center"), "centre crop", 1e-6, 0);
  // 23×28 → 21×25 resized, crop offset (25 − 21)/2 = 2 either way; check an odd remainder separately.
  const narrow = { data: new Uint8Array(23 * 28 * 3), height: 23, width: 28, channels: 3 };
  for (let y = 0; y < 23; y++) narrow.data.set(img.data.subarray(y * 31 * 3, (y * 31 + 28) * 3), y * 28 * 3);
  assertClose(normalize(centerCropClip(narrow, 21, "torchvision")), fx.raw("center_odd"), "centre crop (odd)", 1e-6, 0);
});

test("centre-crop offsets: HF floors, torchvision rounds half to even", () => {
  // 4-high ramps (no resize at S = 4): the first output pixel shows the chosen x offset (value 20·x).
  const ramp = (w: number) => {
    const r = { data: new Uint8Array(4 * w * 3), height: 4, width: w, channels: 3 };
    for (let y = 0; y < 4; y++) for (let x = 0; x < w; x++) r.data.fill(x * 20, (y * w + x) * 3, (y * w + x + 1) * 3);
    return r;
  };
  assert.is(centerCropClip(ramp(7), 4, "hf")[0], 20); // ⌊3/2⌋ = 1
  assert.is(centerCropClip(ramp(7), 4, "torchvision")[0], 40); // round(1.5) = 2
  assert.is(centerCropClip(ramp(9), 4, "hf")[0], 40); // ⌊5/2⌋ = 2
  assert.is(centerCropClip(ramp(9), 4, "torchvision")[0], 40); // round(2.5) = 2 (to even)
  assert.is(roundHalfEven(2.5), 2);
  assert.is(roundHalfEven(3.5), 4);
  assert.is(roundHalfEven(1.49), 1);
  assert.is(roundHalfEven(-1.5), -2);
});

test("mask letterbox equals COCOPanopticDataset's float-bicubic resize, pad and > 0", () => {
  const m = fx.raw("mask"),
    g = fx.meta["mask_size"] as number;
  const out = letterboxMask(m.data as Uint8Array, m.shape[0], m.shape[1], g);
  assert.equal(Array.from(out), Array.from(fx.raw("mask_16").data));
  const byId = new Int32Array(m.data.length);
  for (let i = 0; i < byId.length; i++) byId[i] = m.data[i] ? 7 : 3;
  assert.equal(Array.from(letterboxMask(byId, m.shape[0], m.shape[1], g, 7)), Array.from(out));
  // The mask is rows 5..19 × cols 8..29, rows 30..32 × cols 40..51 and pixel (2, 22): its tight box.
  const bounds = maskBounds(byId, m.shape[0], m.shape[1]);
  assert.equal(bounds.get(7), [2, 5, 52, 33]);
  assert.equal(bounds.get(3), [0, 0, 53, 37]);
  assert.equal(Array.from(letterboxMask(byId, m.shape[0], m.shape[1], g, 7, bounds.get(7))), Array.from(out));
  assert.equal(fitLongest(37, 53, 16, "top-left").height, 11); // round(11.17)
});

test.run();
