// `scdx data`: counts against the dataset read directly, preview PNGs read back with sharp (size,
// and the left panel is the image itself, pixel for pixel), datasets no stage uses, --set, a tiny
// COCO-panoptic set on disk, and clean errors.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scdx } from "../../support/cli.ts";
import { createShapes, shapesOptions } from "../../../stdlib/data/shapes.ts";
import { repoRoot } from "../../support/golden.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-data-"));
const write = (name: string, text: string) => (fs.writeFileSync(path.join(tmp, name), text), path.join(tmp, name));

test("--help answers and lists the options", async () => {
  const r = await scdx("data", "--help");
  assert.is(r.code, 0);
  for (const flag of ["--stats", "--preview DIR", "--count N", "--set name=value"])
    assert.ok(r.out.includes(flag), flag);
  assert.match((await scdx("--help")).out, /\n  data\s+show what a dataset/);
});

test("--stats: counts per class, boxes and captions equal those of the dataset read directly", async () => {
  const r = await scdx("data", "examples/shapes/ci.scd", "val", "--stats");
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /data val = shapes\(images: 32, size: 64, seed: 2/);
  assert.match(r.out, /32 images, 64×64 px/);
  const ds = createShapes(shapesOptions({ images: 32, size: 64, seed: 2 }));
  const segs = new Map<number, number>();
  let things = 0,
    stuff = 0,
    captions = 0;
  for (let i = 0; i < ds.length; i++) {
    const s = await ds.get(i);
    for (const g of s.segments) segs.set(g.label, (segs.get(g.label) ?? 0) + 1), g.isThing ? things++ : stuff++;
    captions += s.captions.length;
  }
  for (const c of ds.classes)
    assert.match(
      r.out,
      new RegExp(`\\n  ${c.name}\\s+${c.isThing ? "thing" : "stuff"}\\s+${segs.get(c.index) ?? 0}\\s`),
      c.name,
    );
  assert.ok(r.out.includes(`boxes: ${things} thing boxes`), r.out);
  assert.ok(r.out.includes(`${stuff} stuff segments`));
  assert.ok(r.out.includes(`captions: ${captions} (3.00 per image)`));
});

test("--preview: PNGs of the first N images; the left panel is the image, the right one is annotated", async () => {
  const dir = path.join(tmp, "preview");
  const r = await scdx("data", "examples/shapes/ci.scd", "train", "--preview", dir, "--count", "3");
  assert.is(r.code, 0, r.err);
  assert.equal(fs.readdirSync(dir).sort(), ["0000.png", "0001.png", "0002.png"]);
  const ds = createShapes(shapesOptions({ images: 256, size: 64, seed: 1 }));
  for (let i = 0; i < 3; i++) {
    const { data, info } = await sharp(path.join(dir, `000${i}.png`))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const meta = await sharp(path.join(dir, `000${i}.png`)).metadata();
    assert.is(meta.format, "png");
    // 64 px magnified 5× (the largest integer that keeps a panel within 320 px), two panels, 8 px gaps.
    assert.is(info.width, 2 * 320 + 3 * 8);
    assert.ok(info.height > 320 + 2 * 8 + 3 * 10, "room for the captions under the panels");
    assert.is(info.channels, 3);
    const s = await ds.get(i);
    let same = 0,
      differs = 0;
    for (let y = 0; y < 320; y++)
      for (let x = 0; x < 320; x++)
        for (let c = 0; c < 3; c++) {
          const src = s.rgb[(Math.floor(y / 5) * 64 + Math.floor(x / 5)) * 3 + c]!;
          if (data[((8 + y) * info.width + 8 + x) * 3 + c] === src) same++;
          if (data[((8 + y) * info.width + 16 + 320 + x) * 3 + c] !== src) differs++;
        }
    assert.is(same, 320 * 320 * 3, "left panel = the sample, magnified");
    assert.ok(differs > 0.5 * 320 * 320 * 3, "right panel carries the mask overlay");
    // Caption text: light pixels below the panels.
    let ink = 0;
    for (let y = 336; y < info.height; y++)
      for (let x = 0; x < info.width; x++) if (data[(y * info.width + x) * 3]! > 200) ink++;
    assert.ok(ink > 500, `caption text drawn (${ink} light pixels)`);
  }
});

