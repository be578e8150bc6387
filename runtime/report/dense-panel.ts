// The report's dense-feature panel (the paper's Fig. 1 kind of picture): for the spatial probe's
// first images, per model — the reference (teacher) first — a PCA→RGB colouring of the dense
// features on one basis fitted on the reference, the cosine similarity to a query token on a thing
// and on stuff, and the probe's segmentation next to the ground truth. Everything is drawn from the
// raw arrays the probe bench kept (stdlib/metrics/probe-pictures.ts); PNGs are encoded with sharp.
import type { Json } from "../../core/ir.ts";
import type { ProbePictures } from "../../stdlib/metrics/probe-pictures.ts";
import { fitPca, pcaRgb, type PcaBasis } from "./pca.ts";
import type { ReportData, StageReport } from "./report-data.ts";

const VOID = 255;

async function png(rgb: Uint8Array, g: number): Promise<string> {
  const { default: sharp } = await import("sharp");
  const side = g * Math.ceil(96 / g); // nearest-neighbour upscale: one token stays one square
  const buf = await sharp(Buffer.from(rgb), { raw: { width: g, height: g, channels: 3 } })
    .resize(side, side, { kernel: "nearest" })
    .png()
    .toBuffer();
  return `data:image/png;base64,${buf.toString("base64")}`;
}

/** Class colours: hues a golden angle apart; void black. */
function classRgb(c: number): [number, number, number] {
  if (c === VOID || c < 0) return [0, 0, 0];
  const h = (c * 137.508) % 360,
    s = 0.65,
    l = 0.55;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** −1…1 (the map's least … most similar) → blue … white … red. */
function heatRgb(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  return t >= 0
    ? [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t))]
    : [Math.round(255 * (1 + t)), Math.round(255 * (1 + t)), 255];
}

/** A query token per image: the inside token of a thing (or stuff) class nearest that region's centroid. */
export function queryToken(p: ProbePictures, image: number, thing: boolean): number | undefined {
  const g = p.meta.grid,
    cells = g * g,
    o = image * cells;
  const hits: number[] = [];
  for (let c = 0; c < cells; c++) {
    const l = p.labels[o + c]!;
    if (p.inside[o + c] && l !== VOID && p.meta.classes[l]?.thing === thing) hits.push(c);
  }
  if (!hits.length) return undefined;
  const cy = hits.reduce((s, c) => s + Math.floor(c / g), 0) / hits.length,
    cx = hits.reduce((s, c) => s + (c % g), 0) / hits.length;
  return hits.reduce((best, c) =>
    (Math.floor(c / g) - cy) ** 2 + ((c % g) - cx) ** 2 < (Math.floor(best / g) - cy) ** 2 + ((best % g) - cx) ** 2
      ? c
      : best,
  );
}

function gridImage(p: ProbePictures, image: number, colour: (cell: number) => [number, number, number]): Uint8Array {
  const cells = p.meta.grid ** 2,
    out = new Uint8Array(cells * 3);
  for (let c = 0; c < cells; c++) out.set(colour(image * cells + c), c * 3);
  return out;
}

interface Column {
  readonly label: string;
  readonly src: string;
  readonly kind: string;
}

async function modelColumns(p: ProbePictures, basis: PcaBasis, image: number, queries: (number | undefined)[]) {
  const g = p.meta.grid,
    cells = g * g,
    E = p.meta.dim;
  const feats = p.features.subarray(image * cells * E, (image + 1) * cells * E);
  const rgb = pcaRgb(basis, feats);
  const cols: Column[] = [{ label: "PCA", src: await png(rgb, g), kind: "pca" }];
  for (const [q, name] of queries.map((q, i) => [q, i === 0 ? "thing" : "stuff"] as const)) {
    if (q === undefined) continue;
    const cos = new Float64Array(cells);
    for (let c = 0; c < cells; c++) {
      let s = 0;
      for (let j = 0; j < E; j++) s += feats[c * E + j]! * feats[q * E + j]!;
      cos[c] = s;
    }
    // relative to this map's own range: dense features are mostly positively correlated, so on the
    // absolute −1…1 scale every map would be nearly uniformly red
    let lo = Number.POSITIVE_INFINITY,
      hi = Number.NEGATIVE_INFINITY;
    for (const v of cos) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const sim = gridImage(p, image, (cell) =>
      heatRgb(hi > lo ? (2 * (cos[cell - image * cells]! - lo)) / (hi - lo) - 1 : 0),
    );
    sim.set([0, 0, 0], q * 3); // the query token itself, in black
    cols.push({ label: `cos to ${name} token`, src: await png(sim, g), kind: `heat-${name}` });
  }
  cols.push({
    label: "probe",
    src: await png(
      gridImage(p, image, (cell) => classRgb(p.clusters[cell]!)),
      g,
    ),
    kind: "probe",
  });
  return cols;
}

