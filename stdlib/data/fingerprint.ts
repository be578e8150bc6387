// Dataset fingerprints for cache keys: sha256 over the annotation files' content hashes and the image
// list (names as the dataset spells them, relative to their folder, with byte sizes). Paths are not
// in it, so moving a dataset keeps its cache; editing one JSON field or replacing an image by one of
// another size changes it. `deep` also hashes every image's bytes (slow on 118k files, exact).
// Content hashes are memoised in-process by (path, size, mtime); the runtime may persist them.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

export interface FingerprintInput {
  /** Kind and version of the reader, e.g. "coco_panoptic/1": the same files read differently differ. */
  readonly kind: string;
  /** JSON files whose content matters (annotations, captions, proposals). */
  readonly files: readonly string[];
  /** Every image (and mask) the dataset reads, in dataset order: name as listed, absolute path. */
  readonly images: readonly { readonly name: string; readonly path: string }[];
  readonly deep?: boolean;
}

const memo = new Map<string, string>();

/** sha256 of a file's bytes, streamed (instances_train2017.json is 448 MB). */
export async function hashFile(path: string): Promise<string> {
  const st = await stat(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const h = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on("data", (b) => h.update(b))
      .on("end", resolve)
      .on("error", reject);
  });
  const digest = h.digest("hex");
  memo.set(key, digest);
  return digest;
}

/** Runs f over items with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function fingerprintDataset(input: FingerprintInput): Promise<string> {
  const h = createHash("sha256");
  h.update(`scdx-data/1\n${input.kind}\n${input.deep ? "deep" : "shallow"}\n`);
  for (const f of input.files) h.update(`file ${await hashFile(f)}\n`);
  // A missing image is part of the fingerprint ("missing"), not an error here: reading it reports it.
  const lines = await mapLimit(input.images, 64, async ({ name, path }) => {
    try {
      const st = await stat(path);
      return `${JSON.stringify(name)} ${st.size}${input.deep ? ` ${await hashFile(path)}` : ""}\n`;
    } catch {
      return `${JSON.stringify(name)} missing\n`;
    }
  });
  for (const l of lines) h.update(l);
  return h.digest("hex");
}
