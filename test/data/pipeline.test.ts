// The loader: shuffling by (seed, epoch), batching, resuming from a saved cursor, prefetching that
// cannot change what comes out, errors, and worker-built batches equal to main-thread ones.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Dataset, Sample } from "../../stdlib/data/sample.ts";
import { DataError } from "../../stdlib/data/errors.ts";
import { Loader, epochOrder, type DataCursor, type LoaderOptions } from "../../stdlib/data/pipeline.ts";
import { buildBatch, type BatchSpec } from "../../stdlib/data/batch.ts";
import type { RegionBatch } from "../../stdlib/data/sampling.ts";
import { BatchWorkers } from "../../stdlib/data/batch-workers.ts";
import { pattern } from "./coco-files.ts";

function memoryDataset(n: number, opts: { fail?: (i: number) => Error | undefined; calls?: number[] } = {}): Dataset {
  return {
    name: "memory",
    classes: [],
    length: n,
    async get(i) {
      opts.calls?.push(i);
      await new Promise((r) => setTimeout(r, 1));
      const err = opts.fail?.(i);
      if (err) throw err;
      return {
        id: `m${i}`,
        width: 40 + (i % 3) * 8,
        height: 32,
        rgb: pattern(40 + (i % 3) * 8, 32, i),
        segments: [],
        captions: [],
      };
    },
    fingerprint: async () => "memory",
  };
}

type Seen = { ids: string[]; seeds: number[]; start: DataCursor; next: DataCursor };
async function take(
  ds: Dataset,
  n: number,
  opts: Partial<LoaderOptions<unknown>> = {},
): Promise<{ seen: Seen[]; loader: Loader<{ ids: string[]; seeds: number[] }> }> {
  const loader = new Loader(ds, {
    batchSize: 3,
    seed: 42,
    ...opts,
    build: (s, seeds) => ({ ids: s.map((x) => x.id), seeds }),
  });
  const seen: Seen[] = [];
  for (let i = 0; i < n; i++) {
    const b = await loader.next();
    if (!b) break;
    seen.push({ ...b.batch, start: b.start, next: b.next });
  }
  return { seen, loader };
}

