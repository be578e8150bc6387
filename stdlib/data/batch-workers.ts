// A small pool of worker threads that build batches (see batch-worker.ts). Pixels travel by
// transfer, not copy: the samples' buffers go to the worker, the batch's typed arrays come back.
// Workers start through ts-worker-boot.mjs, which registers tsx in the worker thread.
import { Worker } from "node:worker_threads";
import type { Sample } from "./sample.ts";
import type { Batch, BatchSpec } from "./batch.ts";

interface Job {
  id: number;
  samples: Sample[];
  seeds: number[];
  resolve: (b: Batch) => void;
  reject: (e: Error) => void;
}

export class BatchWorkers {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, Job>();
  private nextId = 0;

  constructor(
    private readonly spec: BatchSpec,
    count: number,
  ) {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`BatchWorkers needs ≥ 1 worker, got ${count}`);
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL("./ts-worker-boot.mjs", import.meta.url), {
        workerData: { entry: new URL("./batch-worker.ts", import.meta.url).href },
      });
      w.on("message", (m: { id: number; batch?: Batch; error?: string }) => {
        const job = this.running.get(m.id);
        this.running.delete(m.id);
        w.unref(); // an idle worker must not keep the process alive
        this.idle.push(w);
        if (job) m.batch ? job.resolve(m.batch) : job.reject(new Error(`batch worker: ${m.error}`));
        this.pump();
      });
      w.on("error", (e) => {
        for (const j of this.running.values()) j.reject(e);
        this.running.clear();
      });
      w.unref();
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Builds a batch in a worker; the samples' pixel buffers are transferred (unusable here afterwards). */
  build(samples: Sample[], seeds: number[]): Promise<Batch> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, samples, seeds, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!,
        job = this.queue.shift()!;
      this.running.set(job.id, job);
      const transfer: ArrayBuffer[] = [];
      for (const s of job.samples)
        for (const a of [s.rgb, s.panoptic]) {
          // Only arrays that own their whole buffer can move; views into shared buffers are copied.
          if (
            a &&
            a.byteOffset === 0 &&
            a.byteLength === a.buffer.byteLength &&
            !transfer.includes(a.buffer as ArrayBuffer)
          )
            transfer.push(a.buffer as ArrayBuffer);
        }
      w.ref(); // a pending job keeps the process alive until its batch is back
      w.postMessage({ id: job.id, spec: this.spec, samples: job.samples, seeds: job.seeds }, transfer);
    }
  }
}
