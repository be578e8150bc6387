// A scripted run for the reporter tests: 2 trials (sweep over lambda) sharing one `pretrain` stage
// that is cached; trial 1 distils and benchmarks; trial 2's distil fails at step 120 in term `scd`,
// so its benchmark is skipped. Times are milliseconds from T0.
import type { RunEvent, StageInfo, TrialInfo } from "../../../runtime/events/events.ts";

export const T0 = 1_700_000_000_000;
export const KEY = {
  pretrain: "aaaaaaaa11111111",
  distill1: "bbbbbbbb22222222",
  distill2: "cccccccc33333333",
  regions1: "dddddddd44444444",
  regions2: "eeeeeeee55555555",
} as const;

const stage = (key: string, name: string, kind: "train" | "bench", trials: number[], total: number): StageInfo => ({
  key,
  node: key.slice(0, 8),
  name,
  kind,
  op: kind === "train" ? "train" : "region_classification",
  trials,
  total,
  unit: kind === "train" ? "steps" : "images",
  memory: 1e8,
});

export const stages: StageInfo[] = [
  stage(KEY.pretrain, "pretrain", "train", [1, 2], 1000),
  stage(KEY.distill1, "distill", "train", [1], 400),
  stage(KEY.distill2, "distill", "train", [2], 400),
  stage(KEY.regions1, "regions", "bench", [1], 200),
  stage(KEY.regions2, "regions", "bench", [2], 200),
];

export const trials: TrialInfo[] = [
  {
    index: 0,
    params: { lambda: 0.5, seed: 0 },
    stages: { pretrain: KEY.pretrain, distill: KEY.distill1, regions: KEY.regions1 },
  },
  {
    index: 1,
    params: { lambda: 2, seed: 0 },
    stages: { pretrain: KEY.pretrain, distill: KEY.distill2, regions: KEY.regions2 },
  },
];

const at = (s: number) => T0 + s * 1000;

/** The events up to (not including) the distil stages finishing. */
export function runningScript(): RunEvent[] {
  const ev: RunEvent[] = [
    {
      type: "run-start",
      t: at(0),
      runId: "r1",
      experiment: "ablate",
      file: "study.scd",
      backend: "wasm",
      jobs: 2,
      swept: ["lambda"],
      trials,
      stages,
    },
    { type: "stage-cached", t: at(0.1), key: KEY.pretrain },
    { type: "stage-started", t: at(1), key: KEY.distill1, worker: 1 },
    { type: "stage-started", t: at(1), key: KEY.distill2, worker: 2, resumedAt: 100 },
  ];
  // distill (trial 1): 20 steps/s, one event per second, no `rate` from the runner.
  for (let k = 1; k <= 15; k++) {
    ev.push({
      type: "stage-progress",
      t: at(1 + k),
      key: KEY.distill1,
      done: 20 * k,
      total: 400,
      loss: 1 / k,
      terms: { rla: 0.6 / k, scd: 0.4 / k },
      lr: 1e-5,
    });
  }
  // distill (trial 2) sends its own rate.
  ev.push({ type: "stage-progress", t: at(5), key: KEY.distill2, done: 110, total: 400, loss: 0.5, rate: 4 });
  ev.push({ type: "stage-checkpoint", t: at(6), key: KEY.distill2, step: 110 });
  return ev.sort((a, b) => a.t - b.t);
}

export function fullScript(): RunEvent[] {
  return [
    ...runningScript(),
    { type: "stage-failed", t: at(17), key: KEY.distill2, message: "loss is NaN", step: 120, term: "scd" },
    { type: "stage-skipped", t: at(17), key: KEY.regions2, reason: "distill failed" },
    { type: "trial-done", t: at(17), trial: 2, ok: false, metrics: {}, failed: ["distill", "regions"] },
    { type: "stage-done", t: at(30), key: KEY.distill1, seconds: 29 },
    { type: "stage-started", t: at(30), key: KEY.regions1, worker: 1 },
    { type: "stage-progress", t: at(31), key: KEY.regions1, done: 100, total: 200 },
    { type: "stage-done", t: at(32), key: KEY.regions1, seconds: 2, metrics: { "box.top1": 0.3125, "box.top5": 0.75 } },
    {
      type: "trial-done",
      t: at(32),
      trial: 1,
      ok: true,
      metrics: { "regions.box.top1": 0.3125, "regions.box.top5": 0.75 },
      failed: [],
    },
    {
      type: "run-done",
      t: at(32),
      ok: false,
      interrupted: false,
      executed: 2,
      cached: 1,
      failed: 1,
      seconds: 32,
      runDir: "runs/ablate-1",
    },
  ];
}
