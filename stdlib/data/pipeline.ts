// Batching, deterministic shuffling, a resumable data cursor and prefetching.
//
// Determinism: epoch e's order is a Fisher–Yates shuffle seeded by (seed, e); the sample at position
// p of epoch e gets the region-sampling seed derive(seed, e, p). Batch k of an epoch is positions
// [k·B, (k+1)·B) of that order: a batch's content is a function of (seed, epoch, position) only, so
// prefetching depth, timing and resuming from a saved cursor cannot change it.
// Bad samples under skip_bad are dropped from their batch (it is smaller) and logged by the dataset;
// a batch whose every sample failed is passed over. Without skip_bad the error surfaces in next().
//
// Prefetching: `prefetch` batches beyond the one being consumed are in flight. Decoding (sharp) runs on
// libuv's threadpool and overlaps a synchronous training step; building (resize, crops) is JS, so it
// overlaps only when `build` runs in worker threads (batch-workers.ts). Results reach the main thread
// only in event-loop turns, which next() takes once per batch. perf/data-coco.ts measures all this.
import type { Dataset, Sample } from "./sample.ts";
import { DataError } from "./errors.ts";
import { Rng, deriveSeed } from "./rng.ts";

/** Where the next batch starts: saved in checkpoints, given back to resume exactly. */
export interface DataCursor {
  readonly epoch: number;
  /** Index into the epoch's order (samples consumed this epoch). */
  readonly position: number;
}

const SHUFFLE_STREAM = 0x5348,
  SAMPLE_STREAM = 0x5253;

/** Epoch `epoch`'s visiting order of 0..length−1. */
export function epochOrder(length: number, seed: number, epoch: number, shuffle = true): Int32Array {
  const order = new Int32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  return shuffle ? Rng.of(SHUFFLE_STREAM, seed, epoch).shuffle(order) : order;
}

/** The random stream of the sample at `position` of `epoch`. */
export function sampleSeed(seed: number, epoch: number, position: number): number {
  return deriveSeed(SAMPLE_STREAM, seed, epoch, position);
}

export interface LoaderOptions<B> {
  readonly batchSize: number;
  readonly seed: number;
  /** Default true; false visits 0..n−1 in order (evaluation). */
  readonly shuffle?: boolean;
  /** Default true (as CLIPSelf's loader); false yields the last, smaller batch of each epoch. */
  readonly dropLast?: boolean;
  /** Stop after this many epochs (default: never; evaluation uses 1). */
  readonly epochs?: number;
  /** Batches kept in flight beyond the one being consumed (default 2; 0 = decode on demand). */
  readonly prefetch?: number;
  readonly cursor?: DataCursor;
  /** Drop samples whose reading fails with a DataError (default: the dataset's own skip_bad). */
  readonly skipBad?: boolean;
  /** Turns decoded samples into a batch; seeds[i] is sample i's random stream. */
  readonly build: (samples: Sample[], seeds: number[]) => B | Promise<B>;
}

export interface LoadedBatch<B> {
  readonly batch: B;
  /** Where this batch started and where the next one starts. */
  readonly start: DataCursor;
  readonly next: DataCursor;
  /** Dataset indices of the samples in the batch. */
  readonly indices: readonly number[];
  /** Samples of this batch dropped as bad. */
  readonly dropped: number;
}

interface Pending<B> {
  readonly start: DataCursor;
  readonly result: Promise<LoadedBatch<B> | null>;
}

export class Loader<B> implements AsyncIterable<LoadedBatch<B>> {
  private readonly orders = new Map<number, Int32Array>();
  private readonly pending: Pending<B>[] = [];
  private scheduled: DataCursor | undefined;
  private consumed: DataCursor;
  private closed = false;

