// COCO and COCO-panoptic loaders on a tiny dataset written by the test (coco-files.ts): pixels,
// boxes, masks and ids against what the test itself painted; every bad-input case; skip_bad; fingerprints.
import { test } from "uvu";
import sharp from "sharp";
import * as assert from "uvu/assert";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCoco } from "../../stdlib/data/coco.ts";
import { openCocoPanoptic } from "../../stdlib/data/coco-panoptic.ts";
import { DataError } from "../../stdlib/data/errors.ts";
import { Loader } from "../../stdlib/data/pipeline.ts";
import {
  PAN_H,
  PAN_RECTS,
  PAN_W,
  paint,
  writeCocoFiles,
  writeJson,
  writePanopticPng,
  type CocoFiles,
} from "./coco-files.ts";

let F: CocoFiles;
const inst = (extra: Record<string, unknown> = {}) => ({
  images: "images",
  annotations: "annotations/instances.json",
  ...extra,
});
const pan = (extra: Record<string, unknown> = {}) => ({
  images: "images",
  annotations: "annotations/panoptic.json",
  masks: "annotations/panoptic",
  ...extra,
});

function throwsData(f: () => unknown, file: string, ...parts: string[]): DataError {
  try {
    f();
  } catch (e) {
    assert.instance(e, DataError, String(e));
    const d = e as DataError;
    assert.ok(d.file.endsWith(file), `error names ${d.file}, expected …${file}`);
    for (const p of parts) assert.ok(d.message.includes(p), `"${d.message}" should mention "${p}"`);
    return d;
  }
  throw new Error("expected a DataError");
}

async function rejectsData(p: Promise<unknown>, file: string, ...parts: string[]): Promise<DataError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  return throwsData(
    () => {
      if (err) throw err;
    },
    file,
    ...parts,
  );
}

test.before(async () => {
  F = await writeCocoFiles();
});
test.after(() => rmSync(F.dir, { recursive: true, force: true }));

test("instances: images by id, 80-style class index by category id, boxes x1/y1 exclusive, crowd left out", async () => {
  const ds = openCoco(inst(), F.dir);
  assert.is(ds.length, 3);
  assert.equal(
    ds.classes.map((c) => [c.index, c.id, c.name, c.isThing]),
    [
      [0, 1, "person", true],
      [1, 18, "dog", true],
    ],
  );
  const a = await ds.get(0);
  assert.equal([a.id, a.file, a.width, a.height], ["1", "a.png", 64, 48]);
  assert.ok(Buffer.from(a.rgb).equals(Buffer.from(F.pixels["a.png"])), "PNG pixels are exact");
  assert.equal(
    a.segments.map((s) => [s.label, [...s.box], s.area, s.annotationId]),
    [
      [0, [4.5, 6, 24.5, 36], 600, 101],
      [1, [30, 10, 60.5, 30], 610, 102],
    ],
  );
  assert.equal(a.captions, []);
  assert.is(a.proposals, undefined);
  const b = await ds.get(1);
  assert.equal([b.id, b.width, b.height, b.rgb.length], ["2", 40, 30, 40 * 30 * 3]);
  let worst = 0;
  for (let i = 0; i < b.rgb.length; i++) worst = Math.max(worst, Math.abs(b.rgb[i] - F.pixels["b.jpg"][i]));
  assert.ok(worst <= 12, `JPEG q95 decodes within 12 levels, worst ${worst}`);
});

