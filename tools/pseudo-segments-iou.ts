// Measures segment_contrast's pseudo-segments against the shapes world's true panoptic segments:
// for each true segment the best IoU with any pseudo-segment, averaged over segments (thing and
// stuff), and pseudo-segments per image. Defaults: the 96 px prototype world, 300 images of seed 2.
//   node --import tsx tools/pseudo-segments-iou.ts [IMAGES] [SEED]
import { pseudoSegments } from "../stdlib/data/pseudo-segments.ts";
import { shapesOptions, shapesSample } from "../stdlib/data/shapes.ts";

const [images = 300, seed = 2] = process.argv.slice(2).map(Number);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const o = shapesOptions({
  images,
  size: 96,
  seed,
  thing_size: range(18, 40),
  zoom: 0.25,
  zoom_shapes: range(1, 2),
  zoom_size: range(36, 64),
  background: "grey",
  labels: "kind_color",
});
let sum = 0,
  things = 0,
  thingSum = 0,
  segments = 0,
  pseudo = 0;
const t0 = Date.now();
for (let i = 0; i < images; i++) {
  const s = shapesSample(o, i);
  const { labels, count } = pseudoSegments(s.rgb, 96, 96);
  pseudo += count;
  // Intersections of every (true, pseudo) pair in one pass.
  const ids = s.segments.map((g) => g.id);
  const inter = new Map<string, number>(),
    areaP = new Int32Array(count);
  for (let p = 0; p < labels.length; p++) {
    areaP[labels[p]!]!++;
    const key = `${s.panoptic![p]}:${labels[p]}`;
    inter.set(key, (inter.get(key) ?? 0) + 1);
  }
  for (const [j, g] of s.segments.entries()) {
    let best = 0;
    for (let c = 0; c < count; c++) {
      const n = inter.get(`${ids[j]}:${c}`) ?? 0;
      best = Math.max(best, n / (g.area + areaP[c]! - n));
    }
    sum += best;
    segments++;
    if (g.isThing) {
      thingSum += best;
      things++;
    }
  }
}
console.log(
  JSON.stringify({
    images,
    seed,
    mean_best_iou: +(sum / segments).toFixed(4),
    things_mean_best_iou: +(thingSum / things).toFixed(4),
    true_segments_per_image: +(segments / images).toFixed(2),
    pseudo_segments_per_image: +(pseudo / images).toFixed(2),
    ms_per_image: +((Date.now() - t0) / images).toFixed(1),
  }),
);
