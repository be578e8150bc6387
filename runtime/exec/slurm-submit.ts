// Submits the stages a run lacks as a Slurm DAG, all at once: stages are grouped into dependency
// waves (a stage's wave is one past the deepest stage it needs), and each wave's stages of one kind
// go out as one job array, split where it exceeds the cluster's MaxArraySize. An array depends
// (afterany) on the arrays holding what its stages need; each task checks its own inputs when it
// starts (job-gate.ts), so a failed stage skips only its consumers. sbatch calls are bounded by
// kinds × waves, not by trials. A stage whose job another run queued and which is still alive is
// adopted (followed, not submitted again): the cache's queue/ folder has one record per run.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { DagStage } from "./slurm-dag.ts";
import { batchScript } from "./slurm-script.ts";
import type { WorkerJob } from "./worker.ts";

const BOOT = fileURLToPath(new URL("./worker-boot.mjs", import.meta.url));
/** Seconds of warning before a time limit (`--signal=B:USR1@…`): time to write a checkpoint. */
const WARN_SECONDS = 90;
/** Time-limit requeues of one stage, at most: a chain of attempts, each advancing the checkpoint. */
const MAX_REQUEUES = 100;
/** Seconds before the time limit by which a warned worker has checkpointed and stopped. */
const STOP_MARGIN = 30;
/** squeue states of a job that may still run (or run again). */
export const ALIVE = new Set([
  "PENDING",
  "RUNNING",
  "CONFIGURING",
  "COMPLETING",
  "REQUEUED",
  "SUSPENDED",
  "REQUEUE_HOLD",
]);

export interface SubmitStage {
  readonly key: string;
  readonly name: string;
  readonly kind: "train" | "bench";
  /** The plan's peak-memory estimate, bytes. */
  readonly memory: number;
  /** Cache keys of the stages it needs that this submission computes. */
  readonly needs: readonly string[];
  readonly job: Omit<WorkerJob, "id">;
}

export interface SubmitOptions {
  /** RUN/slurm. */
  readonly dir: string;
  readonly cacheRoot: string;
  readonly runDir: string;
  readonly backend: string;
  readonly keyed: string;
  readonly threads: number;
  /** sbatch arguments for every job, and for train / bench jobs only. */
  readonly sbatch: {
    readonly all: readonly string[];
    readonly train: readonly string[];
    readonly bench: readonly string[];
  };
  readonly retries: number;
  /** At most this many tasks of one array run at once (`--array=…%K`). */
  readonly throttle?: number;
}

export interface Submitted {
  readonly stages: DagStage[];
  /** Array job ids submitted, and job ids adopted. */
  readonly arrays: string[];
  readonly sbatchCalls: number;
}

/** cache/queue/<run id>.json: which job computes each stage this run submitted, for other runs to adopt. */
interface QueueRecord {
  readonly run: string;
  readonly stages: Readonly<Record<string, { job: string; events: string; log: string }>>;
}
const queueDir = (cacheRoot: string) => path.join(cacheRoot, "queue");

/** Removes a run's queue record (its jobs have all ended). */
export const queueRecord = (cacheRoot: string, runDir: string) =>
  path.join(queueDir(cacheRoot), `${path.basename(runDir)}.json`);

/** What other runs queued: stage key → its record, from every run's record. */
function readQueue(cacheRoot: string, self: string): Map<string, { job: string; events: string; log: string }> {
  const out = new Map<string, { job: string; events: string; log: string }>();
  for (const f of existsSync(queueDir(cacheRoot)) ? readdirSync(queueDir(cacheRoot)) : []) {
    if (!f.endsWith(".json") || f === `${self}.json`) continue;
    try {
      const r = JSON.parse(readFileSync(path.join(queueDir(cacheRoot), f), "utf8")) as QueueRecord;
      for (const [k, v] of Object.entries(r.stages)) out.set(k, v);
    } catch {
      // a record being written: its jobs' locks still prevent a second computation
    }
  }
  return out;
}

