// Walking a bench's dataset: every sample once, in order, in batches, with progress in images
// and a check for Ctrl-C between batches. Shared by the bench runners.
import { Loader } from "../../stdlib/data/pipeline.ts";
import type { Dataset, Sample } from "../../stdlib/data/sample.ts";
import type { StageContext } from "./context.ts";
import { StageError } from "./stage-error.ts";

export const BENCH_BATCH = 16;

/** Every sample once, in order, in batches; reports progress in images. */
export async function eachBatch(
  dataset: Dataset,
  ctx: StageContext,
  fn: (samples: Sample[], first: number) => void,
): Promise<void> {
  const loader = new Loader<Sample[]>(dataset, {
    batchSize: BENCH_BATCH,
    seed: 0,
    shuffle: false,
    dropLast: false,
    epochs: 1,
    build: (s) => s,
  });
  let done = 0;
  try {
    for await (const b of loader) {
      if (ctx.signal.aborted) throw new StageError("interrupted");
      fn(b.batch, done);
      done += b.batch.length;
      ctx.progress({ done, total: dataset.length });
    }
  } finally {
    loader.close();
  }
}
