// What a Slurm job checks before it loads a backend. The whole DAG is queued at once, so by the time
// a job starts, a stage it needs may have failed, and another driver (on another host, over the
// same shared cache) may have queued or computed the same stage. The job therefore takes the
// stage's cache lock itself — a heartbeat lock that works across hosts — and looks in the cache
// under it: a stage is computed once however many jobs were queued for it.
import { acquireLock, describeHolder, type Lock } from "../cache/lock.ts";
import { Cache } from "../cache/store.ts";
import type { StageMeta } from "../runners/context.ts";

/** What the gate reads of a worker job (worker.ts's WorkerJob; not imported, as the worker imports this). */
interface GatedJob {
  readonly id: number;
  readonly key: string;
  readonly cacheRoot: string;
  readonly needs?: readonly { readonly name: string; readonly key: string }[];
}

/** A worker result message (worker.ts's FromWorker). */
type Result =
  | { type: "result"; id: number; ok: true; served: true; dir: string; meta: StageMeta }
  | { type: "result"; id: number; ok: false; interrupted: false; skipped: true; message: string };

export type Gate = { readonly run: true; readonly lock: Lock } | { readonly run: false; readonly result: Result };

export async function gateJob(job: GatedJob, signal: AbortSignal, log: (line: string) => void): Promise<Gate> {
  const cache = new Cache(job.cacheRoot);
  const missing: string[] = [];
  for (const n of job.needs ?? []) if ((await cache.lookup(n.key)).status !== "hit") missing.push(n.name);
  if (missing.length)
    return {
      run: false,
      result: {
        type: "result",
        id: job.id,
        ok: false,
        interrupted: false,
        skipped: true,
        message: `${missing.join(", ")} did not finish`,
      },
    };
  const lock = await acquireLock(job.cacheRoot, job.key, {
    onWait: (h) => log(`waiting for ${describeHolder(h)}, which is computing this stage`),
    signal,
  });
  const hit = await cache.lookup(job.key);
  if (hit.status === "hit") {
    await lock.release();
    return {
      run: false,
      result: {
        type: "result",
        id: job.id,
        ok: true,
        served: true,
        dir: hit.dir,
        meta: (hit.manifest.meta ?? {}) as StageMeta,
      },
    };
  }
  return { run: true, lock };
}
