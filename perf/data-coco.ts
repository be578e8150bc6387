// Performance harness for the COCO data path (not a test: it reports, never fails on a time).
//   (a) images/s: decode only (sharp, threadpool), and decode + CLIPSelf sampling (student letterbox
//       to S, up to 20 teacher crops letterboxed to T, normalisation), built on the main thread or in
//       worker threads;
//   (b) prefetching against a simulated training step (a synchronous busy loop of STEP ms per batch):
//       total time with and without prefetch for decode-only batches;
//   (c) the same for full region batches, with a step as long as one batch's main-thread build.
// Data: N generated 640×480 JPEGs (photo-like: gradients, blobs, noise) and an instances JSON.
// Run: node --import tsx perf/data-coco.ts [--images 64] [--batch 4] [--step 50] [--step-full MS]
//        [--size 1024] [--teacher 224]
import sharp from "sharp";
import { availableParallelism } from "node:os";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCoco } from "../stdlib/data/coco.ts";
import { Loader } from "../stdlib/data/pipeline.ts";
import { buildBatch, type BatchSpec } from "../stdlib/data/batch.ts";
import { BatchWorkers } from "../stdlib/data/batch-workers.ts";
import type { Dataset, Sample } from "../stdlib/data/sample.ts";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg("images", 64),
  BATCH = arg("batch", 4),
  STEP = arg("step", 50),
  S = arg("size", 1024),
  T = arg("teacher", 224);
const W = 640,
  H = 480;

async function makeDataset(dir: string): Promise<void> {
  mkdirSync(join(dir, "images"));
  const images = [];
  for (let k = 0; k < N; k++) {
    const px = new Uint8Array(W * H * 3);
    let s = k * 7919 + 1;
    const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296;
    const blobs = Array.from({ length: 6 }, () => [
      rnd() * W,
      rnd() * H,
      40 + rnd() * 120,
      rnd() * 255,
      rnd() * 255,
      rnd() * 255,
    ]);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let r = (x / W) * 160 + 40,
          g = (y / H) * 160 + 40,
          b = 120;
        for (const [cx, cy, rad, br, bg, bb] of blobs)
          if ((x - cx) ** 2 + (y - cy) ** 2 < rad * rad) {
            r = br;
            g = bg;
            b = bb;
          }
        const n = (rnd() - 0.5) * 24,
          i = (y * W + x) * 3;
        px[i] = Math.max(0, Math.min(255, r + n));
        px[i + 1] = Math.max(0, Math.min(255, g + n));
        px[i + 2] = Math.max(0, Math.min(255, b + n));
      }
    await sharp(Buffer.from(px), { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(dir, "images", `${k}.jpg`));
    images.push({ id: k + 1, file_name: `${k}.jpg`, width: W, height: H });
  }
  writeFileSync(
    join(dir, "instances.json"),
    JSON.stringify({ images, annotations: [], categories: [{ id: 1, name: "thing" }] }),
  );
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** One pass over the data: `images/s` and the total wall time, with an optional busy step per batch. */
async function run(
  ds: Dataset,
  opts: { prefetch: number; build: (s: Sample[], seeds: number[]) => unknown; step?: number },
): Promise<{ ms: number; ips: number }> {
  const loader = new Loader(ds, { batchSize: BATCH, seed: 1, epochs: 1, prefetch: opts.prefetch, build: opts.build });
  const t0 = performance.now();
  let n = 0;
  for await (const b of loader) {
    n += b.indices.length;
    if (opts.step) busy(opts.step);
  }
  const ms = performance.now() - t0;
  return { ms, ips: (n / ms) * 1000 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scdx-perf-coco-"));
  try {
    const t0 = performance.now();
    await makeDataset(dir);
    console.log(
      `data: ${N} JPEGs ${W}×${H} (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s); batch ${BATCH}; student S=${S}, teacher T=${T}; ` +
        `${availableParallelism()} CPUs, UV_THREADPOOL_SIZE=${process.env["UV_THREADPOOL_SIZE"] ?? "4 (default)"}`,
    );
    const ds = openCoco({ images: "images", annotations: "instances.json" }, dir);
    const spec: BatchSpec = { kind: "regions", studentSize: S, teacherSize: T, featureGrid: S / 16 };
    const local = (s: Sample[], seeds: number[]) => buildBatch(spec, s, seeds);
    const none = (s: Sample[]) => s.length;
    await run(ds, { prefetch: 2, build: none }); // warm-up: file cache, JIT

    console.log("\n(a) throughput (one pass, no training step)");
    const dec0 = await run(ds, { prefetch: 0, build: none });
    const dec = await run(ds, { prefetch: 4, build: none });
    console.log(`  decode only, prefetch 0            ${dec0.ips.toFixed(1).padStart(7)} images/s`);
    console.log(`  decode only, prefetch 4            ${dec.ips.toFixed(1).padStart(7)} images/s`);
    const full = await run(ds, { prefetch: 2, build: local });
    console.log(
      `  decode + sampling, main thread     ${full.ips.toFixed(1).padStart(7)} images/s   (${(1000 / full.ips).toFixed(0)} ms/image)`,
    );
    const pools: Record<number, BatchWorkers> = {};
    for (const w of [1, 2]) {
      pools[w] = new BatchWorkers(spec, w);
      await run(ds, { prefetch: w + 1, build: (s, seeds) => pools[w]!.build(s, seeds) }); // worker warm-up
      const r = await run(ds, { prefetch: w + 1, build: (s, seeds) => pools[w]!.build(s, seeds) });
      console.log(
        `  decode + sampling, ${w} worker${w > 1 ? "s" : " "}        ${r.ips.toFixed(1).padStart(7)} images/s`,
      );
    }

    const batches = Math.ceil(N / BATCH);
    const line = (what: string, step: number, r: { ms: number }) =>
      console.log(
        `  ${what.padEnd(42)} ${r.ms.toFixed(0).padStart(6)} ms   data wait ${(r.ms - batches * step).toFixed(0).padStart(5)} ms`,
      );
    console.log(
      `\n(b) decode-only batches vs a ${STEP} ms synchronous step per batch (${batches} batches: steps alone = ${batches * STEP} ms)`,
    );
    line("decode only, prefetch 0", STEP, await run(ds, { prefetch: 0, build: none, step: STEP }));
    line("decode only, prefetch 2", STEP, await run(ds, { prefetch: 2, build: none, step: STEP }));
    // Full batches cost more than 50 ms of JS each; a step as long as one batch's build shows what
    // prefetching can hide: nothing on the main thread (it is busy with the step), the build in workers.
    const stepFull = arg("step-full", Math.round((BATCH * 1000) / full.ips));
    console.log(
      `\n(c) full region batches vs a ${stepFull} ms step (≈ one batch's build on the main thread; steps alone = ${batches * stepFull} ms)`,
    );
    line(
      "decode + sampling on main, prefetch 0",
      stepFull,
      await run(ds, { prefetch: 0, build: local, step: stepFull }),
    );
    line(
      "decode + sampling on main, prefetch 2",
      stepFull,
      await run(ds, { prefetch: 2, build: local, step: stepFull }),
    );
    for (const w of [1, 2])
      line(
        `decode + sampling, ${w} worker${w > 1 ? "s" : ""}, prefetch ${w + 1}`,
        stepFull,
        await run(ds, { prefetch: w + 1, build: (s, seeds) => pools[w]!.build(s, seeds), step: stepFull }),
      );
    for (const p of Object.values(pools)) await p.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
