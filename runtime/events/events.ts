// The one event stream of a run. The executor emits it; the Ink UI, the plain logger, the JSON
// reporter and the run directory's events.jsonl all consume it, and none of them is special: a
// reporter is a function of the events it has seen. Events are plain JSON so a Slurm driver can
// stream them from files and `scdx` can replay an events.jsonl.
import type { Json } from "../../core/ir.ts";

/** A stage as the plan sees it: one cache key, used by one or more trials. */
export interface StageInfo {
  /** Cache key (structural key extended with versions, backend, file fingerprints). */
  readonly key: string;
  /** Lowering's structural key of the node. */
  readonly node: string;
  /** Declared name (`distill`, `regions`). */
  readonly name: string;
  readonly kind: "train" | "bench";
  /** train, region_classification, unsupervised_segmentation, … */
  readonly op: string;
  /** 1-based trial indices that use this stage (more than one: shared). */
  readonly trials: readonly number[];
  /** Units of progress: optimizer steps (train) or images (bench). */
  readonly total: number;
  readonly unit: "steps" | "images";
  /** Estimated peak memory of the stage in bytes (plan's estimate). */
  readonly memory: number;
}

export interface TrialInfo {
  /** lang's Trial.index (0-based); the trial's number, as `scdx plan` prints it and events use, is index + 1. */
  readonly index: number;
  /** Every param's value in this trial. */
  readonly params: Readonly<Record<string, Json>>;
  /** Declared stage name → cache key. */
  readonly stages: Readonly<Record<string, string>>;
}

export type Metrics = Readonly<Record<string, number | null>>;

export type RunEvent =
  | {
      readonly type: "run-start";
      readonly t: number;
      readonly runId: string;
      readonly experiment: string;
      readonly file: string;
      readonly backend: string;
      readonly jobs: number;
      readonly swept: readonly string[];
      readonly trials: readonly TrialInfo[];
      readonly stages: readonly StageInfo[];
    }
  /** Found complete and verified in the cache: nothing runs. */
  | { readonly type: "stage-cached"; readonly t: number; readonly key: string }
  /** Another process holds the stage's lock; this run waits, then reads the cache. */
  | { readonly type: "stage-waiting"; readonly t: number; readonly key: string; readonly holder: string }
  /** A cache entry existed but failed verification; it is recomputed. */
  | { readonly type: "stage-damaged"; readonly t: number; readonly key: string; readonly reason: string }
  | {
      readonly type: "stage-started";
      readonly t: number;
      readonly key: string;
      readonly worker: number;
      /** Resumed from a checkpoint at this step (train stages). */
      readonly resumedAt?: number;
      /** The Slurm job (`<array>_<task>`) running it. */
      readonly job?: string;
    }
  | {
      readonly type: "stage-progress";
      readonly t: number;
      readonly key: string;
      readonly done: number;
      readonly total: number;
      readonly loss?: number;
      readonly terms?: Readonly<Record<string, number>>;
      readonly lr?: number;
      /** Units per second over the recent window, for ETA. */
      readonly rate?: number;
    }
  | { readonly type: "stage-checkpoint"; readonly t: number; readonly key: string; readonly step: number }
  | {
      readonly type: "stage-done";
      readonly t: number;
      readonly key: string;
      readonly seconds: number;
      readonly metrics?: Metrics;
    }
  | {
      readonly type: "stage-failed";
      readonly t: number;
      readonly key: string;
      readonly message: string;
      readonly step?: number;
      readonly term?: string;
    }
  /** Not run because a stage it consumes failed, or the run was interrupted first. */
  | { readonly type: "stage-skipped"; readonly t: number; readonly key: string; readonly reason: string }
  | {
      readonly type: "trial-done";
      readonly t: number /** 1-based */;
      readonly trial: number;
      readonly ok: boolean;
      /** `<bench name>.<metric>` → value, e.g. `regions.box.thing.top1`. */
      readonly metrics: Metrics;
      readonly failed: readonly string[];
    }
  | {
      readonly type: "run-done";
      readonly t: number;
      readonly ok: boolean;
      readonly interrupted: boolean;
      readonly executed: number;
      readonly cached: number;
      readonly failed: number;
      readonly seconds: number;
      readonly runDir?: string;
    };

export type EventType = RunEvent["type"];

/** A consumer of the stream. `close` runs once after `run-done` (or on an early exit). */
export interface Reporter {
  event(e: RunEvent): void;
  close?(): void | Promise<void>;
}

/** Fans one stream out to several reporters. */
export function fanOut(reporters: readonly Reporter[]): Reporter {
  return {
    event: (e) => {
      for (const r of reporters) r.event(e);
    },
    close: async () => {
      for (const r of reporters) await r.close?.();
    },
  };
}
