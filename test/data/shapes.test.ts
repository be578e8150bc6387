// The shapes world: determinism (hashes of raw pixels and canonical annotations), annotations
// recomputed from the panoptic map, class balance, captions against the geometry, and the
// world's central claim — a region's mean colour carries no class information (nearest-centroid
// at chance), while the same classifier on colour, or on simple spatial features, does well.
import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { COLORS } from "../../stdlib/data/shapes-palette.ts";
import { DIFFICULTY } from "../../stdlib/data/shapes-scene.ts";
import {
  annotationJson,
  createShapes,
  shapesClasses,
  shapesOptions,
  shapesPrompts,
  shapesSample,
  shapesScene,
  shapesVocabulary,
  type ShapesOptions,
} from "../../stdlib/data/shapes.ts";
import { overlap } from "../../stdlib/data/shapes-geometry.ts";
import { nearestCentroidAccuracy, regionFeatures, type RegionFeature } from "../support/shapes-features.ts";

const DEFAULTS = shapesOptions({ images: 400 });
const FULL = shapesOptions({
  images: 400,
  size: 96,
  colors: 8,
  kinds: 6,
  textures: 6,
  difficulty: "hard",
  max_shapes: 5,
});

function digest(o: ShapesOptions, n: number): string {
  const h = createHash("sha256");
  for (let i = 0; i < n; i++) {
    const s = shapesSample(o, i);
    h.update(s.rgb);
    // Little-endian explicitly: Int32Array bytes follow the host's byte order.
    const pan = Buffer.alloc(s.panoptic!.length * 4);
    s.panoptic!.forEach((v, k) => pan.writeInt32LE(v, k * 4));
    h.update(pan);
    h.update(annotationJson(s));
  }
  return h.digest("hex");
}

test("determinism: raw pixels, panoptic ids and canonical annotations hash to committed values", () => {
  // Committed from this generator (shapes meta version 2). A change here changes every dataset:
  // bump shapes.meta.ts's version and update these together.
  assert.is(digest(shapesOptions({ seed: 1 }), 16), "c81307a98da8921087fd5e12d5599e68e7df7f76a9425c46f930381d86ca720d");
  assert.is(digest(shapesOptions({ seed: 2 }), 16), "cf330fb5c14f2aca66c7a62feb626504bb1a5ee0574bef80c880e55db57d175e");
  assert.is(digest({ ...FULL, seed: 7 }, 8), "f29a74ce5cd5fa11e78b68d35485395ecd1d03438ef03c81a99dc2a7dfccfaaf");
});

test("random access: a sample does not depend on which samples were generated before it", async () => {
  const ds = createShapes(shapesOptions({ images: 20, seed: 3 }));
  const late = await ds.get(17);
  for (let i = 0; i < 17; i++) await ds.get(i);
  const again = await ds.get(17);
  assert.ok(Buffer.from(late.rgb).equals(Buffer.from(again.rgb)));
  assert.is(annotationJson(late), annotationJson(again));
  assert.is(late.id, "shapes:3:17");
  await ds.get(20).then(
    () => assert.unreachable("out of range"),
    (e: Error) => assert.match(e.message, /out of range/),
  );
});

test("options: defaults from the meta, invalid combinations rejected; classes are things then stuff", () => {
  assert.equal(DEFAULTS.size, 64);
  assert.throws(() => shapesOptions({ min_shapes: 5, max_shapes: 3 }), /min_shapes 5 is larger than max_shapes 3/);
  assert.throws(() => shapesOptions({ colours: 3 }), /unknown option `colours`/);
  assert.throws(() => shapesOptions({ kinds: 7 }), /kinds/);
  const cls = shapesClasses(FULL);
  assert.equal(
    cls.map((c) => c.name),
    ["circle", "square", "triangle", "cross", "ring", "star", "stripes", "dots", "checks", "noise", "grid", "waves"],
  );
  assert.equal(
    cls.map((c) => c.index),
    [...cls.keys()],
  );
  assert.equal(
    cls.map((c) => c.isThing),
    [...Array(6).fill(true), ...Array(6).fill(false)],
  );
});

test("fingerprint: a function of the options", async () => {
  const a = await createShapes(shapesOptions({ seed: 1 })).fingerprint();
  assert.is(await createShapes(shapesOptions({ seed: 1 })).fingerprint(), a);
  assert.is.not(await createShapes(shapesOptions({ seed: 2 })).fingerprint(), a);
  assert.match(a, /^[0-9a-f]{64}$/);
});

