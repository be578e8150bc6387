// What a stage runner gets from the worker that runs it (its errors are in stage-error.ts). Runners
// are the only code that touches tensors, data and the stage's files; they report through
// callbacks and never see the event stream, the cache or other stages.
import type { IrNode, Json } from "../../core/ir.ts";
import type { ModelResolver } from "./resolve-model.ts";

export interface StageProgress {
  readonly done: number;
  readonly total: number;
  readonly loss?: number;
  readonly terms?: Readonly<Record<string, number>>;
  readonly lr?: number;
}

export interface StageContext {
  /** The cache key the stage's result will be stored under (checkpoints carry it). */
  readonly key: string;
  readonly nodes: Readonly<Record<string, IrNode>>;
  readonly models: ModelResolver;
  /** Survives crashes and interruptions: checkpoints live here until the entry is cached. */
  readonly workDir: string;
  /** The cache entry being written: the stage's result files go here. */
  readonly outDir: string;
  readonly progress: (p: StageProgress) => void;
  readonly checkpointed: (step: number) => void;
  /** Aborted on Ctrl-C: a train runner checkpoints and throws InterruptedError. */
  readonly signal: AbortSignal;
  /** Worker threads for building batches (0: on the main thread). */
  readonly batchThreads: number;
  /** A train stage resumed from its checkpoint at this step. */
  readonly resumed: (step: number) => void;
}

/** What a runner leaves in the entry's manifest: small, JSON, e.g. metrics or the final loss. */
export type StageMeta = Readonly<Record<string, Json>>;
