// Bench stage runners: region classification (CLIPSelf's box / mask / crop mAcc, notes/paper.md
// §4.1) here, the k-means spatial-awareness probe (§4.4) in probe-bench.ts. Each walks the dataset
// once in order and returns its metrics as JSON; nothing here is random but the probe's k-means.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { BenchNode, DataNode, Json } from "../../core/ir.ts";
import { openDataset } from "../../stdlib/data/open.ts";
import { buildBenchBatch, type BenchBatch } from "../../stdlib/data/bench-batch.ts";
import type { Dataset } from "../../stdlib/data/sample.ts";
import { RegionAccuracy } from "../../stdlib/metrics/region-classification.ts";
import { textClassifier } from "../../stdlib/metrics/text-classifier.ts";
import { VILD_TEMPLATES } from "../../stdlib/metrics/templates.ts";
import { roiAlign } from "../../stdlib/ops/roi-align.ts";
import { maskPool } from "../../stdlib/ops/mask-pool.ts";
import { l2normalize } from "../../stdlib/tensor/nn.ts";
import { dense, imageEmbedding, textEmbedding } from "../../stdlib/train/model.ts";
import type { LoadedModel } from "../models/model-files.ts";
import type { StageContext, StageMeta } from "./context.ts";
import { StageError } from "./stage-error.ts";
import { eachBatch } from "./bench-batches.ts";
import { probe } from "./probe-bench.ts";

export async function runBench(node: BenchNode, ctx: StageContext): Promise<StageMeta> {
  const m = ctx.models.resolve(node.inputs["model"]!.key);
  const dataNode = ctx.nodes[node.inputs["data"]!.key] as DataNode;
  const dataset = await openDataset(dataNode, path.dirname(dataNode.origin.file));
  const S = dataNode.options["size"] as number;
  switch (node.op) {
    case "region_classification":
      return { metrics: await regionClassification(node.options, m, dataset, S, ctx) };
    case "unsupervised_segmentation":
      return {
        metrics: await probe(
          node.options,
          m,
          dataset,
          S,
          ctx,
          node.inputs["reference"] ? ctx.models.resolve(node.inputs["reference"].key) : undefined,
        ),
      };
    default:
      throw new StageError(`no implementation for the bench \`${node.op}\``);
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
