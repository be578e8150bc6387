// Follows a submitted Slurm DAG: tails each stage's events file (what its worker writes) into the
// run's event stream, and asks squeue, once per poll for the whole run, which jobs ended without a
// result (cancelled by someone else, killed at a time limit, node lost). Used by `scdx run
// --executor slurm` after it submits, and by `scdx attach` on a run whose driver is gone: it needs
// only the DAG file and the events files on the shared filesystem.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import type { RunEvent } from "../events/events.ts";
import type { StageOutcome } from "./executor.ts";
import type { DagStage } from "./slurm-dag.ts";
import { ALIVE, queueStates } from "./slurm-submit.ts";
import type { FromWorker } from "./worker.ts";

type Unstamped = RunEvent extends infer E ? (E extends { t: number } ? Omit<E, "t"> : never) : never;

const POLL_MS = 400;
const QUEUE_EVERY = 3; // polls between squeue calls

export interface FollowOptions {
  readonly emit: (e: Unstamped) => void;
  /** Set once the run is being cancelled: interrupted results are then ours, not someone else's. */
  readonly cancelling: () => boolean;
  /** Aborted: stop following now (attach's Ctrl-C detaches); the result is then undefined. */
  readonly detach?: AbortSignal;
  /** Stages whose end is already in the run's events (a re-attach): their outcome, no events. */
  readonly quiet?: ReadonlySet<string>;
  /** One pass over what the files hold now, no waiting and no squeue (status of a detached run). */
  readonly once?: boolean;
  /** Each stage's outcome as soon as it is known (trials end as soon as their stages have). */
  readonly onOutcome?: (key: string, r: StageOutcome) => void;
}

interface Tail {
  offset: number;
  started?: number;
  job?: number;
  ended?: string;
  grace: number;
}

export async function followDag(
  stages: readonly DagStage[],
  o: FollowOptions,
): Promise<Map<string, StageOutcome> | undefined> {
  const outcomes = new Map<string, StageOutcome>();
  const out = {
    get size() {
      return outcomes.size;
    },
    has: (k: string) => outcomes.has(k),
    set: (k: string, r: StageOutcome) => {
      outcomes.set(k, r);
      o.onOutcome?.(k, r);
    },
  };
  const tails = new Map<string, Tail>(stages.map((s) => [s.key, { offset: 0, grace: 0 }]));
  const emit = (s: DagStage, e: Unstamped) => {
    if (!o.quiet?.has(s.key)) o.emit(e);
  };
  for (let poll = 0; out.size < stages.length; poll++) {
    if (o.detach?.aborted) return undefined;
    const open = stages.filter((s) => !out.has(s.key));
    for (const s of open) {
      const tail = tails.get(s.key)!;
      for (const m of newLines(s.events, tail)) {
        const r = handle(s, m, tail, o, emit);
        if (r) {
          out.set(s.key, r);
          break;
        }
      }
    }
    if (o.once) return outcomes;
    if (poll % QUEUE_EVERY === 0) {
      const waiting = stages.filter((s) => !out.has(s.key));
      const states = await queueStates(waiting.map((s) => s.job));
      for (const s of waiting) {
        const tail = tails.get(s.key)!;
        const state = states.get(s.job);
        if (state && ALIVE.has(state)) continue;
        tail.ended ??= state ?? "no longer known to squeue";
        // its last lines may still be landing on the shared filesystem: a few more polls first
        if (++tail.grace > 3 && o.cancelling()) {
          emit(s, { type: "stage-skipped", key: s.key, reason: `cancelled (Slurm job ${s.job}: ${tail.ended})` });
          out.set(s.key, { ok: false, executed: false, skipped: true, interrupted: true });
        } else if (tail.grace > 3) {
          const message = `Slurm job ${s.job} ended without a result (${tail.ended})${logTail(s.log)}`;
          emit(s, { type: "stage-failed", key: s.key, message });
          out.set(s.key, { ok: false, executed: true, message });
        }
      }
    }
    if (out.size < stages.length) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return outcomes;
}

function handle(
  s: DagStage,
  m: FromWorker,
  tail: Tail,
  o: FollowOptions,
  emit: (s: DagStage, e: Unstamped) => void,
): StageOutcome | undefined {
  const key = s.key;
  if (m.type === "started") {
    if (m.resumedAt === undefined) tail.started ??= Date.now();
    tail.job = m.job ?? tail.job;
    emit(s, { type: "stage-started", key, worker: m.job ?? 0, resumedAt: m.resumedAt, job: s.job });
  } else if (m.type === "progress")
    emit(s, { type: "stage-progress", key, done: m.done, total: m.total, loss: m.loss, terms: m.terms, lr: m.lr });
  else if (m.type === "checkpoint") emit(s, { type: "stage-checkpoint", key, step: m.step });
  else if (m.type === "result") {
    if (m.ok) {
      const metrics = (m.meta["metrics"] ?? undefined) as StageOutcome["metrics"];
      if (m.served) emit(s, { type: "stage-cached", key });
      else emit(s, { type: "stage-done", key, seconds: (Date.now() - (tail.started ?? Date.now())) / 1000, metrics });
      return { ok: true, dir: m.dir, metrics, executed: !m.served };
    }
    if (m.preempted) return undefined; // its batch script requeues it: the next attempt resumes
    if (m.skipped) {
      emit(s, { type: "stage-skipped", key, reason: m.message });
      return { ok: false, executed: false, skipped: true, message: m.message };
    }
    if (m.interrupted && o.cancelling()) {
      emit(s, { type: "stage-skipped", key, reason: m.message });
      return { ok: false, executed: true, interrupted: true, message: m.message };
    }
    const job = tail.job ? `${s.job} (job ${tail.job})` : s.job;
    const message = m.interrupted
      ? `Slurm job ${job} was ended by Slurm or someone else and checkpointed first: the same command resumes it (${m.message})`
      : m.lost
        ? `${m.message}${logTail(s.log)}`
        : m.message;
    emit(s, { type: "stage-failed", key, message, step: m.step, term: m.term });
    return { ok: false, executed: true, message };
  }
  return undefined;
}

/** Complete lines appended since the last read; a line still being written waits for the next poll. */
function newLines(file: string, tail: Tail): FromWorker[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return [];
  }
  if (size <= tail.offset) return [];
  const buf = Buffer.alloc(size - tail.offset);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, tail.offset);
  } finally {
    closeSync(fd);
  }
  const end = buf.lastIndexOf(10);
  if (end < 0) return [];
  tail.offset += end + 1;
  const out: FromWorker[] = [];
  for (const line of buf.subarray(0, end).toString("utf8").split("\n"))
    if (line.trim())
      try {
        out.push(JSON.parse(line) as FromWorker);
      } catch {
        // a torn line from a killed writer: skip it
      }
  return out;
}

function logTail(log: string): string {
  if (!existsSync(log)) return "";
  const lines = readFileSync(log, "utf8").trim().split("\n").slice(-6).join("\n");
  return lines ? `; its log (${log}) ends:\n${lines}` : "";
}
