// How a train stage's model lies on disk (in its cache entry, and what `scdx export` reads): the
// CLIP as a Hugging Face checkpoint directory (config.json + model.safetensors, so the entry itself
// loads in transformers and in `scdx embed`), the tokenizer's files beside it, and — for a
// CLIP∘Refiner — refiner.safetensors with the Refiner's blocks plus model.json saying how to put
// the two together.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadClip, saveClip } from "../../stdlib/models/load-clip.ts";
import { REFINER_PREFIX, refinerArch, refinerShapes } from "../../stdlib/models/refiner.ts";
import { readSafetensors, writeSafetensors } from "../../stdlib/io/safetensors.ts";
import { loadTokenizer, saveWordVocabulary, TOKENIZER_FILES } from "../../stdlib/text/load-tokenizer.ts";
import type { Tokenizer } from "../../stdlib/text/tokenizer.ts";
import { WordTokenizer } from "../../stdlib/text/word-tokenizer.ts";
import type { StageModel } from "../../stdlib/train/model.ts";

export const MODEL_JSON = "model.json";
export const REFINER_FILE = "refiner.safetensors";

/** A model together with the tokenizer its text tower was trained with. */
export interface LoadedModel {
  readonly model: StageModel;
  readonly tokenizer: Tokenizer | null;
  /** Files of the tokenizer (copied into every entry derived from this model). */
  readonly tokenizerFiles: readonly string[];
}

interface ModelJson {
  readonly format: 1;
  readonly family: "clip" | "refiner";
  readonly refiner?: { readonly depth: number; readonly heads: number; readonly mlp_ratio: number };
}

/** Writes `params` of `m` into `dir` (which must exist). Parameters are read back to host memory here. */
export function saveStageModel(
  dir: string,
  m: StageModel,
  params: Readonly<Record<string, tf.Tensor>>,
  tok: { tokenizer: Tokenizer | null; files: readonly string[] },
  metadata: Record<string, string> = {},
): void {
  saveClip(dir, m.arch, params, "hf", metadata);
  const json: ModelJson = { format: 1, family: m.family };
  if (m.refiner) {
    const r = m.refiner;
    const shapes = refinerShapes(r);
    const tensors = Object.fromEntries(
      Object.keys(shapes).map((k) => [
        k,
        { dtype: "F32" as const, shape: shapes[k]!, data: Float32Array.from(params[k]!.dataSync() as Float32Array) },
      ]),
    );
    writeSafetensors(join(dir, REFINER_FILE), tensors, { format: "pt", ...metadata });
    (json as { refiner?: ModelJson["refiner"] }).refiner = {
      depth: r.depth,
      heads: r.tower.heads,
      mlp_ratio: r.tower.mlp / r.tower.width,
    };
  }
  writeFileSync(join(dir, MODEL_JSON), JSON.stringify(json, null, 2) + "\n");
  saveTokenizer(dir, tok);
}

/** Puts the tokenizer next to the weights, where loadTokenizer finds it. */
export function saveTokenizer(dir: string, tok: { tokenizer: Tokenizer | null; files: readonly string[] }): void {
  if (tok.files.length > 0) for (const f of tok.files) copyFileSync(f, join(dir, f.split(/[\\/]/).pop()!));
  else if (tok.tokenizer instanceof WordTokenizer) saveWordVocabulary(dir, tok.tokenizer.words);
}

/** Reads a model written by saveStageModel (or any HF/OpenAI CLIP directory without model.json). */
export function loadStageModel(dir: string): LoadedModel {
  const clip = loadClip(dir);
  const jsonPath = join(dir, MODEL_JSON);
  const json: ModelJson = existsSync(jsonPath)
    ? JSON.parse(readFileSync(jsonPath, "utf8"))
    : { format: 1, family: "clip" };
  let model: StageModel = { family: "clip", arch: clip.arch, params: clip.params };
  if (json.family === "refiner") {
    const r = refinerArch(clip.arch, json.refiner!);
    const file = readSafetensors(join(dir, REFINER_FILE));
    const params: Record<string, tf.Tensor> = { ...clip.params };
    for (const [k, shape] of Object.entries(refinerShapes(r))) {
      const t = file.tensors.get(k);
      if (!t || !k.startsWith(REFINER_PREFIX)) throw new Error(`${join(dir, REFINER_FILE)}: '${k}' is missing`);
      params[k] = tf.tensor(t.data as Float32Array, shape, "float32");
    }
    model = { family: "refiner", arch: clip.arch, refiner: r, params };
  }
  return { model, ...tokenizerIn(dir, clip.arch.text?.vocabSize) };
}

export function tokenizerIn(
  dir: string,
  vocabSize: number | undefined,
): { tokenizer: Tokenizer | null; tokenizerFiles: string[] } {
  const files = TOKENIZER_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (vocabSize === undefined) return { tokenizer: null, tokenizerFiles: [] };
  try {
    return { tokenizer: loadTokenizer(dir, { vocabSize }), tokenizerFiles: files };
  } catch {
    // a checkpoint without tokenizer files: benches say so when they need one
    return { tokenizer: null, tokenizerFiles: [] };
  }
}
