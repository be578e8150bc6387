// The train stage runner: data pipeline → trainStep loop → checkpoints → the saved model. The
// numbers are stdlib's (stdlib/train/step.ts); this owns the loop, resuming, and what is written.
import * as path from "node:path";
import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import type { DataNode, Json, TrainNode } from "../../core/ir.ts";
import { openDataset } from "../../stdlib/data/open.ts";
import { Loader } from "../../stdlib/data/pipeline.ts";
import { buildImageBatch, type ImageBatch, type ImageBatchSpec } from "../../stdlib/data/batch.ts";
import type { PseudoSegmentOptions } from "../../stdlib/data/pseudo-segments.ts";
import { buildRegionBatch, type RegionBatch, type RegionBatchSpec } from "../../stdlib/data/sampling.ts";
import { BatchWorkers } from "../../stdlib/data/batch-workers.ts";
import type { Sample } from "../../stdlib/data/sample.ts";
import { weightEnsemble } from "../../stdlib/models/ensemble.ts";
import { REFINER_PREFIX } from "../../stdlib/models/refiner.ts";
import type { TrainBatchData } from "../../stdlib/train/batch.ts";
import {
  createTrainer,
  NonFiniteLossError,
  trainStep,
  type StepResult,
  type TrainerOptions,
} from "../../stdlib/train/step.ts";
import type { LossSpec } from "../../stdlib/train/terms.ts";
import type { StageModel } from "../../stdlib/train/model.ts";
import type { ScdOptions } from "../../stdlib/losses/scd.ts";
import type { RefinerSslOptions } from "../../stdlib/losses/refiner-ssl.ts";
import type { Tokenizer } from "../../stdlib/text/tokenizer.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { saveStageModel } from "../models/model-files.ts";
import type { StageContext, StageMeta } from "./context.ts";
import { InterruptedError, StageError } from "./stage-error.ts";

type Opts = Record<string, Json>;

/** Test hook: SIGKILL the whole run (driver and worker) right after this step, as a crash would. */
const KILL_AT = Number(process.env["SCDX_TEST_KILL_AT_STEP"] ?? NaN);

