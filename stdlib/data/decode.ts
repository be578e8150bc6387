// Image decoding with sharp (libvips; its binaries ship in the npm package). The file is read and
// decoded on libuv's threadpool, so several decodes overlap each other and the main thread.
//  - EXIF orientation is applied (autoOrient), so `width`/`height` are those of the upright image.
//  - Embedded ICC profiles are ignored: pixels as stored, as PIL (the reference pipeline) reads them.
//  - failOn "warning": a truncated or corrupt JPEG is an error, never a half-grey image.
import { access, constants } from "node:fs/promises";
import sharp, { type Metadata, type OutputInfo } from "sharp";
import { DataError } from "./errors.ts";

export interface DecodedImage {
  /** height × width × 3, RGB. */
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** EXIF orientation of the file (1 = none), read on demand: only error messages need it. */
  readonly orientation: () => Promise<number>;
}

// sharp reads the file itself on the threadpool: one hop through the main thread per image, so decodes
// finish even while the main thread is busy with a training step and only need one turn to deliver.
// Only on failure do we look closer (is the file there at all?), to say what is wrong.
async function failure(file: string, what: string, e: unknown, imageId?: number | string): Promise<DataError> {
  try {
    await access(file, constants.R_OK);
  } catch (a) {
    const code = (a as NodeJS.ErrnoException).code;
    return new DataError(
      file,
      code === "ENOENT" ? `${what} not found` : `cannot read ${what}: ${(a as Error).message}`,
      { imageId },
    );
  }
  const msg = (e as Error).message.replace(/\s+/g, " ").trim();
  return new DataError(
    file,
    `cannot decode ${what} (${/premature end|truncated/i.test(msg) ? "truncated file" : "corrupt or unsupported"}: ${msg})`,
    { imageId },
  );
}

/** An RGB image, EXIF orientation applied; greyscale and CMYK become RGB, alpha is dropped. */
export async function decodeImage(file: string, imageId?: number | string): Promise<DecodedImage> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(file, { failOn: "warning", ignoreIcc: true })
      .autoOrient()
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw await failure(file, "image", e, imageId);
  }
  const { data, info } = out;
  if (info.channels !== 3 || data.length !== info.width * info.height * 3)
    throw new DataError(file, `decoded to ${info.channels} channels of ${data.length} bytes, expected RGB`, {
      imageId,
    });
  return {
    // A copy we own: sharp's Buffer may sit in a shared pool, and batches move pixels to workers by transfer.
    rgb: new Uint8Array(data),
    width: info.width,
    height: info.height,
    orientation: () =>
      sharp(file)
        .metadata()
        .then((m) => m.orientation ?? 1),
  };
}

/**
 * A COCO panoptic PNG as segment ids, id = R + 256·G + 256²·B. No orientation or colour handling:
 * the bytes are labels, not colours; anything but 8-bit RGB(A) is refused.
 */
export async function decodeSegmentIds(
  file: string,
  imageId?: number | string,
): Promise<{ ids: Int32Array; width: number; height: number }> {
  let out: { data: Buffer; info: OutputInfo }, meta: Metadata;
  try {
    const img = sharp(file, { failOn: "warning", ignoreIcc: true });
    [out, meta] = await Promise.all([
      img.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true }),
      img.metadata(),
    ]);
  } catch (e) {
    throw await failure(file, "panoptic PNG", e, imageId);
  }
  // The bytes are labels: a JPEG (lossy), a grey or a 16-bit PNG would give wrong ids. (A palette PNG
  // expands to its colours, which are the ids, so it is fine.)
  if (
    meta.format !== "png" ||
    meta.depth !== "uchar" ||
    (meta.channels !== 3 && meta.channels !== 4) ||
    meta.space !== "srgb"
  )
    throw new DataError(
      file,
      `is a ${meta.format} (${meta.depth}, ${meta.space}, ${meta.channels} channels); expected an 8-bit RGB PNG`,
      { imageId },
    );
  const { data, info } = out,
    { width, height } = info;
  const n = width * height,
    ids = new Int32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) ids[i] = data[j] + 256 * data[j + 1] + 65536 * data[j + 2];
  return { ids, width, height };
}
