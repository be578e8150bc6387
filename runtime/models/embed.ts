// What `scdx embed` computes: a checkpoint's L2-normalised embeddings of images (decoded with sharp,
// preprocessed as the checkpoint says), texts (its own tokenizer) and raw token ids. Loaded lazily by
// the CLI, so commands that only check studies never start tfjs.
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import type { RgbImage } from "../../stdlib/data/letterbox.ts";
import {
  defaultPreprocess,
  modelInput,
  preprocessFromHf,
  preprocessFromOpenClip,
  PreprocessError,
  type Preprocess,
} from "../../stdlib/data/preprocess.ts";
import { SafetensorsError } from "../../stdlib/io/safetensors.ts";
import { ConfigError, type ClipArch } from "../../stdlib/models/clip-arch.ts";
import { encodeImage, encodeText } from "../../stdlib/models/clip.ts";
import { CheckpointError, loadClip } from "../../stdlib/models/load-clip.ts";
import { BackendError, initBackend, type BackendName } from "../../stdlib/tensor/backend.ts";
import type { Params } from "../../stdlib/tensor/nn.ts";
import { loadTokenizer } from "../../stdlib/text/load-tokenizer.ts";
import { TokenizerError, type Tokenizer } from "../../stdlib/text/tokenizer.ts";

export interface EmbedRequest {
  readonly model: string;
  readonly images?: readonly string[];
  readonly texts?: readonly string[];
  readonly tokens?: readonly (readonly number[])[];
  readonly backend?: BackendName;
}

export interface EmbedRow {
  readonly kind: "image" | "text" | "tokens";
  /** The file, the text, or the ids as given. */
  readonly input: string;
  /** The token ids fed to the text tower (text and tokens) and where it pooled. */
  readonly ids?: number[];
  readonly pooledAt?: number;
  /** The model input's size (images). */
  readonly size?: [number, number];
  /** L2 norm before normalisation. */
  readonly norm: number;
  readonly embedding: number[];
}

export interface EmbedResult {
  readonly model: string;
  readonly layout: "hf" | "openai";
  readonly backend: string;
  readonly imageSize: number;
  readonly embedDim: number;
  /** Tensors in the file that are not parameters (buffers such as position_ids), skipped. */
  readonly ignored: readonly string[];
  /** Where image preprocessing came from. */
  readonly preprocessing: string;
  readonly rows: EmbedRow[];
}

/** A problem with the user's model or inputs: printed as one line, exit code 1. */
export class EmbedError extends Error {}

const USER_ERRORS = [
  EmbedError,
  CheckpointError,
  TokenizerError,
  PreprocessError,
  BackendError,
  SafetensorsError,
  ConfigError,
];

/** The message to print for an expected failure, or undefined for a bug. */
export function userMessage(e: unknown): string | undefined {
  return USER_ERRORS.some((C) => e instanceof C) ? (e as Error).message : undefined;
}

function modelDir(path: string): string {
  return existsSync(path) && !statSync(path).isDirectory() ? dirname(path) : path;
}

/** The checkpoint's own preprocessing: HF preprocessor_config.json, open_clip's preprocess_cfg, else OpenAI's. */
export function checkpointPreprocess(dir: string, imageSize: number): { pre: Preprocess; source: string } {
  const hf = join(dir, "preprocessor_config.json"),
    oc = join(dir, "open_clip_config.json");
  const json = (f: string) => {
    try {
      return JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new PreprocessError(f, `is not valid JSON: ${(e as Error).message}`);
    }
  };
  if (existsSync(hf)) return { pre: preprocessFromHf(json(hf), imageSize, hf), source: hf };
  if (existsSync(oc)) {
    const cfg = json(oc)["preprocess_cfg"];
    if (cfg && typeof cfg === "object")
      return {
        pre: preprocessFromOpenClip(cfg as Record<string, unknown>, imageSize, oc),
        source: `${oc} (preprocess_cfg)`,
      };
  }
  return {
    pre: defaultPreprocess(imageSize),
    source: "OpenAI CLIP default (resize shortest side, centre crop, CLIP mean/std)",
  };
}

async function decode(file: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(file)
      .rotate()
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      height: info.height,
      width: info.width,
      channels: 3,
    };
  } catch (e) {
    throw new EmbedError(`${file}: cannot read the image: ${(e as Error).message}`);
  }
}

function normalised(v: Float32Array | Int32Array | Uint8Array): { norm: number; embedding: number[] } {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.sqrt(s);
  return { norm, embedding: Array.from(v, (x) => (norm > 0 ? x / norm : 0)) };
}

