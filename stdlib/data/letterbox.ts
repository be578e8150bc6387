// Letterboxing and CLIP preprocessing geometry, as the reference code does it on PIL images:
//  - student (CLIPSelf's ResizeLongest): longest side → S, bicubic, pad bottom/right with black;
//  - teacher crop (open_clip's ResizeMaxSize): longest side → S, bicubic, pad centred with black;
//  - CLIP centre crop (Resize(S) + CenterCrop(S)): shortest side → S, then the central S×S;
//  - masks (COCOPanopticDataset): ResizeLongest on the float mask, torch bicubic, pad, > 0.
// Image pixels go through resizeImageU8 (PIL-exact), so the uint8 result equals what PIL gives.
import { bicubicTaps, resizeImageU8 } from "./resize.ts";
import type { Box } from "./sample.ts";

/** An 8-bit HWC image. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Where the resized image sits in the S×S square. */
export interface Fit {
  readonly size: number;
  /** S / max(h, w): original pixels → padded-square pixels (CLIPSelf's get_scale). */
  readonly scale: number;
  readonly height: number;
  readonly width: number;
  readonly top: number;
  readonly left: number;
}

/** Python's round(): ties to even. The reference rounds new sizes and crop boxes this way. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x),
    d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

export function fitLongest(h: number, w: number, size: number, align: "top-left" | "center"): Fit {
  if (!(h >= 1 && w >= 1 && size >= 1)) throw new RangeError(`cannot letterbox ${h}×${w} into ${size}`);
  const scale = size / Math.max(h, w);
  const height = Math.max(1, Math.min(size, roundHalfEven(h * scale)));
  const width = Math.max(1, Math.min(size, roundHalfEven(w * scale)));
  const top = align === "center" ? Math.floor((size - height) / 2) : 0;
  const left = align === "center" ? Math.floor((size - width) / 2) : 0;
  return { size, scale, height, width, top, left };
}

function place(src: Uint8Array, fit: Fit, c: number): Uint8Array {
  const out = new Uint8Array(fit.size * fit.size * c); // black padding
  const rowLen = fit.width * c;
  for (let y = 0; y < fit.height; y++)
    out.set(src.subarray(y * rowLen, (y + 1) * rowLen), ((fit.top + y) * fit.size + fit.left) * c);
  return out;
}

/** Longest side → S (PIL bicubic), padded to S×S with black, top-left or centred. */
export function letterbox(img: RgbImage, size: number, align: "top-left" | "center"): { data: Uint8Array; fit: Fit } {
  const fit = fitLongest(img.height, img.width, size, align);
  const resized = resizeImageU8(img.data, img.height, img.width, img.channels, fit.height, fit.width);
  return { data: place(resized, fit, img.channels), fit };
}

/** CLIPSelf's student input: pad bottom/right. */
export const letterboxStudent = (img: RgbImage, size: number) => letterbox(img, size, "top-left");
/** CLIPSelf's teacher crop input: pad centred. */
export const letterboxTeacher = (img: RgbImage, size: number) => letterbox(img, size, "center");

/**
 * CLIP's eval preprocessing: shortest side → S (the other side truncated, as torchvision and HF), PIL
 * bicubic, then the central S×S. The crop offset differs between HF's CLIPImageProcessor
 * (⌊(h − S)/2⌋) and torchvision's CenterCrop (round((h − S)/2), ties to even).
 */
export function centerCropClip(img: RgbImage, size: number, offsets: "hf" | "torchvision" = "hf"): Uint8Array {
  const { height: h, width: w, channels: c } = img;
  const short = Math.min(h, w),
    long = Math.max(h, w);
  const newLong = Math.trunc((size * long) / short);
  const nh = h <= w ? size : newLong,
    nw = h <= w ? newLong : size;
  const resized = nh === h && nw === w ? img.data : resizeImageU8(img.data, h, w, c, nh, nw);
  const off = (d: number) => (offsets === "hf" ? Math.floor(d / 2) : roundHalfEven(d / 2));
  return cropImage(
    { data: resized, height: nh, width: nw, channels: c },
    off(nw - size),
    off(nh - size),
    off(nw - size) + size,
    off(nh - size) + size,
  ).data;
}