export async function runTrain(node: TrainNode, ctx: StageContext): Promise<StageMeta> {
  const o = node.options as Opts;
  const student = ctx.models.resolve(node.inputs["base"]!.key);
  const dataNode = ctx.nodes[node.inputs["data"]!.key] as DataNode;
  const dataset = await openDataset(dataNode, path.dirname(dataNode.origin.file));
  const S = dataNode.options["size"] as number;
  const losses: LossSpec[] = node.loss
    .filter((t) => t.weight !== 0)
    .map((t) => lossSpec(t.op, t.weight, t.options as Opts, (k) => ctx.models.resolve(t.inputs[k]!.key).model));
  if (losses.length === 0) throw new StageError("every loss term has weight 0: nothing to optimise");
  const optim = (o["optim"] as { options: Opts }).options;
  const steps = o["steps"] as number,
    seed = o["seed"] as number,
    every = (node.exec["checkpoint_every"] as number | undefined) ?? 500;
  const trainerOptions: TrainerOptions = {
    model: student.model,
    trainable: o["trainable"] as string[],
    losses,
    steps,
    seed,
    optim: optim as unknown as TrainerOptions["optim"],
  };
  const trainer = createTrainer(trainerOptions);
  let workers: BatchWorkers | undefined;
  let loader: Loader<TrainBatchData> | undefined;
  const started = Date.now();
  try {
    const resumed = loadCheckpoint(ctx.workDir, trainer, ctx.key);
    const log: string[] = resumed?.log ?? [];
    if (resumed) ctx.resumed(resumed.state.step);

    const rla = node.loss.find((t) => t.op === "rla");
    const regions = losses.some((l) => l.kind === "rla" || (l.kind === "scd" && l.options.scope === "region"));
    const tokens = losses.some((l) => l.kind === "clip_contrastive");
    const teacherSize =
      losses.find((l): l is Extract<LossSpec, { kind: "rla" }> => l.kind === "rla")?.teacher.arch.vision.imageSize ?? S;
    const regionSpec: RegionBatchSpec = {
      studentSize: S,
      teacherSize,
      featureGrid: 1,
      ...regionOptions(rla?.options as Opts | undefined),
    };
    const segOpts = node.loss.find((t) => t.op === "segment_contrast")?.options as Opts | undefined;
    if (segOpts && regions)
      throw new StageError("segment_contrast cannot share a stage with region losses (rla, region scd) yet");
    // Pseudo-segments cost ≈ 8 ms an image (96 px): worth the batch thread when there is one.
    const imageSpec: ImageBatchSpec = {
      size: S,
      ...(segOpts ? { segments: { patch: student.model.arch.vision.patch, options: pseudoOptions(segOpts) } } : {}),
    };
    const threads = regions || segOpts ? ctx.batchThreads : 0;
    workers =
      threads > 0
        ? new BatchWorkers(regions ? { kind: "regions", ...regionSpec } : { kind: "images", ...imageSpec }, threads)
        : undefined;
    const tokenizer = tokens ? needTokenizer(student.tokenizer) : null;
    loader = new Loader<TrainBatchData>(dataset, {
      batchSize: o["batch"] as number,
      seed,
      prefetch: 2,
      cursor: resumed?.state.cursor,
      build: async (samples, seeds) =>
        regions
          ? regionData(
              workers
                ? ((await workers.build(samples, seeds)) as RegionBatch)
                : buildRegionBatch(samples, seeds, regionSpec),
            )
          : imageData(
              workers ? ((await workers.build(samples, seeds)) as ImageBatch) : buildImageBatch(samples, imageSpec),
              samples,
              seeds,
              tokenizer,
              student.model.arch.text?.contextLength,
            ),
    });

    for (let step = trainer.optimizer.step; step < steps; step++) {
      if (ctx.signal.aborted) {
        const progressed = step > (resumed?.state.step ?? 0);
        if (progressed) saveCheckpoint(ctx.workDir, trainer, { step, cursor: loader.cursor, key: ctx.key }, log);
        throw new InterruptedError(step, progressed);
      }
      const b = await loader.next();
      if (!b) throw new StageError(`the data ran out at step ${step}`, step);
      let r: StepResult;
      try {
        r = trainStep(trainer, b.batch);
      } catch (e) {
        if (e instanceof NonFiniteLossError)
          throw new StageError(
            `loss is ${e.value}; the stage stopped before updating the parameters (lower the learning rate, or check the data)`,
            e.step,
            e.term,
          );
        throw e;
      }
      log.push(JSON.stringify({ step: r.step, loss: r.loss, terms: r.terms, lr: r.lr }));
      ctx.progress({ done: step + 1, total: steps, loss: r.loss, terms: r.terms, lr: r.lr });
      if ((step + 1) % every === 0 && step + 1 < steps) {
        saveCheckpoint(ctx.workDir, trainer, { step: step + 1, cursor: loader.cursor, key: ctx.key }, log);
        ctx.checkpointed(step + 1);
      }
      if (step + 1 === KILL_AT) {
        process.kill(process.ppid, "SIGKILL");
        process.kill(process.pid, "SIGKILL");
      }
    }
    // CLIPSelf's weight-space ensemble, over what was trained only: a frozen tensor blended with
    // itself is not bit-equal to itself in float32, and a Refiner's blocks have no original.
    const alpha = o["ensemble"] as number;
    const blendKeys = Object.keys(trainer.variables).filter((k) => !k.startsWith(REFINER_PREFIX));
    const blended =
      alpha === 1 ? {} : weightEnsemble(pick(trainer.params, blendKeys), pick(student.model.params, blendKeys), alpha);
    const final = { ...trainer.params, ...blended };
    saveStageModel(
      ctx.outDir,
      student.model,
      final,
      { tokenizer: student.tokenizer, files: student.tokenizerFiles },
      { scdx_stage: ctx.key },
    );
    tf.dispose(Object.values(blended));
    writeFileSync(path.join(ctx.outDir, "train.jsonl"), log.map((l) => l + "\n").join(""));
    const last = log.length
      ? (JSON.parse(log[log.length - 1]!) as { loss: number; terms: Record<string, number> })
      : undefined;
    return {
      steps,
      seconds: (Date.now() - started) / 1000,
      resumedAt: resumed?.state.step ?? null,
      loss: last?.loss ?? null,
      terms: last?.terms ?? null,
      log: "train.jsonl",
    };
  } finally {
    loader?.close();
    await workers?.close();
    trainer.dispose();
  }
}

