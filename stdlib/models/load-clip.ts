// Loading and saving CLIP checkpoints: Hugging Face (config.json + model.safetensors, possibly
// sharded) and OpenAI/open_clip (one .safetensors state dict, architecture read off the shapes).
// Whatever the layout, the result is keyed by Hugging Face CLIPModel keys, as clip.ts expects.
// Every expected tensor is checked against clipShapes before any of it is used, so a wrong file
// fails here with the key and both shapes, not deep inside a matMul. Pickles are never loaded.
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import {
  readSafetensors,
  writeSafetensors,
  SafetensorsError,
  type RawTensor,
  type Safetensors,
} from "../io/safetensors.ts";
import { CLIP_MEAN, CLIP_STD } from "../data/resize.ts";
import { archFromHfConfig, ConfigError, hfConfig, type ClipArch } from "./clip-arch.ts";
import { clipShapes } from "./clip-params.ts";
import {
  archFromOpenai,
  ArchInferenceError,
  openaiShape,
  openaiSources,
  openClipConfig,
  parseScdxSection,
  takeFrom,
  toOpenai,
  type OpenClipConfig,
} from "./clip-openai.ts";

export type ClipLayout = "hf" | "openai";

export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | null,
    readonly problem: string,
  ) {
    super(`${file}: ${key !== null ? `tensor '${key}' ` : ""}${problem}`);
    this.name = "CheckpointError";
  }
}

export interface LoadedClip {
  readonly arch: ClipArch;
  /** HF CLIPModel keys → float32 tensors (F16/BF16 files upcast). The caller owns and disposes them. */
  readonly params: Record<string, tf.Tensor>;
  readonly layout: ClipLayout;
  /** The weight file(s) read. */
  readonly source: string;
  /** Tensors in the file that are not parameters (e.g. HF's position_ids buffers), skipped. */
  readonly ignored: readonly string[];
}

/** The one-line conversion we point pickle users to (handles state dicts, {"state_dict": …}
 * and TorchScript archives). */
export function convertCommand(input: string, output: string): string {
  return (
    `python3 -c "import sys, torch; from safetensors.torch import save_file; m = torch.load(sys.argv[1], map_location='cpu'); ` +
    `m = m.state_dict() if hasattr(m, 'state_dict') else m.get('state_dict', m); ` +
    `save_file({k: v.contiguous() for k, v in m.items() if isinstance(v, torch.Tensor)}, sys.argv[2])" '${input}' '${output}'`
  );
}

const PICKLE = new Set([".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"]);

function refusePickle(file: string): never {
  const out = join(
    dirname(file),
    basename(file) === "pytorch_model.bin" ? "model.safetensors" : basename(file, extname(file)) + ".safetensors",
  );
  throw new CheckpointError(
    file,
    null,
    `is a PyTorch pickle, which scdx never loads (unpickling can run arbitrary code). Convert it once to safetensors:\n  ${convertCommand(file, out)}`,
  );
}

interface Located {
  readonly raw: RawTensor;
  readonly file: string;
}

/** Reads one safetensors file into `into`, remembering which file each tensor came from. */
function readInto(file: string, into: Map<string, Located>): void {
  let st: Safetensors;
  try {
    st = readSafetensors(file);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(file, null, e.message.slice(file.length + 2));
    throw new CheckpointError(file, null, `cannot be read: ${(e as Error).message}`);
  }
  for (const [k, raw] of st.tensors) into.set(k, { raw, file });
}

