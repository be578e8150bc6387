// A worker process of the local executor: starts one tfjs backend, then runs stage jobs sent over
// IPC one at a time, writing each result into the cache itself (the files are here, not in the
// driver) and streaming progress back. tfjs on wasm is single-threaded: processes are the
// parallelism. Ctrl-C (SIGINT to the process group) or a `stop` message asks the running stage to
// checkpoint and end; the worker then exits.
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { getEachMessage, sendMessage } from "execa";
import type { IrNode } from "../../core/ir.ts";
import { initBackend, type BackendName } from "../../stdlib/tensor/backend.ts";
import { keyedBackend } from "../../stdlib/tensor/backend-name.ts";
import { Cache, type KeyFields } from "../cache/store.ts";
import { ModelResolver } from "../runners/resolve-model.ts";
import type { StageContext, StageMeta } from "../runners/context.ts";
import { InterruptedError, StageError } from "../runners/stage-error.ts";
import { gateJob } from "./job-gate.ts";

export interface WorkerJob {
  readonly id: number;
  readonly key: string;
  readonly node: IrNode;
  readonly nodes: Readonly<Record<string, IrNode>>;
  /** Structural key of each train stage it consumes → that stage's cache entry directory. */
  readonly entries: Readonly<Record<string, string>>;
  readonly fields: KeyFields;
  readonly cacheRoot: string;
  readonly workDir: string;
  readonly batchThreads: number;
  /**
   * Slurm jobs only (`--job FILE`): the stages it consumes, whose entries must exist before it
   * runs. The job was queued before they finished; if one failed, this job reports itself skipped.
   */
  readonly needs?: readonly { readonly name: string; readonly key: string }[];
}

export type ToWorker = { readonly type: "job"; readonly job: WorkerJob } | { readonly type: "stop" };

export type FromWorker =
  | { readonly type: "ready"; readonly backend: string; readonly pid: number }
  | {
      readonly type: "started";
      readonly id: number;
      readonly resumedAt?: number;
      /** The Slurm job id (SLURM_JOB_ID: an array task's own id) running it. */
      readonly job?: number;
    }
  | {
      readonly type: "progress";
      readonly id: number;
      readonly done: number;
      readonly total: number;
      readonly loss?: number;
      readonly terms?: Record<string, number>;
      readonly lr?: number;
    }
  | { readonly type: "checkpoint"; readonly id: number; readonly step: number }
  | {
      readonly type: "result";
      readonly id: number;
      readonly ok: true;
      readonly dir: string;
      readonly meta: StageMeta;
      /** Found in the cache under the lock (another run computed it meanwhile): nothing ran. */
      readonly served?: boolean;
    }
  | {
      readonly type: "result";
      readonly id: number;
      readonly ok: false;
      readonly interrupted: boolean;
      /** Interrupted by Slurm's warning before a time limit or preemption (SIGUSR1): requeue it. */
      readonly preempted?: boolean;
      /** The job ended without the worker sending a result (killed, node lost): set by its wrapper or the driver. */
      readonly lost?: boolean;
      /** Not run: a stage it needs has no entry (it failed or was cancelled). */
      readonly skipped?: boolean;
      readonly message: string;
      readonly step?: number;
      readonly term?: string;
    };

const stop = new AbortController();
process.on("SIGINT", () => stop.abort());
process.on("SIGTERM", () => stop.abort());
// Slurm's warning before a time limit or preemption (--signal=B:USR1@…): checkpoint, end, be requeued.
let preempted = false;
process.on("SIGUSR1", () => {
  preempted = true;
  stop.abort();
});

// A Slurm job: one job from a file, messages appended to a file (no IPC channel to the driver,
// which follows that file); otherwise jobs and messages go over IPC.
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
/** `--job JOBS --task I --base B`: job I of the JSON lines of JOBS (an array's); its files are B.* */
const jobFile = flag("--job");
const jobBase = flag("--base") ?? jobFile;
// A Slurm job's batch script, warned of the time limit, writes FILE.deadline (epoch seconds): stop
// by then, as on SIGUSR1 (slurm-script.ts says why it is a file, not a signal).
if (jobFile)
  setInterval(() => {
    try {
      if (Date.now() / 1000 >= Number(readFileSync(`${jobBase}.deadline`, "utf8"))) {
        preempted = true;
        stop.abort();
      }
    } catch {
      // no deadline: not warned
    }
  }, 1000).unref();

const SLURM_JOB = jobFile ? Number(process.env["SLURM_JOB_ID"]) || undefined : undefined;

