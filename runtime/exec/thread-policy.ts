// One policy for how many threads a run keeps busy: worker processes (--jobs) × (BLAS threads +
// the region-batch thread each train stage starts) never exceed the CPUs this run may use — the
// machine's, or a scheduler's allocation (SLURM_CPUS_PER_TASK). BLAS threads are part of the cache
// key on `native` (the last bits of a matMul depend on them), so they are never derived from --jobs
// or the machine: 1 unless asked (--threads / SCDX_THREADS). The other two adapt to what is left.
import * as os from "node:os";

export interface ThreadPolicy {
  /** CPUs this run may use, and where that number came from. */
  readonly cpus: number;
  readonly cpusFrom: "SLURM_CPUS_PER_TASK" | "machine";
  /** Worker processes. */
  readonly jobs: number;
  /** OpenBLAS threads per worker (native backend). */
  readonly blasThreads: number;
  /** Region-batch threads per train stage: 1 when a CPU is left for it, else batches build inline. */
  readonly batchThreads: number;
}

export function allowedCpus(env: NodeJS.ProcessEnv = process.env): Pick<ThreadPolicy, "cpus" | "cpusFrom"> {
  const slurm = Number(env["SLURM_CPUS_PER_TASK"]);
  if (Number.isInteger(slurm) && slurm >= 1) return { cpus: slurm, cpusFrom: "SLURM_CPUS_PER_TASK" };
  return { cpus: Math.max(1, os.availableParallelism()), cpusFrom: "machine" };
}

/**
 * `jobs` is --jobs if given; `stages` bounds it (no more workers than stages); `oneProcess` for
 * backends where several processes would contend for one device (tensorflow).
 */
export function threadPolicy(o: {
  readonly blasThreads: number;
  readonly jobs?: number;
  readonly stages: number;
  readonly oneProcess?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}): ThreadPolicy {
  const { cpus, cpusFrom } = allowedCpus(o.env);
  const fit = Math.max(1, Math.floor(cpus / o.blasThreads));
  const jobs = Math.max(1, Math.min(o.jobs ?? (o.oneProcess ? 1 : fit), Math.max(1, o.stages)));
  const batchThreads = jobs * (o.blasThreads + 1) <= cpus ? 1 : 0;
  return { cpus, cpusFrom, jobs, blasThreads: o.blasThreads, batchThreads };
}