/** Integer crop [x0, x1) × [y0, y1); must lie inside the image. */
export function cropImage(img: RgbImage, x0: number, y0: number, x1: number, y1: number): RgbImage {
  const { width: w, height: h, channels: c } = img;
  if (!(Number.isInteger(x0) && Number.isInteger(y0) && 0 <= x0 && x0 < x1 && x1 <= w && 0 <= y0 && y0 < y1 && y1 <= h))
    throw new RangeError(`crop [${x0}, ${y0}, ${x1}, ${y1}] is not inside a ${w}×${h} image`);
  const cw = x1 - x0,
    ch = y1 - y0,
    out = new Uint8Array(cw * ch * c);
  for (let y = 0; y < ch; y++) out.set(img.data.subarray(((y0 + y) * w + x0) * c, ((y0 + y) * w + x1) * c), y * cw * c);
  return { data: out, height: ch, width: cw, channels: c };
}

/**
 * PIL's crop of a float box: corners rounded (ties to even), at least one pixel, inside the image.
 * CLIPSelf crops `old_image.crop((x0, y0, x1, y1))` with float boxes.
 */
export function pilCropRect(box: readonly number[], w: number, h: number): [number, number, number, number] {
  const x0 = Math.min(Math.max(roundHalfEven(box[0]), 0), w - 1),
    y0 = Math.min(Math.max(roundHalfEven(box[1]), 0), h - 1);
  let x1 = Math.min(roundHalfEven(box[2]), w),
    y1 = Math.min(roundHalfEven(box[3]), h);
  // A sub-pixel cell would give PIL an empty image; one pixel is the nearest non-empty crop.
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  return [x0, y0, x1, y1];
}

/**
 * A binary mask (values[i] === id, or values[i] > 0 without id) resized so its longest side is G
 * with torch's bicubic on floats (no antialias), padded bottom/right to G×G, thresholded > 0: the
 * reference's mask path, which slightly dilates masks. Returns G×G bytes (1 = inside). `bounds`: the
 * mask's exact tight box [x0, y0, x1, y1) when known (see maskBounds), to skip scanning for it.
 */
export function letterboxMask(
  values: ArrayLike<number>,
  h: number,
  w: number,
  grid: number,
  id?: number,
  bounds?: Box,
): Uint8Array {
  const fit = fitLongest(h, w, grid, "top-left");
  const on = id === undefined ? (v: number) => v > 0 : (v: number) => v === id;
  // Only rows/columns that hold the mask can give non-zero outputs: its bounding box (inclusive here),
  // given by the caller who knows it (maskBounds) or found by a scan.
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  if (bounds) [x0, y0, x1, y1] = [bounds[0], bounds[1], bounds[2] - 1, bounds[3] - 1];
  else
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (on(values[y * w + x])) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
  const out = new Uint8Array(grid * grid);
  if (x1 < 0) return out;
  const tx = bicubicTaps(w, fit.width),
    ty = bicubicTaps(h, fit.height);
  const rows = y1 - y0 + 1,
    tmp = new Float64Array(rows * fit.width);
  for (let r = 0; r < rows; r++) {
    const base = (y0 + r) * w;
    for (let ox = 0; ox < fit.width; ox++) {
      const s = tx.start[ox],
        n = tx.count[ox];
      if (s > x1 || s + n - 1 < x0) continue;
      let acc = 0;
      for (let j = 0; j < n; j++) if (on(values[base + s + j])) acc += tx.weights[ox * tx.k + j];
      tmp[r * fit.width + ox] = acc;
    }
  }
  for (let oy = 0; oy < fit.height; oy++) {
    const s = ty.start[oy],
      n = ty.count[oy];
    if (s > y1 || s + n - 1 < y0) continue;
    for (let ox = 0; ox < fit.width; ox++) {
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const y = s + j;
        if (y >= y0 && y <= y1) acc += ty.weights[oy * ty.k + j] * tmp[(y - y0) * fit.width + ox];
      }
      if (acc > 0) out[oy * grid + ox] = 1;
    }
  }
  return out;
}

/** Tight boxes [x0, y0, x1, y1) of every non-zero id of a segment-id map, in one pass. */
export function maskBounds(ids: ArrayLike<number>, h: number, w: number): Map<number, Box> {
  const b = new Map<number, [number, number, number, number]>();
  for (let y = 0, p = 0; y < h; y++)
    for (let x = 0; x < w; x++, p++) {
      const id = ids[p];
      if (id === 0) continue;
      const r = b.get(id);
      if (!r) b.set(id, [x, y, x + 1, y + 1]);
      else {
        if (x < r[0]) r[0] = x;
        if (x >= r[2]) r[2] = x + 1;
        if (y >= r[3]) r[3] = y + 1;
      }
    }
  return b;
}
