// What a run looks like after the events seen so far: a pure reducer shared by the Ink UI and the
// plain logger, so both show the same facts and tests can drive it with a scripted stream.
//
// Conventions of the stream (runtime/events/events.ts): `t` is in milliseconds (scdx run counts from its
// start; only differences are used here, so an epoch clock works too);
// StageInfo.trials and trial-done's `trial` are 1-based; TrialInfo.index is 0-based like core/ir's
// Trial.index, so a trial's number is `index + 1`.
import type { Metrics, RunEvent, StageInfo, TrialInfo } from "../events/events.ts";

export type StageStatus = "planned" | "cached" | "waiting" | "running" | "done" | "failed" | "skipped";

/** A progress observation kept for the rate estimate when the runner sends no `rate`. */
interface Sample {
  readonly t: number;
  readonly done: number;
}

export interface StageState {
  readonly info: StageInfo;
  readonly status: StageStatus;
  /** Set when a cache entry failed verification: the reason; the stage is being recomputed. */
  readonly damaged?: string;
  /** Lock holder while waiting. */
  readonly holder?: string;
  readonly worker?: number;
  /** The Slurm job running it, if any. */
  readonly job?: string;
  readonly done: number;
  readonly total: number;
  readonly loss?: number;
  readonly terms?: Readonly<Record<string, number>>;
  readonly lr?: number;
  /** Units per second (the runner's own, else estimated from recent progress events). */
  readonly rate?: number;
  /** Seconds left at `rate`. */
  readonly eta?: number;
  readonly startedAt?: number;
  readonly resumedAt?: number;
  /** Step of the last checkpoint written. */
  readonly checkpoint?: number;
  /** Wall seconds of the finished stage (stage-done). */
  readonly seconds?: number;
  readonly metrics?: Metrics;
  readonly error?: { readonly message: string; readonly step?: number; readonly term?: string };
  readonly skipReason?: string;
  readonly samples: readonly Sample[];
}

export interface TrialState {
  /** 1-based. */
  readonly number: number;
  readonly info: TrialInfo;
  readonly done: boolean;
  readonly ok: boolean | null;
  readonly metrics: Metrics;
  readonly failed: readonly string[];
}

/** One trial × stage line of the display. */
export interface Row {
  readonly trial: number;
  readonly name: string;
  readonly key: string;
  /** The first trial that has this stage when it is not this row's trial: the row is a "shared" mark. */
  readonly sharedWith: number | null;
}

export type RunStart = Extract<RunEvent, { type: "run-start" }>;
export type RunDone = Extract<RunEvent, { type: "run-done" }>;

export interface RunState {
  readonly run: Omit<RunStart, "type" | "trials" | "stages"> | null;
  readonly stages: Readonly<Record<string, StageState>>;
  /** Distinct stages in run-start order. */
  readonly stageOrder: readonly string[];
  readonly trials: readonly TrialState[];
  readonly rows: readonly Row[];
  /** Stage keys in the order they reached a final status (cached, done, failed, skipped). */
  readonly finished: readonly string[];
  readonly done: RunDone | null;
  /** `t` of the latest event. */
  readonly now: number;
}

/** How far back progress samples count towards an estimated rate. */
const RATE_WINDOW_MS = 30_000;
const MAX_SAMPLES = 64;

export function initialState(): RunState {
  return { run: null, stages: {}, stageOrder: [], trials: [], rows: [], finished: [], done: null, now: 0 };
}

export function trialNumber(t: TrialInfo): number {
  return t.index + 1;
}

export function isFinal(s: StageStatus): boolean {
  return s === "cached" || s === "done" || s === "failed" || s === "skipped";
}

export function reduce(state: RunState, e: RunEvent): RunState {
  const now = Math.max(state.now, e.t);
  switch (e.type) {
    case "run-start":
      return { ...start(e), now };
    case "trial-done": {
      const trials = state.trials.map((t) =>
        t.number === e.trial ? { ...t, done: true, ok: e.ok, metrics: e.metrics, failed: e.failed } : t,
      );
      return { ...state, trials, now };
    }
    case "run-done":
      return { ...state, done: e, now };
    default: {
      const s = state.stages[e.key];
      if (!s) return { ...state, now };
      const next = stage(s, e);
      const finished = isFinal(next.status) && !isFinal(s.status) ? [...state.finished, e.key] : state.finished;
      return { ...state, stages: { ...state.stages, [e.key]: next }, finished, now };
    }
  }
}