test("a dataset that no stage uses, sized by a param set on the command line", async () => {
  const f = write(
    "lonely.scd",
    "experiment lonely\nparam n = 10 in [1, 100]\ndata d = shapes(images: n, size: 32, kinds: 4)\n",
  );
  const r = await scdx("data", f, "d", "--set", "n=7", "--stats");
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /7 images, 32×32 px/);
  assert.match(r.out, /things: circle, square, triangle, cross; stuff: stripes, dots, checks/);
});

test("a tiny COCO-panoptic set on disk: counts and a preview", async () => {
  const w = 40,
    h = 30,
    dir = path.join(tmp, "coco");
  fs.mkdirSync(path.join(dir, "img"), { recursive: true });
  fs.mkdirSync(path.join(dir, "pan"), { recursive: true });
  const rgb = Buffer.alloc(w * h * 3, 90),
    ids = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const thing = x >= 5 && x < 20 && y >= 5 && y < 25,
        p = (y * w + x) * 3;
      ids[p] = thing ? 7 : 3; // segment ids 7 (thing) and 3 (stuff) in the R channel
      if (thing) rgb[p] = 220;
    }
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(path.join(dir, "img", "a.png"));
  await sharp(ids, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(path.join(dir, "pan", "a.png"));
  fs.writeFileSync(
    path.join(dir, "pan.json"),
    JSON.stringify({
      images: [{ id: 1, file_name: "a.png", width: w, height: h }],
      annotations: [
        {
          image_id: 1,
          file_name: "a.png",
          segments_info: [
            { id: 7, category_id: 1, bbox: [5, 5, 15, 20] },
            { id: 3, category_id: 2, bbox: [0, 0, 40, 30] },
          ],
        },
      ],
      categories: [
        { id: 1, name: "person", isthing: 1 },
        { id: 2, name: "grass", isthing: 0 },
      ],
    }),
  );
  const f = write(
    path.join("coco", "c.scd"),
    'experiment c\ndata v = coco_panoptic(images: "img", annotations: "pan.json", masks: "pan")\n',
  );
  const out = path.join(tmp, "coco-preview");
  const r = await scdx("data", f, "v", "--stats", "--preview", out);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /1 image, 40×30 px\n2 classes: 1 thing, 1 stuff/);
  assert.match(r.out, /\n  person\s+thing\s+1\s+1\s+300\.0\n/);
  assert.match(r.out, /\n  grass\s+stuff\s+1\s+1\s+900\.0\n/);
  const meta = await sharp(path.join(out, "0000.png")).metadata();
  assert.is(meta.width, 2 * 40 * 8 + 24); // 40 px magnified 8×
});

test("errors: clean messages and exit codes, never a stack trace", async () => {
  const cases: [string[], number, RegExp][] = [
    [["data", "examples/shapes/ci.scd"], 2, /give a \.scd file and the name/],
    [["data", "examples/shapes/ci.scd", "trian"], 2, /`trian` is not a data declaration of .*; its data: train, val/],
    [["data", "examples/shapes/ci.scd", "base"], 2, /`base` is not a data declaration/],
    [["data", "no/such.scd", "x"], 2, /cannot read/],
    [["data", "examples/shapes/ci.scd", "val", "--count", "2.5"], 2, /--count must be a whole number/],
    [["data", "examples/shapes/ci.scd", "val", "--trial", "9"], 2, /--trial 9: the study has 2 trials/],
    [["data", "test/fixtures/check/three-mistakes.scd", "train"], 1, /error\[SCD2001\]/],
    [
      ["data", write("missing.scd", 'experiment m\ndata c = coco(images: "img", annotations: "none.json")\n'), "c"],
      1,
      /none\.json/,
    ],
  ];
  for (const [argv, code, message] of cases) {
    const r = await scdx(...argv);
    assert.is(r.code, code, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, message);
    assert.not.match(r.err, /at .*\.ts:\d+/, "no stack trace");
  }
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
