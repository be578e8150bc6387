// Bench stage runners: region classification (CLIPSelf's box / mask / crop mAcc, notes/paper.md
// §4.1) and the k-means spatial-awareness probe (§4.4). Each walks the dataset once in order and
// returns its metrics as JSON; nothing here is random except the probe's seeded k-means.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { BenchNode, DataNode, Json } from "../../core/ir.ts";
import { openDataset } from "../../stdlib/data/open.ts";
import { Loader } from "../../stdlib/data/pipeline.ts";
import { buildBenchBatch, type BenchBatch } from "../../stdlib/data/bench-batch.ts";
import type { Dataset, Sample } from "../../stdlib/data/sample.ts";
import { RegionAccuracy } from "../../stdlib/metrics/region-classification.ts";
import { textClassifier } from "../../stdlib/metrics/text-classifier.ts";
import { VILD_TEMPLATES } from "../../stdlib/metrics/templates.ts";
import { kmeansProbe } from "../../stdlib/metrics/kmeans-probe.ts";
import { SegmentationAccumulator } from "../../stdlib/metrics/segmentation.ts";
import { roiAlign } from "../../stdlib/ops/roi-align.ts";
import { maskPool } from "../../stdlib/ops/mask-pool.ts";
import { l2normalize } from "../../stdlib/tensor/nn.ts";
import { mixSeed } from "../../stdlib/tensor/random.ts";
import { dense, imageEmbedding, textEmbedding } from "../../stdlib/train/model.ts";
import type { LoadedModel } from "../models/model-files.ts";
import type { StageContext, StageMeta } from "./context.ts";
import { StageError } from "./stage-error.ts";

const BATCH = 16;
const VOID = 255;

export async function runBench(node: BenchNode, ctx: StageContext): Promise<StageMeta> {
  const m = ctx.models.resolve(node.inputs["model"]!.key);
  const dataNode = ctx.nodes[node.inputs["data"]!.key] as DataNode;
  const dataset = await openDataset(dataNode, path.dirname(dataNode.origin.file));
  const S = dataNode.options["size"] as number;
  switch (node.op) {
    case "region_classification":
      return { metrics: await regionClassification(node.options, m, dataset, S, ctx) };
    case "unsupervised_segmentation":
      return { metrics: await probe(node.options, m, dataset, S, ctx) };
    default:
      throw new StageError(`no implementation for the bench \`${node.op}\``);
  }
}

/** Every sample once, in order, in batches; reports progress in images. */
async function eachBatch(
  dataset: Dataset,
  ctx: StageContext,
  fn: (samples: Sample[], first: number) => void,
): Promise<void> {
  const loader = new Loader<Sample[]>(dataset, {
    batchSize: BATCH,
    seed: 0,
    shuffle: false,
    dropLast: false,
    epochs: 1,
    build: (s) => s,
  });
  let done = 0;
  try {
    for await (const b of loader) {
      if (ctx.signal.aborted) throw new StageError("interrupted");
      fn(b.batch, done);
      done += b.batch.length;
      ctx.progress({ done, total: dataset.length });
    }
  } finally {
    loader.close();
  }
}

async function regionClassification(
  o: Readonly<Record<string, Json>>,
  m: LoadedModel,
  dataset: Dataset,
  S: number,
  ctx: StageContext,
): Promise<Record<string, number | null>> {
  const pools = o["pool"] as string[],
    topk = o["topk"] as number[],
    maxSegments = o["max_segments"] as number;
  const { model, tokenizer } = m;
  const text = model.arch.text;
  if (!tokenizer || !text)
    throw new StageError(
      "region_classification needs the model's text tower and its tokenizer; none was found next to the weights",
    );
  const encode = (prompts: string[]) => {
    const enc = tokenizer.encode(prompts, text.contextLength);
    return tf.tidy(
      () =>
        textEmbedding(
          model,
          tf.tensor2d(enc.ids, [prompts.length, text.contextLength], "int32"),
          enc.eotPositions,
        ) as tf.Tensor2D,
    );
  };
  let classifier: tf.Tensor2D;
  if (o["templates"] === "dataset") {
    if (!dataset.prompts)
      throw new StageError(
        `templates: dataset needs a dataset with its own class phrasing, and ${dataset.name} has none (use vild)`,
      );
    // Each class is its own template list, the name already in it; said as the captions say it (no "This is").
    const rows = await Promise.all(
      dataset.classes.map((c) => textClassifier(encode, [c.name], dataset.prompts!(c), { thisIs: false })),
    );
    classifier = tf.concat(rows) as tf.Tensor2D;
    tf.dispose(rows);
  } else
    classifier = await textClassifier(
      encode,
      dataset.classes.map((c) => c.name),
      o["templates"] === "simple" ? ["a photo of a {}."] : VILD_TEMPLATES,
    );
  const isThing = dataset.classes.map((c) => c.isThing);
  const acc = new Map(
    pools.flatMap((p) =>
      (p === "mask" ? [`${p}.thing`, `${p}.stuff`] : [`${p}.thing`]).map((k) => [k, new RegionAccuracy(isThing, topk)]),
    ),
  );
  const G = S / model.arch.vision.patch,
    T = model.arch.vision.imageSize;
  try {
    await eachBatch(dataset, ctx, (samples) => {
      const b = buildBenchBatch(
        samples.map((s) => ({ ...s, segments: s.segments.slice(0, maxSegments) })),
        { studentSize: S, featureGrid: G, teacherSize: pools.includes("crop") ? T : undefined, cropThingsOnly: true },
      );
      if (b.labels.length === 0) return;
      tf.tidy(() => {
        const images = tf.tensor4d(b.images, [...b.imageShape]);
        const feats = pools.some((p) => p !== "crop") ? (dense(model, images) as tf.Tensor4D) : undefined; // [B,G,G,E]
        /** `rows` of `emb` are the regions `regions` (indices into the batch's segments). */
        const score = (name: string, emb: tf.Tensor, rows: number[], regions: number[] = rows) => {
          const unit = l2normalize(emb) as tf.Tensor2D; // [N,E]
          acc.get(name)!.addEmbeddings(
            tf.gather(unit, rows) as tf.Tensor2D,
            classifier,
            regions.map((i) => b.labels[i]!),
          );
        };
        const things = indices(b, true),
          stuff = indices(b, false);
        if (pools.includes("box") && things.length)
          score("box.thing", roiAlign(feats!, b.boxes, b.boxImage, [1, 1]).reshape([b.labels.length, -1]), things);
        if (pools.includes("mask")) {
          if (!b.masks) throw new StageError("pool: mask needs panoptic masks, and the dataset yields none");
          const emb = maskPool(
            feats!,
            tf.tensor3d(b.masks, [b.labels.length, G, G]).toFloat() as tf.Tensor3D,
            b.boxImage,
          ); // [N,E]
          if (things.length) score("mask.thing", emb, things);
          if (stuff.length) score("mask.stuff", emb, stuff);
        }
        // Crops exist for things only, in segment order: row j is the j-th thing.
        if (pools.includes("crop") && things.length)
          score(
            "crop.thing",
            imageEmbedding(model, tf.tensor4d(b.crops!, [...b.cropShape!])),
            things.map((_, j) => j),
            things,
          );
      });
    });
  } finally {
    classifier.dispose();
  }
  const out: Record<string, number | null> = {};
  for (const [name, a] of acc) {
    const part = name.endsWith(".thing") ? "thing" : "stuff",
      { metrics } = a.result();
    for (const k of topk) out[`${name}.top${k}`] = metrics[`${part}.top${k}`] ?? null;
  }
  return out;
}