const send = async (m: FromWorker): Promise<void> => {
  if (jobFile) {
    appendFileSync(`${jobBase}.events`, `${JSON.stringify(m)}\n`);
    return;
  }
  await sendMessage(m as never).catch(() => {
    /* the driver is gone */
  });
};

async function runJob(job: WorkerJob): Promise<void> {
  const { runTrain } = await import("../runners/train.ts");
  const { runBench } = await import("../runners/bench.ts");
  // One resolver per job: models are freed when the stage ends, so a long-lived worker's memory
  // is one stage's, whatever ran before.
  const models = new ModelResolver({ nodes: job.nodes, entries: job.entries });
  try {
    const cache = new Cache(job.cacheRoot);
    const entry = await cache.write(job.key, job.fields, async (outDir) => {
      const ctx: StageContext = {
        key: job.key,
        nodes: job.nodes,
        models,
        workDir: job.workDir,
        outDir,
        signal: stop.signal,
        batchThreads: job.batchThreads,
        progress: (p) => void send({ type: "progress", id: job.id, ...p, terms: p.terms ? { ...p.terms } : undefined }),
        checkpointed: (step) => void send({ type: "checkpoint", id: job.id, step }),
        resumed: (step) =>
          void send({ type: "started", id: job.id, resumedAt: step, ...(SLURM_JOB && { job: SLURM_JOB }) }),
      };
      void send({ type: "started", id: job.id, ...(SLURM_JOB && { job: SLURM_JOB }) });
      const meta = job.node.kind === "train" ? await runTrain(job.node, ctx) : await runBench(job.node as never, ctx);
      return { ...meta, name: job.node.origin.name, kind: job.node.kind, op: job.node.op };
    });
    rmSync(job.workDir, { recursive: true, force: true }); // cached now: checkpoints are no longer needed
    await send({
      type: "result",
      id: job.id,
      ok: true,
      dir: entry.dir,
      meta: (entry.manifest.meta ?? {}) as StageMeta,
    });
  } catch (e) {
    const interrupted = e instanceof InterruptedError || stop.signal.aborted;
    const err = e as Error;
    const message =
      e instanceof StageError || interrupted
        ? err.message
        : `${err.message}${process.env["SCDX_DEBUG"] ? `\n${err.stack}` : ""}`;
    await send({
      type: "result",
      id: job.id,
      ok: false,
      interrupted,
      ...(interrupted && preempted && { preempted: true }),
      message,
      step: (e as StageError).step,
      term: (e as StageError).term,
    });
  } finally {
    models.dispose();
  }
}

async function main(): Promise<void> {
  // A Slurm job: it may not need to run at all (an input failed, or the stage is cached by now).
  const job = jobFile
    ? (JSON.parse(readFileSync(jobFile, "utf8").split("\n")[Number(flag("--task") ?? 0)]!) as WorkerJob)
    : undefined;
  const gate = job ? await gateJob(job, stop.signal, (l) => process.stderr.write(`scdx job: ${l}\n`)) : undefined;
  if (gate && !gate.run) {
    await send(gate.result);
    process.exit(0);
  }
  const backend = process.env["SCDX_WORKER_BACKEND"] as BackendName;
  const info = await initBackend(backend);
  // Results are keyed for exactly this backend, kernel set and thread count; anything else would
  // store results under a key that does not describe them.
  const keyed = keyedBackend(info.name, info.blas?.threads ?? 1);
  const want = process.env["SCDX_WORKER_KEYED"];
  if (want && keyed !== want)
    throw new Error(`this worker provides backend ${keyed}, but the run is keyed for ${want}`);
  await send({ type: "ready", backend: info.name, pid: process.pid });
  if (job && gate?.run) {
    await runJob(job);
    await gate.lock.release();
    process.exit(0);
  }
  // Messages are read concurrently with the running job, so that `stop` reaches it mid-stage.
  const queue: WorkerJob[] = [];
  let wake: () => void = () => {};
  let closed = false;
  void (async () => {
    for await (const raw of getEachMessage()) {
      const m = raw as unknown as ToWorker;
      if (m.type === "stop") stop.abort();
      else queue.push(m.job);
      wake();
    }
    closed = true;
    wake();
  })();
  while (!stop.signal.aborted) {
    const job = queue.shift();
    if (job) {
      await runJob(job);
      continue;
    }
    if (closed) break;
    await new Promise<void>((r) => {
      wake = r;
    });
  }
  process.exit(0);
}

main().catch(async (e) => {
  await send({
    type: "result",
    id: -1,
    ok: false,
    interrupted: false,
    message: `worker failed to start: ${(e as Error).message}`,
  });
  process.exit(1);
});