function start(e: RunStart): RunState {
  const { type: _t, trials, stages: infos, ...run } = e;
  const stages: Record<string, StageState> = {};
  for (const info of infos) stages[info.key] = { info, status: "planned", done: 0, total: info.total, samples: [] };
  const rows: Row[] = [];
  const first = new Map<string, number>();
  for (const t of trials) {
    const n = trialNumber(t);
    for (const [name, key] of Object.entries(t.stages)) {
      if (!stages[key]) continue;
      const prev = first.get(key);
      if (prev === undefined) first.set(key, n);
      rows.push({ trial: n, name, key, sharedWith: prev ?? null });
    }
  }
  return {
    run,
    stages,
    stageOrder: infos.map((i) => i.key),
    rows,
    finished: [],
    done: null,
    now: e.t,
    trials: trials.map((info) => ({ number: trialNumber(info), info, done: false, ok: null, metrics: {}, failed: [] })),
  };
}

type StageEvent = Exclude<RunEvent, { type: "run-start" | "trial-done" | "run-done" }>;

function stage(s: StageState, e: StageEvent): StageState {
  switch (e.type) {
    case "stage-cached":
      return { ...s, status: "cached", done: s.total, holder: undefined };
    case "stage-waiting":
      return { ...s, status: "waiting", holder: e.holder };
    case "stage-damaged":
      return { ...s, damaged: e.reason };
    case "stage-started": {
      const done = e.resumedAt ?? 0;
      return {
        ...s,
        status: "running",
        holder: undefined,
        worker: e.worker,
        job: e.job,
        startedAt: e.t,
        resumedAt: e.resumedAt,
        done,
        samples: [],
        rate: undefined,
        eta: undefined,
      };
    }
    case "stage-progress": {
      const samples = window([...s.samples, { t: e.t, done: e.done }], e.t);
      const rate = e.rate ?? estimateRate(samples);
      const eta = rate !== undefined && rate > 0 ? Math.max(0, e.total - e.done) / rate : undefined;
      return {
        ...s,
        done: e.done,
        total: e.total,
        samples,
        rate,
        eta,
        loss: e.loss ?? s.loss,
        terms: e.terms ?? s.terms,
        lr: e.lr ?? s.lr,
      };
    }
    case "stage-checkpoint":
      return { ...s, checkpoint: e.step };
    case "stage-done":
      return { ...s, status: "done", done: s.total, eta: 0, seconds: e.seconds, metrics: e.metrics };
    case "stage-failed":
      return {
        ...s,
        status: "failed",
        eta: undefined,
        error: { message: e.message, step: e.step, term: e.term },
        done: e.step ?? s.done,
      };
    case "stage-skipped":
      return { ...s, status: "skipped", skipReason: e.reason };
  }
}

function window(samples: Sample[], now: number): Sample[] {
  // Keep the last two whatever their age, so a slow stage still gets a rate.
  let i = 0;
  while (i < samples.length - 2 && (now - samples[i]!.t > RATE_WINDOW_MS || samples.length - i > MAX_SAMPLES)) i++;
  return i ? samples.slice(i) : samples;
}

function estimateRate(samples: readonly Sample[]): number | undefined {
  if (samples.length < 2) return undefined;
  const a = samples[0]!,
    b = samples[samples.length - 1]!;
  const dt = (b.t - a.t) / 1000;
  return dt > 0 ? (b.done - a.done) / dt : undefined;
}

/** Counts by status over distinct stages (a damaged stage being recomputed counts as running). */
export function statusCounts(state: RunState): Record<StageStatus, number> {
  const c: Record<StageStatus, number> = {
    planned: 0,
    cached: 0,
    waiting: 0,
    running: 0,
    done: 0,
    failed: 0,
    skipped: 0,
  };
  for (const k of state.stageOrder) c[state.stages[k]!.status]++;
  return c;
}

/** Every trial's metrics, keyed by 1-based trial number (trials without trial-done are absent). */
export function trialMetrics(state: RunState): Map<number, Metrics> {
  return new Map(state.trials.filter((t) => t.done).map((t) => [t.number, t.metrics]));
}
