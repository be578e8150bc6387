// The k-means spatial-awareness probe (notes/paper.md §4.4) as a bench: per image (or over the
// dataset), cluster the dense tokens that cover the image, match clusters to classes (Hungarian),
// and score mIoU against token-level ground truth. Its first images also keep their raw material for
// the report's dense-feature pictures (stdlib/metrics/probe-pictures.ts).
import * as tf from "@tensorflow/tfjs";
import type { Json } from "../../core/ir.ts";
import { buildBenchBatch } from "../../stdlib/data/bench-batch.ts";
import type { Dataset, Sample } from "../../stdlib/data/sample.ts";
import { ImageMean, instanceProbe } from "../../stdlib/metrics/instance-probe.ts";
import { kmeansProbe } from "../../stdlib/metrics/kmeans-probe.ts";
import { writeProbePictures } from "../../stdlib/metrics/probe-pictures.ts";
import { SegmentationAccumulator } from "../../stdlib/metrics/segmentation.ts";
import { mixSeed } from "../../stdlib/tensor/random.ts";
import { dense } from "../../stdlib/train/model.ts";
import type { LoadedModel } from "../models/model-files.ts";
import { eachBatch } from "./bench-batches.ts";
import { StageError } from "./stage-error.ts";
import type { StageContext } from "./context.ts";
import { insideCells, tokenLabels, VOID } from "./token-grid.ts";
import { DenseStructure } from "./dense-structure-bench.ts";

export async function probe(
  o: Readonly<Record<string, Json>>,
  m: LoadedModel,
  dataset: Dataset,
  S: number,
  ctx: StageContext,
  reference?: LoadedModel,
): Promise<Record<string, number | null>> {
  const G = S / m.model.arch.vision.patch,
    C = dataset.classes.length,
    seed = o["seed"] as number;
  const k = o["clusters"] as number | undefined,
    iterations = o["iterations"] as number,
    perImage = o["scope"] !== "dataset",
    instances = o["segments"] === "instances",
    P = Math.min((o["pictures"] as number | undefined) ?? 0, dataset.length);
  const acc = new SegmentationAccumulator(C, VOID);
  // `segments: instances` (instance-probe.ts): per-image scores, averaged over images
  const instMiou = new ImageMean(),
    instAcc = new ImageMean();
  if (instances && !perImage) throw new StageError("segments: instances needs scope: image (instances are per image)");
  if (reference && S / reference.model.arch.vision.patch !== G)
    throw new StageError(`the reference's token grid differs from the model's ${G}×${G}: no token-wise correlation`);
  const structure = new DenseStructure(S, G, C, { k, seed, iterations, instances });
  const all: { tokens: Float32Array; labels: Int32Array }[] = [];
  // The first P images, for the report's pictures (probe-pictures.ts): full grids, padding included.
  const kept: { sample: Sample; grid: Float32Array; labels: Int32Array; keep: number[]; pred?: Int32Array }[] = [];
  let E = 0;
  await eachBatch(dataset, ctx, (samples, first) => {
    const b = buildBenchBatch(
      samples.map((s) => ({ ...s, segments: [] })),
      { studentSize: S, featureGrid: G },
    );
    const [feats, refFeats] = tf.tidy(() => {
      const x = tf.tensor4d(b.images, [...b.imageShape]);
      return [dense(m.model, x), reference ? dense(reference.model, x) : undefined]; // [B,G,G,E]
    });
    const data = feats.dataSync() as Float32Array;
    const refData = refFeats?.dataSync() as Float32Array | undefined,
      RE = refFeats?.shape[3] ?? 0;
    E = feats.shape[3]!;
    tf.dispose([feats, refFeats]);
    samples.forEach((s, i) => {
      // Only tokens over the image: padding would take a cluster of its own in a non-square image.
      const keep = insideCells(s, S, G);
      const grid = data.subarray(i * G * G * E, (i + 1) * G * G * E),
        labelsAll = tokenLabels(s, S, G);
      const tokens = new Float32Array(keep.length * E),
        labels = new Int32Array(keep.length);
      keep.forEach((c, j) => {
        tokens.set(grid.subarray(c * E, (c + 1) * E), j * E);
        labels[j] = labelsAll[c]!;
      });
      const ref = refData && {
        tokens: gather(refData.subarray(i * G * G * RE, (i + 1) * G * G * RE), keep, RE),
        E: RE,
      };
      const seg = structure.add(s, first + i, keep, tokens, E, labels, ref);
      const picture = first + i < P ? { sample: s, grid: grid.slice(), labels: labelsAll, keep } : undefined;
      if (picture) kept.push(picture);
      if (instances) {
        const r = instanceProbe(tokens, E, seg, { k, seed: mixSeed(seed, first + i), maxIter: iterations });
        instMiou.add(r.miou);
        instAcc.add(r.pixelAccuracy);
        // the pictures colour by class: a token's class is that of the segment it was matched to
        if (picture) {
          const classOf = new Map(s.segments.map((g) => [g.id, g.label]));
          (picture as { pred?: Int32Array }).pred = r.segment.map((g) => classOf.get(g) ?? VOID);
        }
      } else if (perImage) {
        const r = kmeansProbe(tokens, E, labels, C, {
          k,
          seed: mixSeed(seed, first + i),
          maxIter: iterations,
          accumulator: acc,
          voidLabel: VOID,
        });
        if (picture) (picture as { pred?: Int32Array }).pred = predicted(r);
      } else all.push({ tokens, labels });
    });
  });
  if (!perImage) {
    const tokens = new Float32Array(all.reduce((n, a) => n + a.tokens.length, 0)),
      labels = new Int32Array(all.reduce((n, a) => n + a.labels.length, 0));
    let t = 0,
      l = 0;
    for (const a of all) {
      tokens.set(a.tokens, t);
      labels.set(a.labels, l);
      t += a.tokens.length;
      l += a.labels.length;
    }
    const r = kmeansProbe(tokens, E, labels, C, {
      k: k ?? C,
      seed,
      maxIter: iterations,
      accumulator: acc,
      voidLabel: VOID,
    });
    const pred = predicted(r);
    let at = 0;
    for (const p of kept) {
      (p as { pred?: Int32Array }).pred = pred.subarray(at, at + p.keep.length);
      at += p.keep.length;
    }
  }
  if (kept.length) await keepPictures(ctx.outDir, kept, dataset, G, E);
  const r = instances ? { miou: instMiou.result(), pixelAccuracy: instAcc.result() } : acc.result();
  return { miou: r.miou, pixel_accuracy: r.pixelAccuracy, ...structure.result() };
}

