// A preview of one sample as a user should check it: the image as decoded (left), the same image
// with panoptic masks (translucent fills, outlines), thing boxes and class labels (right), and the
// captions written underneath. Pure: returns RGB bytes; the CLI encodes them as PNG.
import type { ClassInfo, Sample } from "../../stdlib/data/sample.ts";
import { ADVANCE, drawText, GLYPH_H, LINE, wrap } from "./bitmap-font.ts";

export interface Preview {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export interface PreviewLayout {
  /** Integer magnification of the image panels. */
  readonly scale: number;
  readonly pad: number;
  /** Font magnification of the caption text. */
  readonly font: number;
}

/** Small images are magnified so that 8 px patches and labels are visible; large ones are not. */
export function previewLayout(width: number, height: number): PreviewLayout {
  const scale = Math.max(1, Math.min(8, Math.floor(320 / Math.max(width, height))));
  return { scale, pad: 8, font: 2 * width * scale + 24 >= 500 ? 2 : 1 };
}

const THING_COLORS = [
  [255, 64, 64],
  [64, 160, 255],
  [255, 200, 0],
  [0, 220, 120],
  [230, 80, 255],
  [255, 140, 0],
  [0, 230, 230],
  [255, 110, 180],
];
const STUFF_COLORS = [
  [120, 120, 255],
  [255, 160, 120],
  [120, 220, 160],
  [220, 220, 120],
  [200, 140, 220],
  [140, 200, 230],
];
const INK = [240, 240, 240],
  BACKGROUND = [28, 28, 32],
  LABEL_BG = [0, 0, 0];

function fillRect(
  rgb: Uint8Array,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: readonly number[],
): void {
  for (let y = Math.max(0, y0); y < Math.min(h, y1); y++)
    for (let x = Math.max(0, x0); x < Math.min(w, x1); x++)
      for (let c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = color[c]!;
}

export function renderPreview(sample: Sample, classes: readonly ClassInfo[], index: number): Preview {
  const { width: w, height: h } = sample;
  const { scale: k, pad, font } = previewLayout(w, h);
  const pw = w * k,
    ph = h * k,
    W = 2 * pw + 3 * pad;
  const maxChars = Math.floor((W - 2 * pad) / (ADVANCE * font));
  const things = sample.segments.filter((s) => s.isThing).length;
  const lines = [
    `${index}: ${sample.id}  ${w}x${h}  ${things} thing${things === 1 ? "" : "s"}, ${sample.segments.length - things} stuff`,
    ...sample.captions.flatMap((c) => wrap(`- ${c}`, maxChars)),
  ];
  const H = ph + 3 * pad + lines.length * LINE * font;
  const rgb = new Uint8Array(W * H * 3);
  fillRect(rgb, W, H, 0, 0, W, H, BACKGROUND);

  const colorOf = new Map<number, readonly number[]>();
  let nt = 0,
    ns = 0;
  for (const s of sample.segments)
    colorOf.set(
      s.id,
      s.isThing ? THING_COLORS[nt++ % THING_COLORS.length]! : STUFF_COLORS[ns++ % STUFF_COLORS.length]!,
    );
  const isThing = new Map(sample.segments.map((s) => [s.id, s.isThing]));
  const pan = sample.panoptic;
  const idAt = (X: number, Y: number) => (pan ? pan[Math.floor(Y / k) * w + Math.floor(X / k)]! : 0);

  // Left: the image; right: the image under masks and outlines.
  const ox2 = 2 * pad + pw;
  for (let Y = 0; Y < ph; Y++)
    for (let X = 0; X < pw; X++) {
      const src = (Math.floor(Y / k) * w + Math.floor(X / k)) * 3;
      const l = ((pad + Y) * W + pad + X) * 3,
        r = ((pad + Y) * W + ox2 + X) * 3;
      for (let c = 0; c < 3; c++) rgb[l + c] = sample.rgb[src + c]!;
      const id = idAt(X, Y);
      const col = colorOf.get(id);
      if (!pan) {
        for (let c = 0; c < 3; c++) rgb[r + c] = sample.rgb[src + c]!;
        continue;
      }
      const edge =
        (X + 1 < pw && idAt(X + 1, Y) !== id) ||
        (Y + 1 < ph && idAt(X, Y + 1) !== id) ||
        (X > 0 && idAt(X - 1, Y) !== id) ||
        (Y > 0 && idAt(X, Y - 1) !== id);
      // Void (id 0, unlabelled) is hatched dark so it cannot pass for a class.
      if (!col) for (let c = 0; c < 3; c++) rgb[r + c] = (X + Y) % 6 < 3 ? 0 : sample.rgb[src + c]! >> 2;
      else if (edge) for (let c = 0; c < 3; c++) rgb[r + c] = isThing.get(id) ? col[c]! : 255;
      else {
        const a = isThing.get(id) ? 0.45 : 0.35;
        for (let c = 0; c < 3; c++) rgb[r + c] = Math.round((1 - a) * sample.rgb[src + c]! + a * col[c]!);
      }
    }

  // Boxes (things; stuff too when there is no panoptic map to show it) and class labels.
  const name = (label: number) => classes.find((c) => c.index === label)?.name ?? `class ${label}`;
  for (const s of sample.segments) {
    const col = colorOf.get(s.id)!;
    let lx: number, ly: number;
    if (s.isThing || !pan) {
      const [x0, y0, x1, y1] = s.box.map((v) => Math.round(v * k));
      const t = k >= 3 ? 2 : 1,
        X0 = ox2 + x0!,
        Y0 = pad + y0!,
        X1 = ox2 + x1!,
        Y1 = pad + y1!;
      fillRect(rgb, W, H, X0, Y0, X1, Y0 + t, col);
      fillRect(rgb, W, H, X0, Y1 - t, X1, Y1, col);
      fillRect(rgb, W, H, X0, Y0, X0 + t, Y1, col);
      fillRect(rgb, W, H, X1 - t, Y0, X1, Y1, col);
      [lx, ly] = [X0 + t, Y0 + t];
    } else {
      // Stuff: label at the mask pixel nearest the mask's centroid.
      [lx, ly] = stuffAnchor(pan, w, h, s.id).map((v) => v * k) as [number, number];
      [lx, ly] = [ox2 + lx, pad + ly];
    }
    const text = name(s.label);
    const tw = text.length * ADVANCE;
    lx = Math.min(lx, ox2 + pw - tw - 1);
    ly = Math.min(ly, pad + ph - GLYPH_H - 2);
    fillRect(rgb, W, H, lx, ly, lx + tw + 1, ly + GLYPH_H + 2, LABEL_BG);
    drawText(rgb, W, H, lx + 1, ly + 1, text, s.isThing ? col : INK);
  }

  lines.forEach((line, i) => {
    drawText(rgb, W, H, pad, ph + 2 * pad + i * LINE * font, line, INK, font);
  });
  return { width: W, height: H, rgb };
}

function stuffAnchor(pan: Int32Array, w: number, h: number, id: number): [number, number] {
  let sx = 0,
    sy = 0,
    n = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (pan[y * w + x] === id) {
        sx += x;
        sy += y;
        n++;
      }
  const cx = sx / Math.max(1, n),
    cy = sy / Math.max(1, n);
  let best: [number, number] = [0, 0],
    bd = Infinity;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (pan[y * w + x] !== id) continue;
      const d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
      if (d < bd) {
        bd = d;
        best = [x, y];
      }
    }
  return best;
}
