// The spatial probe's pictures: for its first N images, the raw material of the report's
// dense-feature panel, kept in the bench's cache entry under pictures/. Small raw arrays, not
// rendered pictures: the report fits one PCA basis on a reference model's features and applies it to
// every model, which no single bench could do. Layout (little-endian, row-major, G×G token grid):
//   meta.json       { images, grid, dim, classes: [{ name, thing }], ids }
//   image-<i>.png   the image as the dataset gave it
//   features.f32    [N,G,G,E] dense features (L2-normalised, as the probe clusters them)
//   labels.i32      [N,G,G] ground-truth class per token (255: void)
//   clusters.i32    [N,G,G] the probe's segmentation as a class per token: under `segments: classes`
//                   the class its cluster was matched to; under `segments: instances` the class of
//                   the panoptic segment its cluster was matched to (two things of one class are one
//                   class here). 255: not clustered (padding), or a cluster matched to no segment;
//                   −1: a cluster matched to no class (k above the classes present)
//   inside.u8       [N,G,G] 1 where the token covers image pixels, 0 over letterbox padding
// Which protocol made clusters.i32 is not recorded here: it is the bench's `segments:` option, which
// the report reads from the run's program.json (runtime/report/report-data.ts).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import * as path from "node:path";

export interface PictureMeta {
  readonly images: number;
  readonly grid: number;
  readonly dim: number;
  readonly classes: readonly { readonly name: string; readonly thing: boolean }[];
  readonly ids: readonly string[];
}

export interface ProbePictures {
  readonly meta: PictureMeta;
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly clusters: Int32Array;
  readonly inside: Uint8Array;
  /** PNG bytes of each image. */
  readonly images: readonly Buffer[];
}

const bytes = (a: Float32Array | Int32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function writeProbePictures(dir: string, p: ProbePictures): void {
  const out = path.join(dir, "pictures");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "meta.json"), JSON.stringify(p.meta, null, 1) + "\n");
  writeFileSync(path.join(out, "features.f32"), bytes(p.features));
  writeFileSync(path.join(out, "labels.i32"), bytes(p.labels));
  writeFileSync(path.join(out, "clusters.i32"), bytes(p.clusters));
  writeFileSync(path.join(out, "inside.u8"), bytes(p.inside));
  for (const [i, png] of p.images.entries()) writeFileSync(path.join(out, `image-${i}.png`), png);
}

/** The pictures of a probe entry, or undefined when it kept none (pictures: 0, or an older entry). */
export function readProbePictures(entry: string): ProbePictures | undefined {
  const dir = path.join(entry, "pictures");
  if (!existsSync(path.join(dir, "meta.json"))) return undefined;
  const meta = JSON.parse(readFileSync(path.join(dir, "meta.json"), "utf8")) as PictureMeta;
  const view = <T>(f: string, C: new (b: ArrayBuffer, o: number, n: number) => T, size: number): T => {
    const b = readFileSync(path.join(dir, f));
    const copy = new Uint8Array(b).buffer; // aligned for the typed view
    return new C(copy, 0, b.byteLength / size);
  };
  return {
    meta,
    features: view("features.f32", Float32Array, 4),
    labels: view("labels.i32", Int32Array, 4),
    clusters: view("clusters.i32", Int32Array, 4),
    inside: view("inside.u8", Uint8Array, 1),
    images: Array.from({ length: meta.images }, (_, i) => readFileSync(path.join(dir, `image-${i}.png`))),
  };
}