function indices(b: BenchBatch, thing: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.labels.length; i++) if ((b.isThing[i] === 1) === thing) out.push(i);
  return out;
}

async function probe(
  o: Readonly<Record<string, Json>>,
  m: LoadedModel,
  dataset: Dataset,
  S: number,
  ctx: StageContext,
): Promise<Record<string, number | null>> {
  const G = S / m.model.arch.vision.patch,
    C = dataset.classes.length,
    seed = o["seed"] as number;
  const k = o["clusters"] as number | undefined,
    iterations = o["iterations"] as number,
    perImage = o["scope"] !== "dataset";
  const acc = new SegmentationAccumulator(C, VOID);
  const all: { tokens: Float32Array; labels: Int32Array }[] = [];
  let E = 0;
  await eachBatch(dataset, ctx, (samples, first) => {
    const b = buildBenchBatch(
      samples.map((s) => ({ ...s, segments: [] })),
      { studentSize: S, featureGrid: G },
    );
    const feats = tf.tidy(() => dense(m.model, tf.tensor4d(b.images, [...b.imageShape]))); // [B,G,G,E]
    const data = feats.dataSync() as Float32Array;
    E = feats.shape[3]!;
    feats.dispose();
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
      if (perImage)
        kmeansProbe(tokens, E, labels, C, {
          k,
          seed: mixSeed(seed, first + i),
          maxIter: iterations,
          accumulator: acc,
          voidLabel: VOID,
        });
      else all.push({ tokens, labels });
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
    kmeansProbe(tokens, E, labels, C, { k: k ?? C, seed, maxIter: iterations, accumulator: acc, voidLabel: VOID });
  }
  const r = acc.result();
  return { miou: r.miou, pixel_accuracy: r.pixelAccuracy };
}

/** Token cells of the letterboxed input that overlap the image (not only padding). */
export function insideCells(s: Pick<Sample, "width" | "height">, S: number, G: number): number[] {
  const scale = S / Math.max(s.width, s.height),
    cell = S / G,
    out: number[] = [];
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++)
      if (gy * cell < s.height * scale && gx * cell < s.width * scale) out.push(gy * G + gx);
  return out;
}

/**
 * Ground truth at token resolution: the majority class of the image pixels under each token of the
 * letterboxed (bottom/right padded) student input. Padding and unlabelled pixels are void.
 */
export function tokenLabels(s: Sample, S: number, G: number): Int32Array {
  if (!s.panoptic) throw new StageError(`sample ${s.id} has no panoptic map; the probe needs one`);
  const label = new Map(s.segments.map((g) => [g.id, g.label]));
  const scale = S / Math.max(s.width, s.height),
    cell = S / G;
  const out = new Int32Array(G * G).fill(VOID);
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++) {
      const counts = new Map<number, number>();
      const y0 = Math.floor((gy * cell) / scale),
        y1 = Math.ceil(((gy + 1) * cell) / scale),
        x0 = Math.floor((gx * cell) / scale),
        x1 = Math.ceil(((gx + 1) * cell) / scale);
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const c = y < s.height && x < s.width ? (label.get(s.panoptic[y * s.width + x]!) ?? VOID) : VOID;
          counts.set(c, (counts.get(c) ?? 0) + 1);
        }
      let best = VOID,
        n = -1;
      for (const [c, v] of counts)
        if (v > n || (v === n && c < best)) {
          best = c;
          n = v;
        }
      out[gy * G + gx] = best;
    }
  return out;
}
