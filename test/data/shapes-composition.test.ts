// The second prototype's composition as options of `shapes` (notes/toyworld.md): thing sizes in
// pixels, the share of zoom images, one grey texture, kind × colour classes — and that leaving the
// options out changes nothing (the default digests live in shapes.test.ts).
import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { annotationJson, shapesClasses, shapesOptions, shapesSample, shapesScene } from "../../stdlib/data/shapes.ts";
import { COLORS } from "../../stdlib/data/shapes-palette.ts";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const PROTO = shapesOptions({
  images: 400,
  size: 96,
  seed: 5,
  thing_size: range(18, 40),
  zoom: 0.25,
  zoom_shapes: range(1, 2),
  zoom_size: range(36, 64),
  background: "grey",
  labels: "kind_color",
});

test("determinism: the prototype composition hashes to a committed value", () => {
  const h = createHash("sha256");
  for (let i = 0; i < 8; i++) {
    const s = shapesSample(PROTO, i);
    h.update(s.rgb);
    h.update(annotationJson(s));
  }
  assert.is(h.digest("hex"), "f1746ae1a28cf736d286bc5cf595fb28c10408000727439e62e9faa1c4dd0a25");
});

test("composition: 2–4 things of 18–40 px, or (≈ 1 in 4) 1–2 of 36–64 px, on one stuff segment", () => {
  let zooms = 0;
  for (let i = 0; i < 400; i++) {
    const { scene } = shapesScene(PROTO, i);
    const d = scene.things.map((t) => 2 * t.geometry.r);
    const zoom = d.some((x) => x > 40);
    if (zoom) {
      zooms++;
      assert.ok(scene.things.length >= 1 && scene.things.length <= 2, `image ${i}: ${scene.things.length} zoom things`);
      assert.ok(
        d.every((x) => x >= 36 && x <= 64),
        `image ${i}: zoom diameters ${d}`,
      );
    } else {
      assert.ok(scene.things.length <= 4, `image ${i}: ${scene.things.length} things`);
      assert.ok(
        d.every((x) => x >= 18 && x <= 40),
        `image ${i}: diameters ${d}`,
      );
    }
    assert.is(scene.segments.filter((g) => !g.isThing).length, 1);
  }
  // Binomial(400, 0.25): mean 100, s.d. 8.7; zoom images whose things are all ≤ 40 px count as
  // ordinary here, so the bound below is one-sided-generous.
  assert.ok(zooms > 60 && zooms < 125, `zoom images ${zooms}`);
});

test("grey background: every background pixel has equal channels up to the noise (±6 per channel)", () => {
  const s = shapesSample(PROTO, 3);
  const bg = s.segments.find((g) => !g.isThing)!.id;
  for (let p = 0; p < s.width * s.height; p++) {
    if (s.panoptic![p] !== bg) continue;
    const [r, g, b] = [s.rgb[3 * p]!, s.rgb[3 * p + 1]!, s.rgb[3 * p + 2]!];
    // Clutter specks are palette-coloured and stay stuff: skip saturated pixels.
    if (COLORS.some((c) => Math.abs(c.rgb[0] - r) + Math.abs(c.rgb[1] - g) + Math.abs(c.rgb[2] - b) < 80)) continue;
    assert.ok(Math.max(r, g, b) - Math.min(r, g, b) <= 13, `pixel ${p}: ${r},${g},${b}`);
  }
});

test("labels: kind_color gives 12 thing classes named by colour and kind, matching each thing", () => {
  const cls = shapesClasses(PROTO);
  assert.is(cls.filter((c) => c.isThing).length, 12);
  assert.is(cls[0]!.name, "red circle");
  assert.is(cls[5]!.name, "green square");
  assert.equal(
    cls.filter((c) => !c.isThing).map((c) => c.name),
    ["stripes", "dots", "checks"],
  );
  for (let i = 0; i < 20; i++) {
    const { scene } = shapesScene(PROTO, i);
    for (const t of scene.things) {
      const seg = scene.segments.find((g) => g.id === t.id)!;
      assert.is(cls[seg.label]!.name, `${COLORS[t.color]!.name} ${["circle", "square", "triangle"][t.geometry.kind]}`);
    }
  }
});

test("options: ranges and enums are checked", () => {
  assert.throws(() => shapesOptions({ zoom: 1.5 }), /zoom/);
  assert.throws(() => shapesOptions({ background: "white" }), /background/);
  assert.throws(() => shapesOptions({ thing_size: [] }), /thing_size/);
});

test.run();