  constructor(
    private readonly dataset: Dataset,
    private readonly opts: LoaderOptions<B>,
  ) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1))
      throw new RangeError(`batchSize must be a positive integer, got ${opts.batchSize}`);
    if (dataset.length === 0) throw new Error(`dataset ${dataset.name} has no samples`);
    this.consumed = this.normalise(opts.cursor ?? { epoch: 0, position: 0 });
    this.scheduled = this.live(this.consumed) ? this.consumed : undefined;
  }

  /** The cursor to checkpoint: the start of the next batch next() returns. */
  get cursor(): DataCursor {
    return this.consumed;
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.dataset.length / this.opts.batchSize;
    return this.opts.dropLast === false ? Math.ceil(n) : Math.floor(n);
  }

  async next(): Promise<LoadedBatch<B> | undefined> {
    // One event-loop turn per batch: decodes that finished on the threadpool during the (synchronous)
    // step deliver their pixels now and the next stage starts, even when the batch awaited below is
    // already resolved (awaiting a resolved promise runs only microtasks, never I/O callbacks).
    await new Promise<void>((r) => setImmediate(r));
    for (;;) {
      if (this.closed) return undefined;
      if (this.pending.length === 0) this.schedule();
      const head = this.pending.shift();
      if (!head) return undefined;
      this.fill(); // keep `prefetch` batches in flight while this one is awaited and consumed
      const r = await head.result;
      this.consumed = this.advance(head.start) ?? { epoch: this.opts.epochs ?? Infinity, position: 0 };
      if (r) return r;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LoadedBatch<B>> {
    for (let b = await this.next(); b; b = await this.next()) yield b;
  }

  /** Stops scheduling; decodes already running finish in the background and are dropped. */
  close(): void {
    this.closed = true;
    this.pending.length = 0;
  }

  private order(epoch: number): Int32Array {
    let o = this.orders.get(epoch);
    if (!o) {
      o = epochOrder(this.dataset.length, this.opts.seed, epoch, this.opts.shuffle !== false);
      this.orders.clear(); // one epoch's order at a time is enough (an epoch boundary needs two)
      this.orders.set(epoch, o);
    }
    return o;
  }

  private live(c: DataCursor): boolean {
    return c.epoch < (this.opts.epochs ?? Infinity);
  }

  private batchEnd(c: DataCursor): number {
    return Math.min(c.position + this.opts.batchSize, this.dataset.length);
  }

  // A cursor at the end of an epoch (or where dropLast leaves no full batch) moves to the next epoch.
  private normalise(c: DataCursor): DataCursor {
    if (!(Number.isInteger(c.epoch) && c.epoch >= 0 && Number.isInteger(c.position) && c.position >= 0))
      throw new RangeError(`bad data cursor ${JSON.stringify(c)}`);
    const rest = this.dataset.length - c.position;
    const full = this.opts.dropLast === false ? rest > 0 : rest >= this.opts.batchSize;
    return full ? c : { epoch: c.epoch + 1, position: 0 };
  }

  private advance(c: DataCursor): DataCursor | undefined {
    const n = this.normalise({ epoch: c.epoch, position: this.batchEnd(c) });
    return this.live(n) ? n : undefined;
  }

  private schedule(): void {
    const start = this.scheduled;
    if (!start || this.closed) return;
    const result = this.produce(start);
    result.catch(() => {}); // rejections surface when next() awaits this batch, not as unhandled
    this.pending.push({ start, result });
    this.scheduled = this.advance(start);
  }

  private fill(): void {
    while (this.pending.length < (this.opts.prefetch ?? 2) && this.scheduled) this.schedule();
  }

  private async produce(start: DataCursor): Promise<LoadedBatch<B> | null> {
    const order = this.order(start.epoch),
      end = this.batchEnd(start);
    const positions = Array.from({ length: end - start.position }, (_, i) => start.position + i);
    const got = await Promise.allSettled(positions.map((p) => this.dataset.get(order[p])));
    const skipBad = this.opts.skipBad ?? (this.dataset as { skipBad?: boolean }).skipBad ?? false;
    const samples: Sample[] = [],
      seeds: number[] = [],
      indices: number[] = [];
    got.forEach((g, i) => {
      if (g.status === "fulfilled") {
        samples.push(g.value);
        seeds.push(sampleSeed(this.opts.seed, start.epoch, positions[i]));
        indices.push(order[positions[i]]);
      } else if (!(skipBad && g.reason instanceof DataError)) throw g.reason;
    });
    const next = this.advance(start) ?? { epoch: this.opts.epochs ?? Infinity, position: 0 };
    if (samples.length === 0) return null;
    return {
      batch: await this.opts.build(samples, seeds),
      start,
      next,
      indices,
      dropped: positions.length - samples.length,
    };
  }
}
