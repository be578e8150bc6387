// Performance harness for the shapes generator (not a test: it only reports).
// Images per second of `shapesSample` (pixels, panoptic map, captions) at 64 and 96 px, next to a
// peer measured in the same run: sharp decoding the same images from PNG to raw RGB, i.e. what a
// file-backed dataset of these images would pay per image before any augmentation.
// Medians over RUNS passes of BATCH images after one warm-up pass, one thread.
// Run: node --import tsx perf/data-shapes.ts
import sharp from "sharp";
import { shapesOptions, shapesSample, type ShapesOptions } from "../stdlib/data/shapes.ts";

const BATCH = 200,
  RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeIt(f: () => Promise<void> | void): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

async function measure(label: string, o: ShapesOptions): Promise<void> {
  let pixels = 0;
  const gen = await timeIt(() => {
    for (let i = 0; i < BATCH; i++) pixels += shapesSample(o, i).rgb[0]!;
  });
  const pngs = await Promise.all(
    Array.from({ length: BATCH }, (_, i) =>
      sharp(shapesSample(o, i).rgb, { raw: { width: o.size, height: o.size, channels: 3 } })
        .png()
        .toBuffer(),
    ),
  );
  sharp.concurrency(1);
  const dec = await timeIt(async () => {
    for (const p of pngs) await sharp(p).raw().toBuffer();
  });
  const ips = (ms: number) => ((BATCH * 1000) / ms).toFixed(0).padStart(6);
  console.log(
    `${label.padEnd(26)} generate ${ips(gen)} img/s (${((gen / BATCH) * 1000).toFixed(0).padStart(4)} µs/img)   PNG decode peer ${ips(dec)} img/s   generate/decode time ${(gen / dec).toFixed(2)}×`,
  );
  if (pixels < 0) console.log(pixels);
}

console.log(`shapes generator, ${BATCH} images × ${RUNS} runs (median), 1 thread; Node ${process.version}`);
await measure("64 px, medium (defaults)", shapesOptions({ size: 64 }));
await measure("96 px, medium", shapesOptions({ size: 96 }));
await measure(
  "96 px, hard, 6×8×6",
  shapesOptions({ size: 96, difficulty: "hard", kinds: 6, colors: 8, textures: 6, max_shapes: 5 }),
);
await measure("224 px, medium", shapesOptions({ size: 224 }));