test("epoch orders are permutations fixed by (seed, epoch)", () => {
  const a = Array.from(epochOrder(50, 1, 0));
  assert.equal(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(Array.from(epochOrder(50, 1, 0)), a);
  assert.not.equal(Array.from(epochOrder(50, 1, 1)), a);
  assert.not.equal(Array.from(epochOrder(50, 2, 0)), a);
  assert.equal(Array.from(epochOrder(5, 1, 3, false)), [0, 1, 2, 3, 4]);
  // Fisher–Yates is uniform: each item lands in position 0 about equally often.
  const first = new Array(5).fill(0);
  for (let e = 0; e < 5000; e++) first[epochOrder(5, 9, e)[0]]++;
  for (const c of first) assert.ok(Math.abs(c - 1000) < 120, `position-0 counts ${first}`);
});

test("batches walk each epoch's order; drop_last; the cursor moves to the next epoch", async () => {
  const { seen, loader } = await take(memoryDataset(10), 7);
  assert.equal(
    seen.map((s) => [s.start.epoch, s.start.position]),
    [
      [0, 0],
      [0, 3],
      [0, 6],
      [1, 0],
      [1, 3],
      [1, 6],
      [2, 0],
    ],
  );
  for (const e of [0, 1]) {
    const order = Array.from(epochOrder(10, 42, e))
      .slice(0, 9)
      .map((i) => `m${i}`);
    assert.equal(
      seen.slice(e * 3, e * 3 + 3).flatMap((s) => s.ids),
      order,
    );
  }
  assert.equal(loader.cursor, { epoch: 2, position: 3 });
  assert.is(loader.batchesPerEpoch, 3);
  const all = await take(memoryDataset(10), 10, { dropLast: false, shuffle: false, epochs: 1 });
  assert.equal(
    all.seen.map((s) => s.ids.length),
    [3, 3, 3, 1],
  );
  assert.equal(all.seen[3].ids, ["m9"]);
  assert.is(await all.loader.next(), undefined);
});

test("resuming from a saved cursor continues exactly, sampling seeds included", async () => {
  const { seen: full } = await take(memoryDataset(10), 8);
  const { loader: first } = await take(memoryDataset(10), 4);
  const saved = JSON.parse(JSON.stringify(first.cursor)) as DataCursor; // as a checkpoint stores it
  assert.equal(saved, { epoch: 1, position: 3 });
  const { seen: resumed } = await take(memoryDataset(10), 4, { cursor: saved });
  assert.equal(resumed, full.slice(4));
  assert.is(new Set(full.flatMap((s) => s.seeds)).size, 24, "every (epoch, position) has its own seed");
});

test("prefetching runs ahead but cannot change the batches", async () => {
  const calls: number[] = [];
  const loader = new Loader(memoryDataset(12, { calls }), {
    batchSize: 2,
    seed: 3,
    prefetch: 3,
    build: (s) => s.map((x) => x.id),
  });
  await loader.next();
  assert.is(calls.length, 8, "the batch returned plus three in flight");
  const a = await take(memoryDataset(12), 9, { prefetch: 0 }),
    b = await take(memoryDataset(12), 9, { prefetch: 5 });
  assert.equal(a.seen, b.seen);
});

test("errors: a failing sample surfaces at its batch (not as an unhandled rejection), skip_bad drops it", async () => {
  let unhandled = 0;
  const onUnhandled = () => {
    unhandled++;
  };
  process.on("unhandledRejection", onUnhandled);
  try {
    const bad = (i: number) => (i === 7 ? new DataError(`/data/${i}.jpg`, "image not found") : undefined);
    const loader = new Loader(memoryDataset(9, { fail: bad }), {
      batchSize: 3,
      seed: 0,
      shuffle: false,
      prefetch: 2,
      build: (s) => s.map((x) => x.id),
    });
    assert.equal((await loader.next())!.batch, ["m0", "m1", "m2"]);
    await new Promise((r) => setTimeout(r, 30)); // the batch holding sample 7 has failed by now, unawaited
    assert.equal((await loader.next())!.batch, ["m3", "m4", "m5"]);
    await loader.next().then(
      () => assert.unreachable("should fail"),
      (e) => assert.match(String(e), /7\.jpg: image not found/),
    );
    const skipping = await take(memoryDataset(9, { fail: bad }), 3, { skipBad: true, shuffle: false });
    assert.equal(
      skipping.seen.map((s) => s.ids),
      [
        ["m0", "m1", "m2"],
        ["m3", "m4", "m5"],
        ["m6", "m8"],
      ],
    );
    // Only DataErrors are skippable: a bug stays a bug.
    const bug = await take(memoryDataset(3, { fail: (i) => (i === 1 ? new TypeError("boom") : undefined) }), 1, {
      skipBad: true,
    }).catch((e) => e);
    assert.instance(bug, TypeError);
    await new Promise((r) => setTimeout(r, 10));
    assert.is(unhandled, 0);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  assert.throws(() => new Loader(memoryDataset(3), { batchSize: 0, seed: 0, build: () => 0 }), /batchSize/);
});

test("worker-built region batches equal main-thread ones, byte for byte", async () => {
  const spec: BatchSpec = { kind: "regions", studentSize: 32, teacherSize: 16, featureGrid: 2 };
  const ds = memoryDataset(6);
  const samples = await Promise.all([0, 1, 2].map((i) => ds.get(i)));
  const copies = samples.map((s): Sample => ({ ...s, rgb: s.rgb.slice() }));
  const local = buildBatch(spec, samples, [1, 2, 3]) as RegionBatch;
  const pool = new BatchWorkers(spec, 2);
  try {
    const [remote, again] = await Promise.all([
      pool.build(copies, [1, 2, 3]),
      pool.build(await Promise.all([0, 1, 2].map((i) => ds.get(i))), [1, 2, 3]),
    ]);
    for (const r of [remote, again] as RegionBatch[]) {
      assert.equal(r.cropShape, local.cropShape);
      for (const k of ["images", "crops", "boxes", "boxImage"] as const)
        assert.ok(Buffer.from(r[k].buffer).equals(Buffer.from(local[k].buffer)), `${k} differ`);
    }
    assert.is(copies[0].rgb.byteLength, 0, "pixels were transferred, not copied");
  } finally {
    await pool.close();
  }
});

test.run();
