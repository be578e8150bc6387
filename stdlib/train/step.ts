// One optimisation step of a train stage: frozen-side targets outside the tape, the weighted sum
// of loss terms inside it, a finiteness check, then AdamW. The runtime owns the loop, checkpoints
// and events; this owns the numbers. Everything runs in tf.tidy, so tensor counts stay flat.
import * as tf from "@tensorflow/tfjs";
import { decays } from "../models/clip-params.ts";
import { adamwInit, adamwStep, type AdamWOptions, type AdamWState } from "../optim/adamw.ts";
import { learningRate, type ScheduleOptions } from "../optim/schedule.ts";
import type { TrainBatchData } from "./batch.ts";
import { trainableKeys, type StageModel } from "./model.ts";
import { targets, termLoss, type LossSpec, type StepInputs, type StudentOutputs } from "./terms.ts";

export interface TrainerOptions {
  readonly model: StageModel;
  /** `trainable =` groups; their parameters become variables, the rest stay constant. */
  readonly trainable: readonly string[];
  readonly losses: readonly LossSpec[];
  readonly optim: AdamWOptions & ScheduleOptions;
  readonly steps: number;
  readonly seed: number;
}

export interface Trainer {
  readonly options: TrainerOptions;
  /** Current parameters: variables for trainable keys, the model's tensors otherwise. */
  readonly params: Readonly<Record<string, tf.Tensor>>;
  readonly variables: Readonly<Record<string, tf.Variable>>;
  readonly optimizer: AdamWState;
  dispose(): void;
}

export interface StepResult {
  readonly step: number;
  readonly loss: number;
  /** Each term's weighted value, keyed "<kind>" or "<kind>#<i>" when a kind repeats. */
  readonly terms: Readonly<Record<string, number>>;
  readonly lr: number;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly term: string,
    readonly value: number,
  ) {
    super(`loss term '${term}' is ${value} at step ${step}; parameters were not updated`);
  }
}

let trainerIds = 0;

export function createTrainer(o: TrainerOptions): Trainer {
  const keys = trainableKeys(o.model, o.trainable);
  if (keys.length === 0)
    throw new Error(`trainable = ${o.trainable.join(", ")} selects no parameters of this ${o.model.family}`);
  const id = ++trainerIds;
  const variables: Record<string, tf.Variable> = {};
  // Variable names are global in the tfjs engine; the trainer id keeps two trainers apart.
  for (const k of keys) variables[k] = tf.variable(o.model.params[k]!, true, `t${id}/${k}`);
  const params = { ...o.model.params, ...variables };
  const optimizer = adamwInit(variables, `t${id}/adam`);
  return {
    options: o,
    params,
    variables,
    optimizer,
    dispose: () =>
      tf.dispose([...Object.values(variables), ...Object.values(optimizer.m), ...Object.values(optimizer.v)]),
  };
}

export function termNames(losses: readonly LossSpec[]): string[] {
  const count = new Map<string, number>();
  for (const l of losses) count.set(l.kind, (count.get(l.kind) ?? 0) + 1);
  const seen = new Map<string, number>();
  return losses.map((l) => {
    if (count.get(l.kind) === 1) return l.kind;
    const i = seen.get(l.kind) ?? 0;
    seen.set(l.kind, i + 1);
    return `${l.kind}#${i}`;
  });
}

/** Step number `optimizer.step` (0-based) on `batch`. Throws NonFiniteLossError before updating. */
export function trainStep(t: Trainer, batch: TrainBatchData): StepResult {
  const o = t.options,
    step = t.optimizer.step,
    names = termNames(o.losses);
  const lr = learningRate(o.optim, step, o.steps);
  const terms: Record<string, number> = {};
  const loss = tf.tidy(() => {
    const images = tf.tensor4d(batch.images.data, [...batch.images.shape]);
    const inp: StepInputs = { batch, images, seed: o.seed, step };
    const frozen = o.losses.map((spec) => targets(spec, inp));
    const keys = Object.keys(t.variables);
    const { value, grads } = tf.variableGrads(
      () => {
        const out: StudentOutputs = {};
        const parts = o.losses.map((spec, i) => {
          const v = tf.mul(termLoss(spec, o.model, t.params, inp, out, frozen[i]!), spec.weight) as tf.Scalar;
          terms[names[i]!] = v.dataSync()[0]!;
          return v;
        });
        return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Scalar;
      },
      keys.map((k) => t.variables[k]!),
    );
    for (const [name, v] of Object.entries(terms)) if (!Number.isFinite(v)) throw new NonFiniteLossError(step, name, v);
    const byKey: Record<string, tf.Tensor> = {};
    for (const k of keys) byKey[k] = grads[t.variables[k]!.name]!;
    adamwStep(t.variables, byKey, t.optimizer, o.optim, lr, (k) => decays(k, t.variables[k]!.shape));
    return value.dataSync()[0]!;
  });
  return { step, loss, terms, lr };
}