export async function submitDag(stages: readonly SubmitStage[], o: SubmitOptions): Promise<Submitted> {
  const { execa } = await import("execa");
  mkdirSync(o.dir, { recursive: true });
  mkdirSync(queueDir(o.cacheRoot), { recursive: true });
  const out = new Map<string, DagStage>();
  const arrays: string[] = [];

  // Adopt what another run queued and Slurm still has alive.
  const queued = readQueue(o.cacheRoot, path.basename(o.runDir));
  const records = new Map(stages.flatMap((s) => (queued.has(s.key) ? [[s.key, queued.get(s.key)!] as const] : [])));
  if (records.size) {
    const states = await queueStates([...new Set([...records.values()].map((r) => r.job))]);
    for (const s of stages) {
      const r = records.get(s.key);
      if (!r || !ALIVE.has(states.get(r.job) ?? "")) continue;
      out.set(s.key, {
        key: s.key,
        name: s.name,
        kind: s.kind,
        job: r.job,
        events: r.events,
        log: r.log,
        needs: [],
        adopted: true,
      });
      arrays.push(r.job);
    }
  }

  const todo = stages.filter((s) => !out.has(s.key));
  const wave = new Map<string, number>();
  for (const s of todo) wave.set(s.key, Math.max(-1, ...s.needs.map((n) => wave.get(n) ?? -1)) + 1);
  const groups = new Map<string, SubmitStage[]>();
  for (const s of todo) {
    const g = `${wave.get(s.key)}-${s.kind}`;
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  const maxArray = await maxArraySize();
  let calls = 0;
  const userMem = [...o.sbatch.all, ...o.sbatch.train, ...o.sbatch.bench].some((a) =>
    /^--mem(-per-cpu|-per-gpu)?[= ]?/.test(a),
  );
  const order = [...groups.keys()].sort((a, b) => Number(a.split("-")[0]) - Number(b.split("-")[0]));
  for (const g of order) {
    const members = groups.get(g)!;
    for (let from = 0; from < members.length; from += maxArray) {
      const chunk = members.slice(from, from + maxArray);
      const name = `array-${calls + 1}`;
      // one list and one jobs file per array, not files per stage: a 1,000-trial sweep writes a few files
      const list = path.join(o.dir, `${name}.list`);
      const jobs = path.join(o.dir, `${name}.jobs`);
      writeFileSync(list, chunk.map((s) => `${path.join(o.dir, s.key.slice(0, 16))}\n`).join(""));
      writeFileSync(jobs, chunk.map((s, i) => `${JSON.stringify({ ...s.job, id: i + 1 })}\n`).join(""));
      const script = path.join(o.dir, `${name}.sh`);
      writeFileSync(
        script,
        batchScript({
          list,
          jobs,
          node: process.execPath,
          boot: BOOT,
          maxRequeues: MAX_REQUEUES,
          retries: o.retries,
          margin: STOP_MARGIN,
          warnSeconds: WARN_SECONDS,
        }),
        { mode: 0o755 },
      );
      const after = [...new Set(chunk.flatMap((s) => s.needs.map((n) => out.get(n)!.job.split("_")[0]!)))];
      const kind = chunk[0]!.kind;
      const mem = Math.max(...chunk.map((s) => s.memory));
      const sub = await execa(
        "sbatch",
        [
          "--parsable",
          `--array=0-${chunk.length - 1}${o.throttle ? `%${o.throttle}` : ""}`,
          "-J",
          `scdx-${chunk.length === 1 ? chunk[0]!.name : kind}`,
          "-o",
          path.join(o.dir, `${name}-%a.out`),
          "--open-mode=append",
          "--requeue",
          "--cpus-per-task",
          String(o.threads + (chunk[0]!.job.batchThreads > 0 ? 1 : 0)),
          ...(userMem ? [] : [`--mem=${Math.ceil((2 * mem) / 2 ** 20) + 1024}M`]),
          `--signal=B:USR1@${WARN_SECONDS}`,
          ...(after.length ? [`--dependency=afterany:${after.join(":")}`] : []),
          ...o.sbatch.all,
          ...(kind === "train" ? o.sbatch.train : o.sbatch.bench),
          script,
        ],
        {
          reject: false,
          env: { SCDX_WORKER_BACKEND: o.backend, SCDX_WORKER_KEYED: o.keyed, SCDX_THREADS: String(o.threads) },
        },
      );
      calls++;
      if (sub.exitCode !== 0)
        throw new Error(`sbatch refused the ${kind} array of wave ${g.split("-")[0]}: ${sub.stderr.trim()}`);
      const arrayId = sub.stdout.trim().split(";")[0]!;
      arrays.push(arrayId);
      for (const [i, s] of chunk.entries()) {
        const base = path.join(o.dir, s.key.slice(0, 16));
        out.set(s.key, {
          key: s.key,
          name: s.name,
          kind: s.kind,
          job: `${arrayId}_${i}`,
          events: `${base}.events`,
          log: `${base}.log`,
          needs: s.needs,
        });
      }
    }
  }
  const mine = Object.fromEntries(
    [...out.values()].filter((s) => !s.adopted).map((s) => [s.key, { job: s.job, events: s.events, log: s.log }]),
  );
  const record: QueueRecord = { run: o.runDir, stages: mine };
  writeFileSync(queueRecord(o.cacheRoot, o.runDir), JSON.stringify(record) + "\n");
  return { stages: stages.map((s) => out.get(s.key)!), arrays, sbatchCalls: calls };
}

/** squeue's state of each job (array tasks as `<array>_<task>`); absent when Slurm no longer knows it. */
export async function queueStates(jobs: readonly string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (!jobs.length) return states;
  const { execa } = await import("execa");
  const ids = [...new Set(jobs.map((j) => j.split("_")[0]!))];
  const q = await execa("squeue", ["-h", "-r", "-t", "all", "-j", ids.join(","), "-o", "%i|%T|%A"], { reject: false });
  for (const line of q.stdout.split("\n")) {
    const [id, state, own] = line.trim().split("|");
    if (!id || !state) continue;
    states.set(id, state);
    if (own) states.set(own, state); // a task's own job id (SLURM_JOB_ID) too
  }
  return states;
}

let maxArrayCache: number | undefined;
/** The cluster's MaxArraySize (tasks per array; indices 0…MaxArraySize−1). */
async function maxArraySize(): Promise<number> {
  if (maxArrayCache) return maxArrayCache;
  const { execa } = await import("execa");
  const r = await execa("scontrol", ["show", "config"], { reject: false });
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout);
  maxArrayCache = m ? Math.max(1, Number(m[1])) : 1001;
  return maxArrayCache;
}
