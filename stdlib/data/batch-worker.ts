// Worker-thread side of BatchWorkers: builds batches (resizing, crops, normalisation: synchronous JS)
// off the main thread, so that they overlap a synchronous training step there.
import { parentPort } from "node:worker_threads";
import { batchBuffers, buildBatch, type BatchSpec } from "./batch.ts";
import type { Sample } from "./sample.ts";

interface Job {
  readonly id: number;
  readonly spec: BatchSpec;
  readonly samples: Sample[];
  readonly seeds: number[];
}

parentPort!.on("message", (job: Job) => {
  try {
    const batch = buildBatch(job.spec, job.samples, job.seeds);
    parentPort!.postMessage({ id: job.id, batch }, batchBuffers(batch));
  } catch (e) {
    // The message reaches the user: the stack only when debugging.
    parentPort!.postMessage({
      id: job.id,
      error: process.env["SCDX_DEBUG"] ? ((e as Error).stack ?? String(e)) : ((e as Error).message ?? String(e)),
    });
  }
});