function embedImage(params: Params, arch: ClipArch, img: RgbImage, pre: Preprocess, file: string): EmbedRow {
  const x = modelInput(img, pre, arch.vision.imageSize),
    P = arch.vision.patch;
  if (x.height % P !== 0 || x.width % P !== 0)
    throw new EmbedError(
      `${file}: preprocessing gives a ${x.height}×${x.width} input, which does not tile into ${P}-px patches`,
    );
  const out = tf.tidy(() => encodeImage(params, arch, tf.tensor4d(x.data, [1, x.height, x.width, 3])));
  const v = out.dataSync() as Float32Array;
  out.dispose();
  return { kind: "image", input: file, size: [x.height, x.width], ...normalised(v) };
}

/** Rows of ids → embeddings, pooling at each row's first end-of-text (else its last real token). */
function embedIds(
  params: Params,
  arch: ClipArch,
  rows: readonly (readonly number[])[],
  inputs: readonly string[],
  kind: "text" | "tokens",
): EmbedRow[] {
  const text = arch.text!,
    L = Math.max(...rows.map((r) => r.length)),
    B = rows.length;
  const ids = new Int32Array(B * L),
    pooled: number[] = [];
  rows.forEach((r, b) => {
    ids.set(r, b * L);
    const e = r.indexOf(text.eotId);
    pooled.push(e >= 0 ? e : r.length - 1);
  });
  const out = tf.tidy(() => encodeText(params, arch, tf.tensor2d(ids, [B, L], "int32"), pooled));
  const v = out.dataSync() as Float32Array,
    E = arch.embedDim;
  out.dispose();
  return rows.map((r, b) => ({
    kind,
    input: inputs[b]!,
    ids: [...r],
    pooledAt: pooled[b],
    ...normalised(v.subarray(b * E, (b + 1) * E)),
  }));
}

export async function embed(req: EmbedRequest): Promise<EmbedResult> {
  const info = await initBackend(req.backend);
  const model = loadClip(req.model);
  const { arch, params } = model,
    dir = modelDir(req.model);
  try {
    const rows: EmbedRow[] = [];
    const { pre, source } = checkpointPreprocess(dir, arch.vision.imageSize);
    for (const file of req.images ?? []) rows.push(embedImage(params, arch, await decode(file), pre, file));
    const texts = req.texts ?? [],
      tokens = req.tokens ?? [];
    if ((texts.length || tokens.length) && !arch.text)
      throw new EmbedError(`${model.source}: this checkpoint has no text tower`);
    const text = arch.text!;
    if (texts.length) {
      let tok: Tokenizer;
      try {
        tok = loadTokenizer(dir, { vocabSize: text.vocabSize });
      } catch (e) {
        if (e instanceof TokenizerError) throw new EmbedError(`${e.message}; give token ids with --tokens instead`);
        throw e;
      }
      if (tok.vocabSize > text.vocabSize || tok.eotId !== text.eotId)
        throw new EmbedError(
          `${dir}: the tokenizer (vocabulary ${tok.vocabSize}, end-of-text ${tok.eotId}) does not fit the text tower (vocabulary ${text.vocabSize}, end-of-text ${text.eotId})`,
        );
      const enc = tok.encode(texts, text.contextLength),
        L = text.contextLength;
      rows.push(
        ...embedIds(
          params,
          arch,
          texts.map((_, b) => [...enc.ids.subarray(b * L, (b + 1) * L)]),
          texts,
          "text",
        ),
      );
    }
    if (tokens.length) {
      tokens.forEach((r, i) => {
        if (r.length > text.contextLength)
          throw new EmbedError(
            `--tokens #${i + 1}: ${r.length} ids, but the text tower's context is ${text.contextLength}`,
          );
        const bad = r.find((id) => id < 0 || id >= text.vocabSize);
        if (bad !== undefined)
          throw new EmbedError(`--tokens #${i + 1}: id ${bad} is outside the vocabulary (0…${text.vocabSize - 1})`);
      });
      rows.push(
        ...embedIds(
          params,
          arch,
          tokens,
          tokens.map((r) => r.join(",")),
          "tokens",
        ),
      );
    }
    return {
      model: model.source,
      layout: model.layout,
      backend: info.name,
      imageSize: arch.vision.imageSize,
      embedDim: arch.embedDim,
      ignored: model.ignored,
      preprocessing: source,
      rows,
    };
  } finally {
    tf.dispose(Object.values(params));
  }
}