/** Rows `cells` of a [G·G, E] grid, packed. */
function gather(grid: Float32Array, cells: readonly number[], E: number): Float32Array {
  const out = new Float32Array(cells.length * E);
  cells.forEach((c, j) => {
    out.set(grid.subarray(c * E, (c + 1) * E), j * E);
  });
  return out;
}

/** The probe's class per clustered token: its cluster's matched class. */
function predicted(r: ReturnType<typeof kmeansProbe>): Int32Array {
  return Int32Array.from(r.kmeans.assignments, (a) => r.clusterToClass[a]!);
}

async function keepPictures(
  dir: string,
  kept: { sample: Sample; grid: Float32Array; labels: Int32Array; keep: number[]; pred?: Int32Array }[],
  dataset: Dataset,
  G: number,
  E: number,
): Promise<void> {
  const { default: sharp } = await import("sharp");
  const N = kept.length,
    cells = G * G;
  const features = new Float32Array(N * cells * E),
    labels = new Int32Array(N * cells),
    clusters = new Int32Array(N * cells).fill(VOID),
    inside = new Uint8Array(N * cells);
  const images: Buffer[] = [];
  for (const [n, p] of kept.entries()) {
    features.set(p.grid, n * cells * E);
    labels.set(p.labels, n * cells);
    p.keep.forEach((c, j) => {
      inside[n * cells + c] = 1;
      if (p.pred) clusters[n * cells + c] = p.pred[j]!;
    });
    const s = p.sample;
    images.push(
      await sharp(Buffer.from(s.rgb), { raw: { width: s.width, height: s.height, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  writeProbePictures(dir, {
    meta: {
      images: N,
      grid: G,
      dim: E,
      classes: dataset.classes.map((c) => ({ name: c.name, thing: c.isThing })),
      ids: kept.map((p) => p.sample.id),
    },
    features,
    labels,
    clusters,
    inside,
    images,
  });
}
