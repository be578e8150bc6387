// Loss terms of a train stage, each split into two halves: `targets` runs the frozen side (teacher
// crop embeddings, the source's region correlations) outside the gradient tape, and `loss`
// computes the term from the trained model's outputs inside it.
import * as tf from "@tensorflow/tfjs";
import { clipContrastiveLoss } from "../losses/clip-contrastive.ts";
import { refinerSslLoss, sampleCrops, type RefinerSslOptions } from "../losses/refiner-ssl.ts";
import { rlaLoss } from "../losses/rla.ts";
import { scdLoss, type ScdOptions } from "../losses/scd.ts";
import { segmentContrastLoss } from "../losses/segment-contrast.ts";
import { roiAlign } from "../ops/roi-align.ts";
import { stopGradient, type Params } from "../tensor/nn.ts";
import { boxesOnGrid, type TrainBatchData } from "./batch.ts";
import { dense, gridOf, imageEmbedding, textEmbedding, type StageModel } from "./model.ts";

export type LossSpec =
  | {
      readonly kind: "clip_contrastive";
      readonly weight: number;
      readonly options: { readonly learn_temperature: boolean };
    }
  | {
      readonly kind: "rla";
      readonly weight: number;
      readonly teacher: StageModel;
      readonly options: { readonly weight: number };
    }
  | {
      readonly kind: "scd";
      readonly weight: number;
      readonly source: StageModel;
      readonly options: ScdOptions & { readonly k: number; readonly scope: "region" | "image" };
    }
  | {
      readonly kind: "segment_contrast";
      readonly weight: number;
      readonly options: { readonly tau: number };
    }
  | {
      readonly kind: "refiner_ssl";
      readonly weight: number;
      readonly teacher: StageModel;
      readonly options: RefinerSslOptions;
    };

/** What the student's forward pass produced, shared by all terms of a step. */
export interface StudentOutputs {
  dense?: tf.Tensor; // [B,g,g,E]
}

export interface StepInputs {
  readonly batch: TrainBatchData;
  readonly images: tf.Tensor4D;
  readonly seed: number;
  readonly step: number;
}

const need = <T>(v: T | undefined, what: string, term: string): T => {
  if (v === undefined) throw new Error(`${term} needs ${what} in the batch`);
  return v;
};

/** Frozen-side tensors for a term (no gradient tape is active). */
export function targets(spec: LossSpec, inp: StepInputs): tf.Tensor[] {
  const S = inp.images.shape[1];
  switch (spec.kind) {
    case "clip_contrastive":
    case "segment_contrast":
      return [];
    case "rla": {
      const c = need(inp.batch.crops, "teacher crops", "rla");
      return [imageEmbedding(spec.teacher, tf.tensor4d(c.data, [...c.shape]))]; // [N,E]
    }
    case "scd": {
      const src = dense(spec.source, inp.images); // [B,g',g',E]
      if (spec.options.scope === "image") return [src.reshape([src.shape[0]!, -1, src.shape[3]!])]; // [B,T,E]
      const g = gridOf(spec.source, S),
        k = spec.options.k;
      const boxes = boxesOnGrid(need(inp.batch.boxes, "regions", "scd"), g);
      const z = roiAlign(src as tf.Tensor4D, boxes, need(inp.batch.boxImage, "regions", "scd"), [k, k]); // [N,k,k,E]
      return [z.reshape([z.shape[0], k * k, -1])]; // [N,k²,E]
    }
    case "refiner_ssl": {
      const crops = sampleCrops(inp.images.shape[0], spec.options, inp.seed, inp.step, S);
      const zoomed = tf.image.cropAndResize(
        inp.images,
        tf.tensor2d(crops.tfBoxes, [crops.boxImage.length, 4]),
        tf.tensor1d(crops.boxImage, "int32"),
        [S, S],
        "bilinear",
      ); // [N,S,S,3]
      return [dense(spec.teacher, zoomed)]; // [N,g,g,E]
    }
  }
}

/** The term's value from the trained model (`params` are the tape's tensors). */
export function termLoss(
  spec: LossSpec,
  model: StageModel,
  params: Params,
  inp: StepInputs,
  out: StudentOutputs,
  t: tf.Tensor[],
): tf.Scalar {
  const S = inp.images.shape[1];
  const studentDense = () => (out.dense ??= dense(model, inp.images, params)); // [B,g,g,E]
  switch (spec.kind) {
    case "clip_contrastive": {
      const tok = need(inp.batch.tokens, "caption tokens", "clip_contrastive");
      const ids = tf.tensor2d(tok.ids, [tok.ids.length / tok.length, tok.length], "int32");
      const scale = spec.options.learn_temperature ? params["logit_scale"]! : stopGradient(params["logit_scale"]!);
      return clipContrastiveLoss(
        imageEmbedding(model, inp.images, params),
        textEmbedding(model, ids, tok.eot, params),
        scale,
      );
    }
    case "rla": {
      const g = gridOf(model, S);
      const boxes = boxesOnGrid(need(inp.batch.boxes, "regions", "rla"), g);
      // [N,1,1,E]
      const s = roiAlign(studentDense() as tf.Tensor4D, boxes, need(inp.batch.boxImage, "regions", "rla"), [1, 1]);
      return tf.mul(rlaLoss(s.reshape([s.shape[0], -1]), t[0]!), spec.options.weight) as tf.Scalar;
    }
    case "scd": {
      const d = studentDense();
      if (spec.options.scope === "image")
        return scdLoss(d.reshape([d.shape[0]!, -1, d.shape[3]!]), t[0]!, spec.options);
      const g = gridOf(model, S),
        k = spec.options.k;
      const boxes = boxesOnGrid(need(inp.batch.boxes, "regions", "scd"), g);
      const z = roiAlign(d as tf.Tensor4D, boxes, need(inp.batch.boxImage, "regions", "scd"), [k, k]); // [N,k,k,E]
      return scdLoss(z.reshape([z.shape[0], k * k, -1]), t[0]!, spec.options);
    }
    case "segment_contrast":
      return segmentContrastLoss(
        studentDense(),
        need(inp.batch.segments, "pseudo-segments", "segment_contrast"),
        spec.options.tau,
      );
    case "refiner_ssl": {
      const g = gridOf(model, S);
      const crops = sampleCrops(inp.images.shape[0], spec.options, inp.seed, inp.step, S);
      // [N,g,g,E]
      const s = roiAlign(studentDense() as tf.Tensor4D, boxesOnGrid(crops.boxes, g), crops.boxImage, [g, g]);
      return refinerSslLoss(s, t[0]!, spec.options);
    }
  }
}
