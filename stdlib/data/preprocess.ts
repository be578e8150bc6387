// A checkpoint's image preprocessing as data: resize (shortest side, or an exact size), centre crop,
// mean/std. Read from Hugging Face's preprocessor_config.json (CLIPImageProcessor), from open_clip's
// preprocess_cfg, or OpenAI's default (Resize(S) + CenterCrop(S), CLIP mean/std). Pixels go through
// resizeImageU8 (PIL-exact), so inputs equal what the checkpoint's own pipeline feeds its model.
import { cropImage, roundHalfEven, type RgbImage } from "./letterbox.ts";
import { CLIP_MEAN, CLIP_STD, normalizeInto, normalizeTable, resizeImageU8 } from "./resize.ts";

export interface Preprocess {
  /** Before cropping: shortest side → `shortest` (long side truncated), or straight to height×width; null: none. */
  readonly resize: { readonly shortest: number } | { readonly height: number; readonly width: number } | null;
  readonly crop: { readonly height: number; readonly width: number } | null;
  /** HF floors the crop offset; torchvision rounds it half to even. */
  readonly cropOffsets: "hf" | "torchvision";
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export class PreprocessError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "PreprocessError";
  }
}

/** OpenAI's CLIP preprocessing for an S-pixel model. */
export function defaultPreprocess(size: number): Preprocess {
  return {
    resize: { shortest: size },
    crop: { height: size, width: size },
    cropOffsets: "torchvision",
    mean: CLIP_MEAN,
    std: CLIP_STD,
  };
}

type Json = Record<string, unknown>;

function triple(v: unknown, what: string, file: string): number[] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === "number" && Number.isFinite(x)))
    throw new PreprocessError(file, `${what} must be a list of 3 numbers, found ${JSON.stringify(v)}`);
  return v as number[];
}

function positive(v: unknown, what: string, file: string): number {
  if (!Number.isInteger(v) || (v as number) < 1)
    throw new PreprocessError(file, `${what} must be a positive integer, found ${JSON.stringify(v)}`);
  return v as number;
}

/** Hugging Face CLIPImageProcessor's preprocessor_config.json; sizes it leaves out default to the model's S. */
export function preprocessFromHf(cfg: Json, size: number, file = "preprocessor_config.json"): Preprocess {
  const flag = (k: string) => cfg[k] === undefined || cfg[k] === true;
  if (cfg["resample"] !== undefined && cfg["resample"] !== 3)
    throw new PreprocessError(file, `resample ${JSON.stringify(cfg["resample"])} is not supported (only 3, bicubic)`);
  if (
    !flag("do_rescale") ||
    (typeof cfg["rescale_factor"] === "number" && Math.abs(cfg["rescale_factor"] - 1 / 255) > 1e-9)
  )
    throw new PreprocessError(file, "only do_rescale with rescale_factor 1/255 is supported");
  const sz = cfg["size"] ?? size;
  let resize: Preprocess["resize"] = null;
  if (flag("do_resize")) {
    if (typeof sz === "number") resize = { shortest: positive(sz, "size", file) };
    else if (sz && typeof sz === "object" && "shortest_edge" in sz)
      resize = { shortest: positive((sz as Json)["shortest_edge"], "size.shortest_edge", file) };
    else if (sz && typeof sz === "object" && "height" in sz)
      resize = {
        height: positive((sz as Json)["height"], "size.height", file),
        width: positive((sz as Json)["width"], "size.width", file),
      };
    else
      throw new PreprocessError(
        file,
        `size must be a number, {shortest_edge} or {height, width}, found ${JSON.stringify(sz)}`,
      );
  }
  let crop: Preprocess["crop"] = null;
  if (flag("do_center_crop")) {
    const c = cfg["crop_size"];
    if (typeof c === "number") crop = { height: positive(c, "crop_size", file), width: c };
    else if (c && typeof c === "object")
      crop = {
        height: positive((c as Json)["height"], "crop_size.height", file),
        width: positive((c as Json)["width"], "crop_size.width", file),
      };
    else crop = { height: size, width: size };
  }
  const norm = flag("do_normalize");
  return {
    resize,
    crop,
    cropOffsets: "hf",
    mean: norm
      ? cfg["image_mean"] === undefined
        ? CLIP_MEAN
        : triple(cfg["image_mean"], "image_mean", file)
      : [0, 0, 0],
    std: norm ? (cfg["image_std"] === undefined ? CLIP_STD : triple(cfg["image_std"], "image_std", file)) : [1, 1, 1],
  };
}

/** open_clip's preprocess_cfg (open_clip_config.json) for an S-pixel model. */
export function preprocessFromOpenClip(cfg: Json, size: number, file = "open_clip_config.json"): Preprocess {
  const mode = cfg["resize_mode"] ?? "shortest";
  if (mode !== "shortest")
    throw new PreprocessError(file, `preprocess_cfg.resize_mode '${mode}' is not supported (only 'shortest')`);
  if (cfg["interpolation"] !== undefined && cfg["interpolation"] !== "bicubic")
    throw new PreprocessError(
      file,
      `preprocess_cfg.interpolation '${cfg["interpolation"]}' is not supported (only 'bicubic')`,
    );
  return {
    ...defaultPreprocess(size),
    mean: cfg["mean"] === undefined ? CLIP_MEAN : triple(cfg["mean"], "preprocess_cfg.mean", file),
    std: cfg["std"] === undefined ? CLIP_STD : triple(cfg["std"], "preprocess_cfg.std", file),
  };
}

/** An 8-bit RGB image → normalised HWC floats, following `p`. */
export function preprocessImage(img: RgbImage, p: Preprocess): { data: Float32Array; height: number; width: number } {
  if (img.channels !== 3) throw new RangeError(`preprocessing needs an RGB image, got ${img.channels} channels`);
  let cur = img;
  if (p.resize) {
    const { height: h, width: w } = img;
    let nh: number, nw: number;
    if ("shortest" in p.resize) {
      const s = p.resize.shortest,
        long = Math.trunc((s * Math.max(h, w)) / Math.min(h, w));
      [nh, nw] = h <= w ? [s, long] : [long, s];
    } else [nh, nw] = [p.resize.height, p.resize.width];
    if (nh !== h || nw !== w)
      cur = { data: resizeImageU8(img.data, h, w, 3, nh, nw), height: nh, width: nw, channels: 3 };
  }
  if (p.crop) {
    const { height: ch, width: cw } = p.crop;
    if (ch > cur.height || cw > cur.width)
      throw new RangeError(`cannot centre-crop ${ch}×${cw} from a ${cur.height}×${cur.width} image`);
    const off = (d: number) => (p.cropOffsets === "hf" ? Math.floor(d / 2) : roundHalfEven(d / 2));
    const top = off(cur.height - ch),
      left = off(cur.width - cw);
    cur = cropImage(cur, left, top, left + cw, top + ch);
  }
  const data = new Float32Array(cur.height * cur.width * 3);
  normalizeInto(data, 0, cur.data, normalizeTable(p.mean, p.std), 3);
  return { data, height: cur.height, width: cur.width };
}

/** What the model sees: an image already at the model's size is only normalised, others are preprocessed. */
export function modelInput(
  img: RgbImage,
  p: Preprocess,
  imageSize: number,
): { data: Float32Array; height: number; width: number } {
  if (img.height === imageSize && img.width === imageSize)
    return preprocessImage(img, { ...p, resize: null, crop: null });
  return preprocessImage(img, p);
}