for (const [name, o] of [
  ["defaults", DEFAULTS],
  ["6 kinds × 8 colours, hard, 96 px", FULL],
] as const) {
  test(`${name}: segments agree with the panoptic map; occlusion limits hold; every colour × kind appears`, () => {
    const combos = new Set<string>();
    const diff = DIFFICULTY[o.difficulty];
    for (let i = 0; i < 150; i++) {
      const { scene } = shapesScene(o, i);
      const S = o.size,
        ids = new Map(scene.segments.map((g) => [g.id, g]));
      assert.is(ids.size, scene.segments.length, "segment ids are unique");
      assert.ok(
        scene.things.length >= o.min_shapes && scene.things.length <= o.max_shapes,
        `image ${i}: ${scene.things.length} shapes`,
      );
      // Area and tight box of every id, recomputed from the map.
      const area = new Map<number, number>(),
        box = new Map<number, number[]>();
      for (let y = 0; y < S; y++)
        for (let x = 0; x < S; x++) {
          const id = scene.panoptic[y * S + x]!;
          assert.ok(ids.has(id), `image ${i}: pixel id ${id} has a segment (no void in this world)`);
          area.set(id, (area.get(id) ?? 0) + 1);
          const b = box.get(id) ?? [x, y, x + 1, y + 1];
          box.set(id, [Math.min(b[0]!, x), Math.min(b[1]!, y), Math.max(b[2]!, x + 1), Math.max(b[3]!, y + 1)]);
        }
      const stuffLabels = new Set<number>();
      for (const g of scene.segments) {
        assert.is(g.area, area.get(g.id), `image ${i} segment ${g.id} area`);
        assert.equal([...g.box], box.get(g.id), `image ${i} segment ${g.id} box`);
        if (g.isThing) assert.ok(g.label < o.kinds);
        else {
          assert.ok(g.label >= o.kinds && g.label < o.kinds + o.textures);
          assert.not.ok(stuffLabels.has(g.label), "one segment per stuff class");
          stuffLabels.add(g.label);
        }
      }
      assert.ok(stuffLabels.size >= 2, `image ${i}: at least two stuff regions`);
      scene.things.forEach((t, k) => {
        const g = ids.get(t.id)!;
        assert.is(g.label, t.geometry.kind);
        assert.ok(
          g.area >= (1 - diff.maxOcclusion) * t.raster.area - 1e-9,
          `image ${i} thing ${k}: occluded beyond the limit`,
        );
        // Same-coloured things never overlap.
        scene.things.forEach((u, l) => l > k && u.color === t.color && assert.is(overlap(t.raster, u.raster), 0));
        combos.add(`${t.color}:${t.geometry.kind}`);
        // Below `hard`, no shape is cut by the border: its raster never reaches the outer pixels.
        if (diff.margin >= 1)
          for (let y = 0; y < t.raster.h; y++)
            for (let x = 0; x < t.raster.w; x++) {
              const X = t.raster.x0 + x,
                Y = t.raster.y0 + y;
              if (t.raster.mask[y * t.raster.w + x])
                assert.ok(X > 0 && Y > 0 && X < S - 1 && Y < S - 1, `image ${i} thing ${k} touches the border`);
            }
      });
    }
    assert.is(combos.size, o.colors * o.kinds, "every colour appears with every kind");
  });
}

test("rasterisation: every kind covers ≈ 2.4 r² (pixel-count areas of unoccluded, uncut shapes)", () => {
  const o = shapesOptions({ size: 96, kinds: 6, difficulty: "easy" });
  const ratio = new Map<number, number[]>();
  for (let i = 0; i < 120; i++)
    for (const t of shapesScene(o, i).scene.things) {
      const g = t.geometry;
      // Uncut shapes only: easy keeps centres ≥ r from the border, but triangles and stars reach 1.36 r.
      if (g.cx - 1.4 * g.r < 0 || g.cy - 1.4 * g.r < 0 || g.cx + 1.4 * g.r > o.size || g.cy + 1.4 * g.r > o.size)
        continue;
      (ratio.get(g.kind) ?? ratio.set(g.kind, []).get(g.kind)!).push(t.raster.area / (g.r * g.r));
    }
  assert.is(ratio.size, 6);
  for (const [k, rs] of ratio) {
    const m = rs.reduce((a, b) => a + b, 0) / rs.length;
    assert.ok(Math.abs(m - 2.4) < 0.12, `kind ${k}: mean area ${m.toFixed(3)} r²`);
  }
});

test("easy: pixels of a thing carry exactly its palette colour (no jitter, no noise)", () => {
  const o = shapesOptions({ difficulty: "easy", colors: 8 });
  for (let i = 0; i < 20; i++) {
    const { scene } = shapesScene(o, i);
    for (let p = 0; p < scene.panoptic.length; p++) {
      const t = scene.things[scene.panoptic[p]! - 1];
      if (t) assert.equal([...scene.rgb.subarray(p * 3, p * 3 + 3)], [...COLORS[t.color]!.rgb]);
    }
  }
});

