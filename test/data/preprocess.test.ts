// Checkpoint preprocessing against PIL / torchvision (test/reference/preprocess.py): HF's
// CLIPImageProcessor (shortest edge, floor-offset crop, custom mean/std), OpenAI's Resize + CenterCrop
// (offsets rounded half to even) and an exact-size resize.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RgbImage } from "../../stdlib/data/letterbox.ts";
import {
  defaultPreprocess,
  modelInput,
  preprocessFromHf,
  preprocessFromOpenClip,
  preprocessImage,
  PreprocessError,
} from "../../stdlib/data/preprocess.ts";
import { normalize } from "../../stdlib/data/resize.ts";
import { assertClose, loadFixture } from "../support/reference.ts";

const fx = loadFixture("preprocess");
const img = (name: string, transpose = false): RgbImage => {
  const r = fx.raw(name),
    [h, w] = r.shape as [number, number];
  const d = r.data as Uint8Array;
  if (!transpose) return { data: d, height: h, width: w, channels: 3 };
  const t = new Uint8Array(d.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) t[(x * h + y) * 3 + c] = d[(y * w + x) * 3 + c]!;
  return { data: t, height: w, width: h, channels: 3 };
};
const hfCfg = fx.meta["hf_config"] as Record<string, unknown>;

test("HF CLIPImageProcessor: shortest edge, floor-offset centre crop, the config's mean/std", () => {
  const p = preprocessFromHf(hfCfg, 16);
  assert.equal(p.resize, { shortest: 20 });
  assert.equal(p.crop, { height: 16, width: 16 });
  for (const [name, t, ref] of [
    ["img_a", false, "hf_a"],
    ["img_b", true, "hf_b_t"],
  ] as const) {
    const out = preprocessImage(img(name, t), p);
    assert.equal([out.height, out.width], [16, 16]);
    assertClose(out.data, fx.raw(ref), ref, 1e-5, 1e-5);
  }
});

test("OpenAI default: Resize(S) + CenterCrop(S) with torchvision's rounding (a 1.5-px offset)", () => {
  const p = defaultPreprocess(16);
  assertClose(preprocessImage(img("img_a"), p).data, fx.raw("tv_a"), "tv_a", 1e-5, 1e-5);
  assertClose(preprocessImage(img("img_b"), p).data, fx.raw("tv_b"), "tv_b", 1e-5, 1e-5);
  assertClose(preprocessImage(img("img_b", true), p).data, fx.raw("tv_b_t"), "tv_b_t", 1e-5, 1e-5);
  // the same image with HF's floor offset lands one pixel off: the two conventions really differ here
  const hf = preprocessImage(img("img_b"), { ...p, cropOffsets: "hf" }).data;
  assert.throws(() => assertClose(hf, fx.raw("tv_b"), "hf vs tv", 1e-5, 1e-5));
});

test("exact size without crop", () => {
  const p = preprocessFromHf(fx.meta["exact_config"] as Record<string, unknown>, 16);
  const out = preprocessImage(img("img_a"), p);
  assert.equal([out.height, out.width], [16, 12]);
  assertClose(out.data, fx.raw("exact_a"), "exact_a", 1e-5, 1e-5);
});

test("an image at the model's size is only normalised", () => {
  const small = preprocessImage(img("img_a"), defaultPreprocess(16));
  const u8 = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 37) % 256);
  const out = modelInput({ data: u8, height: 16, width: 16, channels: 3 }, preprocessFromHf(hfCfg, 16), 16);
  assertClose(out.data, normalize(u8, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]), "pass-through", 0, 0);
  assert.is(small.data.length, 16 * 16 * 3);
});

test("open_clip preprocess_cfg and config errors", () => {
  const p = preprocessFromOpenClip({ mean: [0.1, 0.2, 0.3], std: [1, 1, 1] }, 224);
  assert.equal(p.mean, [0.1, 0.2, 0.3]);
  assert.equal(p.resize, { shortest: 224 });
  assert.equal(
    preprocessFromHf({}, 24),
    { ...defaultPreprocess(24), cropOffsets: "hf" },
    "HF defaults: the model's size, CLIP mean/std",
  );
  assert.throws(() => preprocessFromOpenClip({ resize_mode: "squash" }, 224), /resize_mode 'squash' is not supported/);
  assert.throws(
    () => preprocessFromHf({ resample: 2 }, 16),
    (e: unknown) => e instanceof PreprocessError && /resample 2 is not supported/.test((e as Error).message),
  );
  assert.throws(() => preprocessFromHf({ image_mean: [1, 2] }, 16), /image_mean must be a list of 3 numbers/);
  assert.throws(() => preprocessFromHf({ size: { longest_edge: 3 } }, 16), /size must be a number/);
  assert.throws(
    () => preprocessImage(img("img_a"), { ...defaultPreprocess(16), resize: null, crop: { height: 30, width: 30 } }),
    /cannot centre-crop 30×30 from a 23×31 image/,
  );
});

test.run();
