// Benches: evaluation stages. Their rules check that the dataset carries the annotations a metric
// needs and that the model can build the text classifier, before anything is computed.
import type { CallContext, ComponentMeta } from "../component.ts";
import type { Annotation } from "../../core/facts.ts";

function needs(ctx: CallContext, bench: string, what: Annotation, why: string): void {
  const data = ctx.inputs["data"]?.data;
  if (data && !data.yields.includes(what))
    ctx.report("SCD2104", `${bench}${why ? " " + why : ""} needs ${what}, and the dataset (${data.op}) has none.`, {
      at: "data",
      label: `yields ${data.yields.join(", ")}`,
    });
}
function needsText(ctx: CallContext, bench: string): void {
  const m = ctx.inputs["model"]?.model;
  if (m && !m.text)
    ctx.report("SCD2104", `${bench} builds text classifiers, and the model has no text tower.`, { at: "model" });
}
const inputs = [
  { name: "model", type: "model", doc: "the model to evaluate" },
  { name: "data", type: "data", doc: "the evaluation dataset" },
] as const;

export const regionClassification: ComponentMeta = {
  name: "region_classification",
  kind: "bench",
  version: "1",
  doc: "Zero-shot region classification: per-class mean top-k accuracy of box/mask-pooled dense features against prompt-ensemble text classifiers.",
  notes: ["CLIPSelf's protocol (notes/paper.md §4.1): boxes on thing segments, masks on thing and stuff separately."],
  inputs,
  options: {
    type: "object",
    properties: {
      pool: {
        type: "array",
        items: { enum: ["box", "mask", "crop"] },
        minItems: 1,
        uniqueItems: true,
        default: ["box", "mask"],
        description: "region features: RoIAlign on boxes, mask pooling, or the CLS of crops",
      },
      topk: {
        type: "array",
        items: { type: "integer", minimum: 1 },
        minItems: 1,
        uniqueItems: true,
        default: [1, 5],
        description: "accuracies reported",
      },
      templates: {
        enum: ["vild", "simple", "dataset"],
        default: "vild",
        description:
          "63 ViLD prompt templates, 'a photo of a {}.', or the dataset's own phrasing of each class (shapes: as its captions say it)",
      },
      max_segments: { type: "integer", minimum: 1, default: 100, description: "segments per image" },
    },
    additionalProperties: false,
  },
  signature: "region_classification(model: Model, data: Dataset, pool?: [Symbol], topk?: [Int]) -> Metrics",
  checkBench(ctx) {
    const pool = ctx.options["pool"] as string[];
    if (pool.includes("box") || pool.includes("crop"))
      needs(ctx, "region_classification", "boxes", `with pool ${pool.includes("box") ? "box" : "crop"}`);
    if (pool.includes("mask")) needs(ctx, "region_classification", "masks", "with pool mask");
    needsText(ctx, "region_classification");
  },
  metrics(o) {
    const out: string[] = [];
    for (const p of o["pool"] as string[])
      for (const part of p === "mask" ? ["thing", "stuff"] : ["thing"])
        for (const k of o["topk"] as number[]) out.push(`${p}.${part}.top${k}`);
    return out;
  },
};

export const unsupervisedSegmentation: ComponentMeta = {
  name: "unsupervised_segmentation",
  kind: "bench",
  // 2: keeps pictures/ (dense features of the first images) in its entry; 3: auroc, corr and the
  // mean-colour baseline beside the mIoU
  version: "3",
  doc: "Spatial-awareness probe: k-means on dense tokens, Hungarian matching of clusters to classes, mIoU; plus same-segment AUROC, correlation with a reference model and a mean-colour baseline.",
  notes: [
    "The SCD paper's Fig. 1 probe; the protocol is inferred (notes/paper.md §4.4): read its numbers relatively.",
    "auroc: over all token pairs of an image, P(cosine of a same-segment pair > cosine of a different-segment pair); segments are panoptic segments (two instances of a class are two).",
    "corr (with `reference:`): Pearson correlation between the token–token cosine matrices of the model and the reference on the same image, mean over images — the structure SCD distils.",
    "segments: instances (notes/toyworld.md's protocol): per image, k = the image's panoptic segment count, clusters matched one-to-one to segments, the image's mIoU over its segments; miou is the mean over images. Mean colour cannot split two things of one colour, so in a world whose classes are colours this is where learned structure shows.",
    "baseline_miou, baseline_auroc: the same probe and AUROC on each token's mean patch colour (RGB 0–255, not centred; similarity 1 − 2·distance/(255·√3)): what no learned structure scores.",
  ],
  inputs: [
    ...inputs,
    {
      name: "reference",
      type: "model",
      doc: "a model whose token correlations the `corr` metric compares with (the frozen teacher, a Refiner)",
      optional: true,
    },
  ],
  options: {
    type: "object",
    properties: {
      clusters: { type: "integer", minimum: 2, description: "k of k-means (default: the dataset's class count)" },
      scope: { enum: ["image", "dataset"], default: "image", description: "cluster per image or over the dataset" },
      segments: {
        enum: ["classes", "instances"],
        default: "classes",
        description:
          "what clusters are matched to: classes (dataset-level mIoU over classes), or each image's panoptic segments (two things of one class are two; per-image mIoU, mean over images; needs scope: image)",
      },
      iterations: { type: "integer", minimum: 1, default: 50, description: "k-means iterations" },
      pictures: {
        type: "integer",
        minimum: 0,
        maximum: 32,
        default: 4,
        description:
          "how many of the first images keep their dense features, labels and probe segmentation in the entry, for `scdx report`'s pictures",
      },
    },
    additionalProperties: false,
  },
  seeded: true,
  signature: "unsupervised_segmentation(model: Model, data: Dataset, reference?: Model, clusters?: Int) -> Metrics",
  checkBench(ctx) {
    needs(ctx, "unsupervised_segmentation", "masks", "");
    if (ctx.options["segments"] === "instances" && ctx.options["scope"] === "dataset")
      ctx.report("SCD2108", "segments: instances is a per-image protocol; it needs scope: image.", {
        at: "scope",
        help: "drop `scope: dataset`, or match to classes (`segments: classes`)",
      });
  },
  metrics: () => ["miou", "auroc", "baseline_miou", "baseline_auroc"],
};

export const semanticSegmentation: ComponentMeta = {
  name: "semantic_segmentation",
  kind: "bench",
  version: "1",
  doc: "Training-free open-vocabulary segmentation: per-pixel argmax of dense features against text classifiers; dataset-level mIoU.",
  inputs,
  options: {
    type: "object",
    properties: {
      templates: { enum: ["vild", "simple"], default: "vild", description: "prompt templates" },
    },
    additionalProperties: false,
  },
  signature: "semantic_segmentation(model: Model, data: Dataset) -> Metrics",
  checkBench(ctx) {
    needs(ctx, "semantic_segmentation", "masks", "");
    needsText(ctx, "semantic_segmentation");
  },
  metrics: () => ["miou", "pixel_accuracy"],
};