const features = new Map<ShapesOptions, { train: RegionFeature[]; test: RegionFeature[] }>();
const featuresOf = (o: ShapesOptions) => {
  if (!features.has(o))
    features.set(o, {
      train: regionFeatures({ ...o, seed: 101 }, 300),
      test: regionFeatures({ ...o, seed: 102 }, 300),
    });
  return features.get(o)!;
};

for (const [name, o] of [
  ["defaults", DEFAULTS],
  ["6 kinds × 8 colours × 6 textures, hard, 96 px", FULL],
] as const) {
  test(`${name}: stuff textures share the mean colour of the palette in use`, () => {
    const expected = [0, 1, 2].map((c) => COLORS.slice(0, o.colors).reduce((s, col) => s + col.rgb[c]!, 0) / o.colors);
    const { train } = featuresOf(o);
    for (let t = 0; t < o.textures; t++) {
      const rs = train.filter((r) => !r.isThing && r.label === o.kinds + t);
      assert.ok(rs.length > 50);
      const m = [0, 1, 2].map((c) => rs.reduce((s, r) => s + r.maskMean[c]!, 0) / rs.length);
      // Clutter (palette-coloured specks, mean = the same palette mean) and noise are zero-mean;
      // the standard error of these means is ≈ 0.2 levels.
      for (let c = 0; c < 3; c++)
        assert.ok(
          Math.abs(m[c]! - expected[c]!) < 1,
          `texture ${t} channel ${c}: ${m[c]!.toFixed(2)} vs ${expected[c]!.toFixed(2)}`,
        );
    }
  });

  test(`${name}: nearest-centroid on a region's mean colour stays at chance; on colour or shape it does not`, () => {
    const { train, test: held } = featuresOf(o);
    const things = (rs: RegionFeature[]) => rs.filter((r) => r.isThing);
    const stuff = (rs: RegionFeature[]) => rs.filter((r) => !r.isThing);
    // Chance = the held-out majority-class rate (what always guessing the commonest class scores).
    const chance = (rs: RegionFeature[]) => {
      const n = new Map<number, number>();
      for (const r of rs) n.set(r.label, (n.get(r.label) ?? 0) + 1);
      return Math.max(...n.values()) / rs.length;
    };
    const kind = (r: RegionFeature) => r.label;
    const tChance = chance(things(held)),
      sChance = chance(stuff(held));
    assert.ok(tChance < 1.25 / o.kinds && sChance < 1.25 / o.textures, "classes are near balance");
    const kindMask = nearestCentroidAccuracy(things(train), things(held), (r) => r.maskMean, kind);
    const kindBox = nearestCentroidAccuracy(things(train), things(held), (r) => r.boxMean, kind);
    const texture = nearestCentroidAccuracy(stuff(train), stuff(held), (r) => r.maskMean, kind);
    // Held-out sets hold ~900 (defaults) / ~1100 thing regions: a standard error of ≈ 0.015; the
    // 0.05 margin also covers nearest-centroid's finite-sample bias towards low-variance classes.
    assert.ok(
      kindMask < tChance + 0.05,
      `kind from mask mean colour: ${kindMask.toFixed(3)} vs chance ${tChance.toFixed(3)}`,
    );
    assert.ok(
      kindBox < tChance + 0.05,
      `kind from box mean colour: ${kindBox.toFixed(3)} vs chance ${tChance.toFixed(3)}`,
    );
    assert.ok(
      texture < sChance + 0.05,
      `texture from mask mean colour: ${texture.toFixed(3)} vs chance ${sChance.toFixed(3)}`,
    );
    // The same classifier and features are not blind: mean colour names the colour, and crude
    // spatial statistics name kinds and textures far above chance.
    assert.ok(
      nearestCentroidAccuracy(
        things(train),
        things(held),
        (r) => r.maskMean,
        (r) => r.color,
      ) > 0.95,
    );
    assert.ok(nearestCentroidAccuracy(things(train), things(held), (r) => [r.fill], kind) > tChance + 0.15);
    assert.ok(nearestCentroidAccuracy(stuff(train), stuff(held), (r) => r.texture, kind) > sChance + 0.2);
  });
}