function readJson(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CheckpointError(file, null, `is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new CheckpointError(file, null, "is not a JSON object");
  return v as Record<string, unknown>;
}

/** open_clip_config.json (model_cfg) or a model_configs-style config.json (vision_cfg at the top). */
function openClipConfigIn(dir: string): OpenClipConfig | undefined {
  const oc = join(dir, "open_clip_config.json");
  if (existsSync(oc)) {
    const j = readJson(oc),
      cfg = j["model_cfg"];
    if (typeof cfg !== "object" || cfg === null) throw new CheckpointError(oc, null, "has no 'model_cfg' object");
    return { file: oc, cfg: cfg as Record<string, unknown>, scdx: parseScdxSection(j["scdx"], oc) };
  }
  const c = join(dir, "config.json");
  if (existsSync(c)) {
    const j = readJson(c);
    if (j["vision_cfg"]) return { file: c, cfg: j };
    if (j["model_cfg"])
      return { file: c, cfg: j["model_cfg"] as Record<string, unknown>, scdx: parseScdxSection(j["scdx"], c) };
  }
  return undefined;
}

function hfArch(dir: string): ClipArch {
  const file = join(dir, "config.json");
  if (!existsSync(file))
    throw new CheckpointError(
      dir,
      null,
      "holds Hugging Face CLIP weights (vision_model.*) but no config.json describing their architecture",
    );
  try {
    return archFromHfConfig(readJson(file), file);
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(file, null, e.message.replace(`${file}: `, ""));
    throw e;
  }
}

/** Finds the weight files of `path` (a directory or a .safetensors file) and reads them. */
function locate(path: string): { tensors: Map<string, Located>; dir: string; files: string[] } {
  if (!existsSync(path)) throw new CheckpointError(path, null, "does not exist");
  const tensors = new Map<string, Located>();
  if (!statSync(path).isDirectory()) {
    if (PICKLE.has(extname(path).toLowerCase())) refusePickle(path);
    if (extname(path).toLowerCase() !== ".safetensors")
      throw new CheckpointError(path, null, "is not a .safetensors file or a checkpoint directory");
    readInto(path, tensors);
    return { tensors, dir: dirname(path), files: [path] };
  }
  const index = join(path, "model.safetensors.index.json");
  if (existsSync(index)) {
    const map = readJson(index)["weight_map"];
    if (typeof map !== "object" || map === null) throw new CheckpointError(index, null, "has no 'weight_map' object");
    const files = [...new Set(Object.values(map as Record<string, string>))].map((f) => join(path, String(f)));
    for (const f of files) {
      if (!existsSync(f)) throw new CheckpointError(index, null, `names shard '${basename(f)}', which does not exist`);
      readInto(f, tensors);
    }
    for (const [k, f] of Object.entries(map as Record<string, string>))
      if (tensors.get(k)?.file !== join(path, String(f)))
        throw new CheckpointError(
          join(path, String(f)),
          k,
          `is listed in ${basename(index)} but not stored in that shard`,
        );
    return { tensors, dir: path, files };
  }
  const entries = readdirSync(path).sort();
  const st = entries.filter((e) => e.endsWith(".safetensors"));
  const pick =
    st.includes("model.safetensors") && existsSync(join(path, "config.json"))
      ? "model.safetensors"
      : st.includes("open_clip_model.safetensors")
        ? "open_clip_model.safetensors"
        : st.length === 1
          ? st[0]
          : undefined;
  if (pick) {
    readInto(join(path, pick), tensors);
    return { tensors, dir: path, files: [join(path, pick)] };
  }
  if (st.length > 1)
    throw new CheckpointError(
      path,
      null,
      `holds several .safetensors files (${st.join(", ")}) and none is model.safetensors or open_clip_model.safetensors; pass the file itself`,
    );
  const pickle = entries.find((e) => PICKLE.has(extname(e).toLowerCase()));
  if (pickle) refusePickle(join(path, pickle));
  throw new CheckpointError(
    path,
    null,
    `holds no .safetensors weights (found: ${entries.slice(0, 8).join(", ") || "nothing"}${entries.length > 8 ? ", …" : ""})`,
  );
}

function floats(loc: Located, key: string): Float32Array {
  if (!(loc.raw.data instanceof Float32Array))
    throw new CheckpointError(loc.file, key, `has dtype ${loc.raw.dtype}; a parameter must be F32, F16 or BF16`);
  return loc.raw.data;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
// Keys inside a transformer block that we do not know mean an architecture variant (layer scale,
// extra norms, more layers than the config says) whose numbers we would get wrong.
const HF_IN_BLOCK = /^(vision_model|text_model)\.encoder\.layers\.\d+\./;
const OPENAI_IN_BLOCK = /^(visual\.)?transformer\.resblocks\.\d+\./;

/** Load a CLIP checkpoint (see the file comment). Tensors are created on the current tfjs backend. */
export function loadClip(path: string): LoadedClip {
  const { tensors: found, dir, files } = locate(path);
  let tensors = found;
  if ([...found.keys()].every((k) => k.startsWith("module.")))
    tensors = new Map([...found].map(([k, v]) => [k.slice(7), v])); // saved from DDP
  const main = files.length === 1 ? files[0]! : join(dir, "model.safetensors.index.json");
  const layout: ClipLayout | undefined = tensors.has("vision_model.embeddings.patch_embedding.weight")
    ? "hf"
    : tensors.has("visual.conv1.weight")
      ? "openai"
      : undefined;
  if (!layout) {
    const keys = [...tensors.keys()].slice(0, 5).join(", ");
    throw new CheckpointError(
      main,
      null,
      `is neither a Hugging Face CLIPModel (vision_model.*) nor an OpenAI/open_clip ViT CLIP (visual.conv1.*)${keys ? `; its first keys: ${keys}` : ""}`,
    );
  }
  let arch: ClipArch;
  if (layout === "hf") arch = hfArch(dir);
  else {
    try {
      arch = archFromOpenai(new Map([...tensors].map(([k, v]) => [k, v.raw.shape])), main, openClipConfigIn(dir));
    } catch (e) {
      if (e instanceof ArchInferenceError) throw new CheckpointError(e.file, null, e.message);
      throw e;
    }
  }
  const shapes = clipShapes(arch),
    values: Record<string, Float32Array> = {},
    used = new Set<string>();
  const why = layout === "hf" ? "config.json" : "the architecture read off the other tensors";
  if (layout === "hf") {
    for (const [key, shape] of Object.entries(shapes)) {
      const loc = tensors.get(key);
      if (!loc) throw new CheckpointError(main, key, `is missing (expected shape ${fmt(shape)})`);
      if (!same(loc.raw.shape, shape))
        throw new CheckpointError(
          loc.file,
          key,
          `has shape ${fmt(loc.raw.shape)} in the file, but ${why} needs ${fmt(shape)}`,
        );
      values[key] = floats(loc, key);
      used.add(key);
    }
  } else {
    for (const s of openaiSources(arch)) {
      const loc = tensors.get(s.openai),
        want = openaiShape(s.take, shapes[s.hf]!);
      if (!loc) throw new CheckpointError(main, s.openai, `is missing (expected shape ${fmt(want)})`);
      if (!same(loc.raw.shape, want))
        throw new CheckpointError(
          loc.file,
          s.openai,
          `has shape ${fmt(loc.raw.shape)} in the file, but ${why} needs ${fmt(want)}`,
        );
      values[s.hf] = takeFrom(floats(loc, s.openai), s.take, shapes[s.hf]!);
      used.add(s.openai);
    }
  }
  const ignored: string[] = [];
  for (const [k, loc] of tensors) {
    if (used.has(k)) continue;
    if ((layout === "hf" ? HF_IN_BLOCK : OPENAI_IN_BLOCK).test(k))
      throw new CheckpointError(
        loc.file,
        k,
        `is not part of the architecture ${why} describes (a layer-scale, extra norm or extra layer?); scdx does not support this variant`,
      );
    ignored.push(k);
  }
  const params: Record<string, tf.Tensor> = {};
  for (const [k, shape] of Object.entries(shapes)) params[k] = tf.tensor(values[k]!, shape, "float32");
  return { arch, params, layout, source: files.join(", "), ignored };
}

/**
 * Write a CLIP as a checkpoint directory: `hf` → config.json + model.safetensors (loadable by
 * transformers' CLIPModel); `openai` → open_clip_model.safetensors + open_clip_config.json (the
 * open_clip hub layout). Returns the files written.
 */
export function saveClip(
  dir: string,
  arch: ClipArch,
  params: Readonly<Record<string, tf.Tensor>>,
  layout: ClipLayout,
  metadata: Readonly<Record<string, string>> = {},
): string[] {
  const shapes = clipShapes(arch);
  const value = (key: string): Float32Array => {
    const t = params[key];
    if (!t) throw new CheckpointError(dir, key, "is missing from the parameters to save");
    if (!same(t.shape, shapes[key]!))
      throw new CheckpointError(dir, key, `has shape ${fmt(t.shape)}, but the architecture needs ${fmt(shapes[key]!)}`);
    return Float32Array.from(t.dataSync() as Float32Array);
  };
  mkdirSync(dir, { recursive: true });
  const meta = { format: "pt", ...metadata }; // transformers refuses safetensors without format=pt
  if (layout === "hf") {
    const tensors = Object.fromEntries(
      Object.entries(shapes).map(([k, shape]) => [k, { dtype: "F32" as const, shape, data: value(k) }]),
    );
    const cfg = join(dir, "config.json"),
      st = join(dir, "model.safetensors");
    writeFileSync(cfg, JSON.stringify(hfConfig(arch), null, 2) + "\n");
    writeSafetensors(st, tensors, meta);
    return [cfg, st];
  }
  const tensors = Object.fromEntries(
    Object.entries(toOpenai(arch, value)).map(([k, t]) => [k, { dtype: "F32" as const, ...t }]),
  );
  const cfg = join(dir, "open_clip_config.json"),
    st = join(dir, "open_clip_model.safetensors");
  writeFileSync(cfg, JSON.stringify(openClipConfig(arch, CLIP_MEAN, CLIP_STD), null, 2) + "\n");
  writeSafetensors(st, tensors, meta);
  return [cfg, st];
}