/** Who a probe stage measures, for its row label: the stage, and the trials (with swept params) using it. */
function rowLabel(d: ReportData, s: StageReport): string {
  const swept = d.swept.filter((p) => p !== "seed");
  const trials = d.trials.filter((t) => s.info.trials.includes(t.trial));
  if (trials.length === d.trials.length || !swept.length) return s.info.name;
  const params =
    trials.length === 1 ? ` (${swept.map((p) => `${p}=${JSON.stringify(trials[0]!.params[p])}`).join(", ")})` : "";
  return `${s.info.name}, trial${trials.length > 1 ? "s" : ""} ${s.info.trials.join(", ")}${params}`;
}

/**
 * What a probe stage's picture shows, from its resolved options (report-data.ts): which protocol
 * (`segments:`, `scope:`) clustered the tokens, and what a token's colour is under it.
 */
export function probeCaption(options: Readonly<Record<string, Json>> | null): string {
  const k = options?.["clusters"];
  const kIs = (otherwise: string) => `k = ${typeof k === "number" ? k : otherwise}`;
  if (options?.["segments"] === "instances")
    return `each image's tokens in k-means clusters (${kIs("the image's number of panoptic segments")}), Hungarian-matched one-to-one to the image's panoptic segments (segments: instances); a token takes the class colour of the segment its cluster was matched to, so two things of one class look alike even where the probe told them apart`;
  if (options?.["scope"] === "dataset")
    return `k-means clusters of all the dataset's tokens together (${kIs("the dataset's class count")}), Hungarian-matched to classes; a token takes its cluster's class colour`;
  return `each image's tokens in k-means clusters (${kIs("the number of classes in the image")}), Hungarian-matched to the image's classes; a token takes its cluster's class colour`;
}

/** The panel's probe sentence: one protocol for every row, or each protocol with the rows using it. */
function probeSentence(d: ReportData, rows: readonly StageReport[]): string {
  const groups = new Map<string, string[]>();
  for (const m of rows) {
    const c = probeCaption(m.options);
    groups.set(c, [...(groups.get(c) ?? []), rowLabel(d, m)]);
  }
  const black = "Black: a cluster matched to nothing, or padding.";
  if (groups.size === 1) return `Probe: ${[...groups.keys()][0]}. ${black}`;
  return `${[...groups].map(([c, names]) => `Probe of ${names.map((n) => `<b>${n}</b>`).join(", ")}: ${c}.`).join(" ")} ${black}`;
}

/**
 * The panel's HTML, or a sentence saying why there is none. One table per image: the image and its
 * ground truth, then a row per probe stage — the reference first — so a model shared by every trial
 * (the teacher) is drawn once, however many trials the run has.
 */
export async function densePanel(d: ReportData): Promise<string> {
  const probes = d.stages.filter((s): s is StageReport & { pictures: ProbePictures } => !!s.pictures);
  if (!probes.length)
    return `<p class="muted">No spatial-probe bench of this run kept pictures (unsupervised_segmentation keeps its first 4 images unless <code>pictures: 0</code>).</p>`;
  const reference = probes.find((s) => s.reference) ?? probes[0]!;
  const ref = reference.pictures;
  const basis = fitPca(ref.features, ref.meta.dim, ref.inside);
  // models of another architecture (grid or width) cannot share the reference's basis
  const rows = [reference, ...probes.filter((s) => s !== reference)].filter(
    (m) => m.pictures.meta.grid === ref.meta.grid && m.pictures.meta.dim === ref.meta.dim,
  );
  const parts: string[] = [
    `<p class="muted">One PCA basis, fitted on <b>${reference.info.name}</b>'s tokens, colours every model: the same colour is the same feature direction. Heat maps: cosine similarity of every token to the black one, from the least similar (blue) to the most (red) in that map. ${probeSentence(d, rows)}</p>`,
  ];
  for (let i = 0; i < ref.meta.images; i++) {
    const queries = [queryToken(ref, i, true), queryToken(ref, i, false)];
    const [gt, ...models] = await Promise.all([
      png(
        gridImage(ref, i, (c) => classRgb(ref.labels[c]!)),
        ref.meta.grid,
      ),
      ...rows.map((m) => modelColumns(m.pictures, basis, i, queries)),
    ]);
    const head = `<tr><td><img data-kind="image" data-stage="${reference.info.key}" data-index="${i}" src="data:image/png;base64,${ref.images[i]!.toString("base64")}"><br><span class="muted">${ref.meta.ids[i]}</span></td><td><img data-kind="truth" src="${gt}"><br><span class="muted">truth</span></td></tr>`;
    const body = rows.map(
      (m, r) =>
        `<tr><th class="model">${rowLabel(d, m)}</th>${models[r]!.map((c) => `<td><img data-kind="${c.kind}" src="${c.src}"><br><span class="muted">${c.label}</span></td>`).join("")}</tr>`,
    );
    parts.push(
      `<h3>${ref.meta.ids[i]}</h3><div class="scroll"><table class="pictures">${head}${body.join("")}</table></div>`,
    );
  }
  return parts.join("\n");
}