test("EXIF orientation is applied: the stored 30×20 image tagged 6 comes out upright 20×30", async () => {
  const r = await openCoco(inst(), F.dir).get(2);
  assert.equal([r.width, r.height], [20, 30]);
  const px = (x: number, y: number) => Array.from(r.rgb.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
  for (const [x, y] of [
    [2, 2],
    [17, 3],
    [10, 12],
  ]) {
    const [R, , B] = px(x, y);
    assert.ok(R > 150 && B < 80, `(${x},${y}) red, got ${px(x, y)}`);
  }
  for (const [x, y] of [
    [2, 27],
    [17, 18],
  ]) {
    const [R, , B] = px(x, y);
    assert.ok(B > 150 && R < 80, `(${x},${y}) blue, got ${px(x, y)}`);
  }
  // A JSON that states the unrotated size is caught, not silently mis-boxed.
  const j = structuredClone(F.instances) as { images: { id: number; width: number; height: number }[] };
  Object.assign(j.images.find((i) => i.id === 3)!, { width: 30, height: 20 });
  writeJson(F.dir, "rot-raw.json", j);
  await rejectsData(
    openCoco(inst({ annotations: "annotations/rot-raw.json" }), F.dir).get(2),
    "rot.jpg",
    "EXIF orientation 6",
    "30×20",
    "(image 3)",
  );
});

test("captions and proposals files", async () => {
  writeJson(F.dir, "captions.json", {
    annotations: [
      { id: 7, image_id: 1, caption: "a person and a dog" },
      { id: 8, image_id: 1, caption: "two animals" },
    ],
  });
  writeJson(F.dir, "props.json", [
    { image_id: 1, bbox: [1, 2, 10, 20], score: 0.9 },
    { image_id: 2, bbox: [0, 0, 5, 5] },
  ]);
  const ds = openCoco(
    inst({ captions: "annotations/captions.json", proposals: "annotations/props.json", limit: 2 }),
    F.dir,
  );
  assert.is(ds.length, 2);
  const a = await ds.get(0);
  assert.equal(a.captions, ["a person and a dog", "two animals"]);
  assert.equal(a.proposals, [[1, 2, 11, 22]]);
  assert.equal((await ds.get(1)).proposals, [[0, 0, 5, 5]]);
  writeJson(F.dir, "props-coco.json", { images: [], annotations: [{ id: 1, image_id: 2, bbox: [2, 2, 4, 4] }] });
  assert.equal((await openCoco(inst({ proposals: "annotations/props-coco.json" }), F.dir).get(1)).proposals, [
    [2, 2, 6, 6],
  ]);
});

test("panoptic: ids from R + 256·G + 256²·B, thing boxes from bbox, stuff boxes from masks, small segments void", async () => {
  const ds = openCocoPanoptic(pan(), F.dir);
  assert.equal(
    ds.classes.map((c) => [c.index, c.id, c.isThing]),
    [
      [0, 1, true],
      [1, 187, false],
      [2, 190, false],
      [3, 201, false],
    ],
  );
  const s = await ds.get(0);
  assert.equal([s.id, s.width, s.height], ["10", PAN_W, PAN_H]);
  assert.ok(Buffer.from(s.rgb).equals(Buffer.from(F.pixels["p.png"])));
  // Independently: the painted map, areas by counting, the tiny segment 9 (3×3 box = 9 px² < 64) gone.
  const painted = paint(PAN_W, PAN_H, PAN_RECTS);
  const count = (id: number) => painted.reduce((n, v) => n + (v === id ? 1 : 0), 0);
  assert.equal(
    s.segments.map((g) => [g.id, g.label, g.isThing, [...g.box], g.area]),
    [
      [300, 1, false, [0, 0, 48, 10], count(300)],
      [70001, 3, false, [0, 30, 40, 40], count(70001)],
      [5, 0, true, [3, 11, 21, 29], count(5)],
      [6, 0, true, [24, 12, 44, 26], count(6)],
    ],
  );
  assert.is(count(6), 20 * 14 - 9);
  const expected = painted.map((v) => (v === 9 ? 0 : v));
  assert.equal(Array.from(s.panoptic!), Array.from(expected));
  // min_area 0 keeps it; the order of segments_info is kept.
  const all = await openCocoPanoptic(pan({ min_area: 0 }), F.dir).get(0);
  assert.equal(
    all.segments.map((g) => g.id),
    [300, 70001, 5, 9, 6],
  );
  assert.equal(all.segments[3].box, [30, 14, 33, 17]);
});

test("bad JSON: not JSON, not COCO, wrong field, unknown category — the file, field and annotation id are named", () => {
  writeJson(F.dir, "garbage.json", "{ not json");
  throwsData(
    () => openCoco(inst({ annotations: "annotations/garbage.json" }), F.dir),
    "garbage.json",
    "not valid JSON",
  );
  writeJson(F.dir, "other.json", { type: "FeatureCollection", features: [] });
  throwsData(
    () => openCoco(inst({ annotations: "annotations/other.json" }), F.dir),
    "other.json",
    "not a COCO instances",
    `"images"`,
  );
  throwsData(
    () => openCoco(inst({ annotations: "annotations/panoptic.json" }), F.dir),
    "panoptic.json",
    "annotations[0]",
    `"id"`,
  );
  const j = structuredClone(F.instances) as { annotations: { bbox: number[]; category_id: number; id: number }[] };
  j.annotations[1].bbox = [1, 2, 3];
  writeJson(F.dir, "short-bbox.json", j);
  const e = throwsData(
    () => openCoco(inst({ annotations: "annotations/short-bbox.json" }), F.dir),
    "short-bbox.json",
    "annotations[1].bbox",
    "annotation 102",
  );
  assert.is(e.annotationId, 102);
  const k = structuredClone(F.instances) as typeof j;
  k.annotations[3].category_id = 99;
  writeJson(F.dir, "bad-cat.json", k);
  const c = throwsData(
    () => openCoco(inst({ annotations: "annotations/bad-cat.json" }), F.dir),
    "bad-cat.json",
    "category_id 99",
    "annotation 104",
    "image 2",
  );
  assert.equal([c.annotationId, c.imageId], [104, 2]);
  const p = structuredClone(F.panoptic) as { annotations: { segments_info: { category_id: number }[] }[] };
  p.annotations[0].segments_info[2].category_id = 5;
  writeJson(F.dir, "pan-bad-cat.json", p);
  throwsData(
    () => openCocoPanoptic(pan({ annotations: "annotations/pan-bad-cat.json" }), F.dir),
    "pan-bad-cat.json",
    "category_id 5",
    "annotation 5",
    "image 10",
  );
  throwsData(() => openCoco(inst({ annotations: "annotations/none.json" }), F.dir), "none.json", "file not found");
});

test("bad images: missing file, truncated JPEG, PNG ids that disagree with the JSON", async () => {
  const j = structuredClone(F.instances) as {
    images: { id: number; file_name: string; width: number; height: number }[];
  };
  j.images.push(
    { id: 4, file_name: "gone.jpg", width: 10, height: 10 },
    { id: 5, file_name: "trunc.jpg", width: 40, height: 30 },
  );
  writeJson(F.dir, "with-bad.json", j);
  const ds = openCoco(inst({ annotations: "annotations/with-bad.json" }), F.dir);
  await rejectsData(ds.get(3), "gone.jpg", "image not found", "image 4");
  await rejectsData(ds.get(4), "trunc.jpg", "truncated", "image 5");
  assert.equal(ds.skipped, []);

  const p = structuredClone(F.panoptic) as { annotations: { segments_info: { id: number }[] }[] };
  p.annotations[0].segments_info.splice(3, 1); // drop segment 9 from the JSON; its pixels stay in the PNG
  writeJson(F.dir, "pan-missing-seg.json", p);
  await rejectsData(
    openCocoPanoptic(pan({ annotations: "annotations/pan-missing-seg.json" }), F.dir).get(0),
    "p.png",
    "segment id 9 is in the PNG",
    "annotation 9",
  );
  await writePanopticPng(
    join(F.dir, "annotations/panoptic/empty.png"),
    new Int32Array(PAN_W * PAN_H).fill(300),
    PAN_W,
    PAN_H,
  );
  const q = structuredClone(F.panoptic) as { annotations: { file_name: string; segments_info: { id: number }[] }[] };
  q.annotations[0].file_name = "empty.png";
  q.annotations[0].segments_info = q.annotations[0].segments_info.filter((s) => s.id === 300 || s.id === 5);
  writeJson(F.dir, "pan-no-pixels.json", q);
  await rejectsData(
    openCocoPanoptic(pan({ annotations: "annotations/pan-no-pixels.json" }), F.dir).get(0),
    "empty.png",
    "segment 5",
    "no pixels",
  );
  // Labels must be 8-bit RGB: a grey PNG (or a missing one) is refused, not read as ids.
  await sharp(Buffer.alloc(PAN_W * PAN_H, 1), { raw: { width: PAN_W, height: PAN_H, channels: 1 } })
    .toColourspace("b-w")
    .png()
    .toFile(join(F.dir, "annotations/panoptic/grey.png"));
  for (const [name, problem] of [
    ["grey.png", "expected an 8-bit RGB PNG"],
    ["absent.png", "panoptic PNG not found"],
  ]) {
    const g = structuredClone(F.panoptic) as { annotations: { file_name: string }[] };
    g.annotations[0].file_name = name;
    writeJson(F.dir, "pan-png.json", g);
    await rejectsData(
      openCocoPanoptic(pan({ annotations: "annotations/pan-png.json" }), F.dir).get(0),
      name,
      problem,
      "image 10",
    );
  }
});

test("skip_bad: bad images and annotations are skipped, counted and named; the loader drops them from batches", async () => {
  const j = structuredClone(F.instances) as {
    images: { id: number; file_name: string; width: number; height: number }[];
    annotations: { category_id: number }[];
  };
  j.images.push(
    { id: 4, file_name: "gone.jpg", width: 10, height: 10 },
    { id: 5, file_name: "trunc.jpg", width: 40, height: 30 },
  );
  j.annotations[3].category_id = 99; // image 2's only annotation → image 2 skipped at open
  writeJson(F.dir, "skip.json", j);
  const ds = openCoco(inst({ annotations: "annotations/skip.json", skip_bad: true }), F.dir);
  assert.is(ds.length, 4);
  assert.equal(
    ds.skipped.map((s) => s.id),
    ["2"],
  );
  assert.ok(ds.skipped[0].reason.includes("category_id 99") && ds.skipped[0].reason.includes("annotation 104"));
  const loader = new Loader(ds, { batchSize: 4, seed: 0, shuffle: false, epochs: 2, build: (s) => s.map((x) => x.id) });
  const batches = [];
  for await (const b of loader) batches.push(b);
  assert.equal(
    batches.map((b) => [b.batch, b.dropped]),
    [
      [["1", "3"], 2],
      [["1", "3"], 2],
    ],
  );
  assert.equal(
    ds.skipped.map((s) => s.id),
    ["2", "4", "5"],
  ); // each once, though read in two epochs
  // libvips keeps one error buffer for concurrent decodes, so the words after "cannot decode" can vary; the file name cannot.
  assert.ok(
    ds.skipped[1].reason.includes("gone.jpg") &&
      /trunc\.jpg.*cannot decode|cannot decode.*trunc\.jpg/.test(ds.skipped[2].reason),
    JSON.stringify(ds.skipped),
  );
  // Without skip_bad the same loader fails, naming the file.
  const strict = new Loader(openCoco(inst({ annotations: "annotations/with-bad.json" }), F.dir), {
    batchSize: 5,
    seed: 0,
    shuffle: false,
    build: (s) => s,
  });
  await rejectsData(strict.next(), "gone.jpg", "not found");
});

test("fingerprint: stable, path-independent, sees JSON edits and image sizes; deep sees same-size byte changes", async () => {
  const fp = (dir: string, deep?: boolean) => openCoco(inst(), dir).fingerprint({ deep });
  const base = await fp(F.dir),
    deep = await fp(F.dir, true);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.is(await fp(F.dir), base);
  assert.is.not(deep, base);
  const moved = mkdtempSync(join(tmpdir(), "scdx-coco-moved-"));
  try {
    cpSync(F.dir, moved, { recursive: true });
    assert.is(await fp(moved), base, "moving the dataset keeps its fingerprint");
    assert.is(await fp(moved, true), deep);
    // Same size, different bytes: only the deep fingerprint changes.
    const png = join(moved, "images/a.png"),
      bytes = await import("node:fs").then((fs) => fs.readFileSync(png));
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(png, bytes);
    assert.is(await fp(moved), base);
    assert.is.not(await fp(moved, true), deep);
    writeFileSync(png, Buffer.concat([bytes, Buffer.from([0])]));
    assert.is.not(await fp(moved), base, "a different size changes the shallow fingerprint");
    const j = structuredClone(F.instances) as { annotations: { bbox: number[] }[] };
    j.annotations[0].bbox[0] = 5;
    writeFileSync(join(moved, "annotations/instances.json"), JSON.stringify(j));
    const edited = await openCoco(inst(), moved).fingerprint();
    assert.is.not(edited, await openCoco(inst(), F.dir).fingerprint());
  } finally {
    rmSync(moved, { recursive: true, force: true });
  }
  const p1 = await openCocoPanoptic(pan(), F.dir).fingerprint();
  assert.is.not(p1, base);
  assert.is(
    await openCocoPanoptic(pan({ min_area: 0 }), F.dir).fingerprint(),
    p1,
    "options are in the IR key, not the data fingerprint",
  );
});

test.run();
