// The probe's `segments: instances` protocol on hand-computed cases: features that tell two
// same-class things apart score 1; features that only know colour merge them, and the matching
// gives the second thing nothing (IoUs 1, 1/2, 0 → mIoU 1/2).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ImageMean, instanceProbe } from "../../stdlib/metrics/instance-probe.ts";

// 4×4 tokens: background (panoptic id 7) on the left half, thing 3 top right, thing 9 bottom right;
// ids are arbitrary integers, as panoptic ids are.
const seg = Int32Array.from([7, 7, 3, 3, 7, 7, 3, 3, 7, 7, 9, 9, 7, 7, 9, 9]);
const at = (f: (g: number) => [number, number]) => Float32Array.from([...seg].flatMap(f));

test("features that separate the two things: every segment recovered, mIoU 1", () => {
  const tokens = at((g) => (g === 7 ? [0, 0] : g === 3 ? [10, 0] : [0, 10]));
  const r = instanceProbe(tokens, 2, seg, { seed: 1 });
  assert.is(r.miou, 1);
  assert.is(r.pixelAccuracy, 1);
  assert.equal([...r.segment], [...seg]);
});

test("colour-only features merge same-coloured things: IoUs 1, 1/2, 0 → mIoU 1/2, accuracy 12/16", () => {
  const tokens = at((g) => (g === 7 ? [0, 0] : [10, 0]));
  const r = instanceProbe(tokens, 2, seg, { seed: 1 });
  assert.ok(Math.abs(r.miou! - 0.5) < 1e-12, `miou ${r.miou}`);
  assert.is(r.pixelAccuracy, 12 / 16);
  // both things' tokens went to one segment, whichever of the two the matching chose
  const thing = [...r.segment].filter((_, i) => seg[i] !== 7);
  assert.is(new Set(thing).size, 1);
  assert.ok(thing[0] === 3 || thing[0] === 9);
});

test("a void token is not a segment (k stays 3) and is not scored", () => {
  const withVoid = Int32Array.from(seg, (g, i) => (i === 0 ? 255 : g));
  const tokens = at((g) => (g === 7 ? [0, 0] : g === 3 ? [10, 0] : [0, 10]));
  const r = instanceProbe(tokens, 2, withVoid, { seed: 1 });
  assert.is(r.miou, 1);
  assert.is(r.pixelAccuracy, 1);
  // a void token far from everything is still clustered (k-means sees every token) and takes one
  // of the 3 clusters, so two segments share one: no labelling can be perfect any more
  tokens[0] = 50;
  tokens[1] = 50;
  const far = instanceProbe(tokens, 2, withVoid, { seed: 1 });
  assert.ok(far.miou! < 1, `miou ${far.miou}`);
});

test("ImageMean averages per-image scores and leaves out images with none", () => {
  const m = new ImageMean();
  assert.is(m.result(), null);
  m.add(0.5);
  m.add(null);
  m.add(1);
  assert.is(m.result(), 0.75);
});

test.run();