test("captions: vocabulary words only, ≤ 13 words, naming shapes present with relations the geometry supports", () => {
  const o = FULL;
  const vocab = shapesVocabulary(o);
  assert.is(new Set(vocab).size, vocab.length);
  const words = new Set(vocab);
  const rel = /^an? (\w+) (\w+) (left of|right of|above|below|in front of|behind) an? (\w+) (\w+)( on (\w+))?$/;
  let relations = 0;
  for (let i = 0; i < 150; i++) {
    const { scene, captions } = shapesScene(o, i);
    assert.is(captions.length, 3);
    const named = (c: string, k: string) =>
      scene.things.flatMap((t, idx) =>
        COLORS[t.color]!.name === c && shapesClasses(o)[t.geometry.kind]!.name === k ? [idx] : [],
      );
    for (const cap of captions) {
      const ws = cap.split(" ");
      assert.ok(ws.length <= 13, cap);
      for (const w of ws) assert.ok(words.has(w), `word "${w}" of "${cap}" is in the vocabulary`);
    }
    for (const cap of captions.slice(0, 2)) {
      const m = rel.exec(cap);
      assert.ok(m, `relation caption: ${cap}`);
      const [, c1, k1, r, c2, k2, , tex] = m!;
      const a = named(c1!, k1!),
        b = named(c2!, k2!);
      assert.ok(a.length && b.length, `${cap}: both shapes are in the image`);
      const holds = a.some((i1) =>
        b.some((i2) => {
          if (i1 === i2) return false;
          const g1 = scene.things[i1]!.geometry,
            g2 = scene.things[i2]!.geometry,
            dx = g1.cx - g2.cx,
            dy = g1.cy - g2.cy;
          const ov = overlap(scene.things[i1]!.raster, scene.things[i2]!.raster) > 0;
          switch (r) {
            case "left of":
              return dx < 0 && Math.abs(dx) >= Math.abs(dy);
            case "right of":
              return dx > 0 && Math.abs(dx) >= Math.abs(dy);
            case "above":
              return dy < 0 && Math.abs(dy) > Math.abs(dx);
            case "below":
              return dy > 0 && Math.abs(dy) > Math.abs(dx);
            case "in front of":
              return ov && i1 > i2;
            default:
              return ov && i1 < i2; // behind
          }
        }),
      );
      assert.ok(holds, `${cap}: the relation holds for some pair`);
      relations++;
      if (tex) {
        const largest = scene.segments.filter((g) => !g.isThing).sort((x, y) => y.area - x.area)[0]!;
        assert.is(tex, shapesClasses(o)[largest.label]!.name, `${cap}: the largest stuff region`);
      }
    }
    // The list: the (up to four) most visible shapes, left to right.
    const top = scene.segments
      .filter((g) => g.isThing)
      .sort((x, y) => y.area - x.area || x.id - y.id)
      .slice(0, 4)
      .map((g) => g.id - 1);
    top.sort((x, y) => scene.things[x]!.geometry.cx - scene.things[y]!.geometry.cx || x - y);
    const listed = captions[2]!.replace(/\b(an?|and) /g, "").split(" ");
    assert.equal(
      listed,
      top.flatMap((k) => [
        COLORS[scene.things[k]!.color]!.name,
        shapesClasses(o)[scene.things[k]!.geometry.kind]!.name,
      ]),
      captions[2],
    );
  }
  assert.is(relations, 300);
});

test("vocabulary: function words, then colours, kinds and textures in use", () => {
  const v = shapesVocabulary(DEFAULTS);
  assert.equal(v.slice(-10), [
    "red",
    "green",
    "blue",
    "yellow",
    "circle",
    "square",
    "triangle",
    "stripes",
    "dots",
    "checks",
  ]);
  assert.not.ok(v.includes("an"), "no colour of the default four starts with a vowel");
  assert.ok(shapesVocabulary(FULL).includes("an"), "orange needs `an`");
});

test("class prompts are phrases the captions contain, in every colour, with no word outside the vocabulary", () => {
  const o = shapesOptions({ images: 60, seed: 5 });
  const [circle, , , stripes] = shapesClasses(o);
  assert.equal(shapesPrompts(o, circle!), ["a red circle", "a green circle", "a blue circle", "a yellow circle"]);
  assert.is(shapesPrompts(o, stripes!).length, 4 * 3);
  assert.ok(shapesPrompts(o, stripes!).includes("a blue triangle on stripes"));
  const vocab = new Set(shapesVocabulary(o));
  const captions = Array.from({ length: 60 }, (_, i) => shapesSample(o, i).captions)
    .flat()
    .join(" | ");
  for (const c of shapesClasses(o))
    for (const p of shapesPrompts(o, c)) {
      for (const w of p.split(" ")) assert.ok(vocab.has(w), `${w} of "${p}" is in the vocabulary`);
      if (c.isThing) assert.ok(captions.includes(p) || !captions.includes(p.split(" ").pop()!), `captions say "${p}"`);
    }
  assert.ok(captions.includes(" on stripes") || captions.includes(" on dots") || captions.includes(" on checks"));
});

test.run();
