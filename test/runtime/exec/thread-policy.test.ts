// The thread policy: never more busy threads than allowed CPUs, a scheduler's allocation wins over
// the machine, BLAS threads are what was asked (they are keyed) and never derived from --jobs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { allowedCpus, threadPolicy } from "../../../runtime/exec/thread-policy.ts";

const slurm = (n: number) => ({ SLURM_CPUS_PER_TASK: String(n) });

test("SLURM_CPUS_PER_TASK decides the CPUs when set and valid", () => {
  assert.equal(allowedCpus(slurm(6)), { cpus: 6, cpusFrom: "SLURM_CPUS_PER_TASK" });
  assert.is(allowedCpus({ SLURM_CPUS_PER_TASK: "zero" }).cpusFrom, "machine");
});

test("default jobs fill the CPUs with BLAS threads; a batch thread only where a CPU is left", () => {
  assert.equal(threadPolicy({ blasThreads: 1, stages: 10, env: slurm(8) }), {
    cpus: 8,
    cpusFrom: "SLURM_CPUS_PER_TASK",
    jobs: 8,
    blasThreads: 1,
    batchThreads: 0,
  });
  const p = threadPolicy({ blasThreads: 2, stages: 10, env: slurm(8) });
  assert.equal([p.jobs, p.blasThreads, p.batchThreads], [4, 2, 0]);
  const few = threadPolicy({ blasThreads: 1, stages: 2, env: slurm(8) }); // two stages: two workers, room for batches
  assert.equal([few.jobs, few.batchThreads], [2, 1]);
});

test("every combination keeps jobs × (BLAS + batch threads) within the CPUs, unless one worker alone exceeds them", () => {
  for (const cpus of [1, 2, 3, 4, 16])
    for (const blas of [1, 2, 3, 8])
      for (const stages of [1, 2, 5, 100])
        for (const jobs of [undefined, 1, 3]) {
          const p = threadPolicy({ blasThreads: blas, stages, env: slurm(cpus), ...(jobs && { jobs }) });
          assert.is(p.blasThreads, blas, "BLAS threads are keyed: never changed by the policy");
          assert.ok(p.jobs >= 1 && p.jobs <= Math.max(1, stages));
          if (jobs === undefined && blas <= cpus) assert.ok(p.jobs * (p.blasThreads + p.batchThreads) <= cpus);
          if (p.batchThreads) assert.ok(p.jobs * (blas + 1) <= cpus);
        }
});

test("tensorflow runs one process", () => {
  assert.is(threadPolicy({ blasThreads: 1, stages: 9, oneProcess: true, env: slurm(16) }).jobs, 1);
});

test.run();