function lossSpec(op: string, weight: number, opts: Opts, model: (input: string) => StageModel): LossSpec {
  switch (op) {
    case "clip_contrastive":
      return { kind: op, weight, options: { learn_temperature: opts["learn_temperature"] as boolean } };
    case "rla":
      return { kind: op, weight, teacher: model("teacher"), options: { weight: opts["weight"] as number } };
    case "scd":
      return {
        kind: op,
        weight,
        source: model("source"),
        options: opts as unknown as ScdOptions & { k: number; scope: "region" | "image" },
      };
    case "refiner_ssl":
      return { kind: op, weight, teacher: model("teacher"), options: opts as unknown as RefinerSslOptions };
    case "segment_contrast":
      return { kind: op, weight, options: { tau: opts["tau"] as number } };
    default:
      throw new StageError(`no implementation for the loss \`${op}\``);
  }
}

function pseudoOptions(o: Opts): PseudoSegmentOptions {
  return { k: o["k"] as number, min_area: o["min_area"] as number, lightness: o["lightness"] as number };
}

function regionOptions(o: Opts | undefined): Partial<RegionBatchSpec> {
  if (!o) return {};
  return {
    grid: o["grid"] as number[],
    pairs: o["pairs"] as "clipself" | "all",
    maxBoxes: o["max_boxes"] as number,
    regions: o["regions"] as "grid" | "proposals",
    cropScale: o["crop_scale"] as number,
  };
}

function regionData(b: RegionBatch): TrainBatchData {
  return {
    images: { data: b.images, shape: b.imageShape as [number, number, number, number] },
    boxes: b.boxes,
    boxImage: b.boxImage,
    crops: { data: b.crops, shape: b.cropShape as [number, number, number, number] },
  };
}

function needTokenizer(t: Tokenizer | null): Tokenizer {
  if (!t)
    throw new StageError(
      "clip_contrastive needs the model's tokenizer, and none was found next to its weights (vocab.json + merges.txt, tokenizer.json or words.txt)",
    );
  return t;
}

/** One caption per image, chosen by the sample's random stream so that resuming picks the same. */
function imageData(
  b: ImageBatch,
  samples: readonly Sample[],
  seeds: readonly number[],
  tok: Tokenizer | null,
  contextLength: number | undefined,
): TrainBatchData {
  const images = { data: b.images, shape: b.imageShape as [number, number, number, number] };
  const segments = b.tokenLabels && b.tokenCounts ? { segments: { labels: b.tokenLabels, counts: b.tokenCounts } } : {};
  if (!tok || !contextLength) return { images, ...segments };
  const texts = samples.map((s, i) => {
    if (s.captions.length === 0)
      throw new StageError(`sample ${s.id} has no caption; clip_contrastive needs one per image`);
    return s.captions[(seeds[i]! >>> 0) % s.captions.length]!;
  });
  const enc = tok.encode(texts, contextLength);
  return { images, ...segments, tokens: { ids: enc.ids, length: contextLength, eot: enc.eotPositions } };
}

function pick<T>(o: Readonly<Record<string, T>>, keys: readonly string[]): Record<string, T> {
  return Object.fromEntries(keys.map((k) => [k, o[k]!]));
}
