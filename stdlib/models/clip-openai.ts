// The OpenAI / open_clip key layout (visual.conv1, visual.transformer.resblocks.N.attn.in_proj_weight,
// token_embedding, ln_final, …) against Hugging Face's CLIPModel keys, which the model code uses.
// One table (`openaiSources`) says where each HF key lives in an OpenAI file and how to get it
// (copy, transpose, or one third of the fused q/k/v projection); loading and export both read it.
// An OpenAI file does not store its architecture: `archFromOpenai` reads it off the tensor shapes as
// OpenAI's build_model does (heads = width / 64), letting an open_clip config say otherwise.
import type { Activation } from "../tensor/nn.ts";
import type { ClipArch, TowerArch } from "./clip-arch.ts";
import { clipShapes } from "./clip-params.ts";

/** How an HF tensor is made from an OpenAI one. */
export type Take = "copy" | "transpose" | "q" | "k" | "v";

export interface Source {
  readonly hf: string;
  readonly openai: string;
  readonly take: Take;
}

const BLOCK_RENAMES: readonly (readonly [string, string])[] = [
  ["layer_norm1", "ln_1"],
  ["layer_norm2", "ln_2"],
  ["mlp.fc1", "mlp.c_fc"],
  ["mlp.fc2", "mlp.c_proj"],
  ["self_attn.out_proj", "attn.out_proj"],
];

const GLOBAL_RENAMES: Readonly<Record<string, readonly [string, Take]>> = {
  "vision_model.embeddings.patch_embedding.weight": ["visual.conv1.weight", "copy"],
  "vision_model.embeddings.class_embedding": ["visual.class_embedding", "copy"],
  "vision_model.embeddings.position_embedding.weight": ["visual.positional_embedding", "copy"],
  "vision_model.pre_layrnorm.weight": ["visual.ln_pre.weight", "copy"],
  "vision_model.pre_layrnorm.bias": ["visual.ln_pre.bias", "copy"],
  "vision_model.post_layernorm.weight": ["visual.ln_post.weight", "copy"],
  "vision_model.post_layernorm.bias": ["visual.ln_post.bias", "copy"],
  "visual_projection.weight": ["visual.proj", "transpose"], // OpenAI applies x @ proj
  "text_model.embeddings.token_embedding.weight": ["token_embedding.weight", "copy"],
  "text_model.embeddings.position_embedding.weight": ["positional_embedding", "copy"],
  "text_model.final_layer_norm.weight": ["ln_final.weight", "copy"],
  "text_model.final_layer_norm.bias": ["ln_final.bias", "copy"],
  "text_projection.weight": ["text_projection", "transpose"],
  logit_scale: ["logit_scale", "copy"],
};

const HF_BLOCK = /^(vision_model|text_model)\.encoder\.layers\.(\d+)\.(.+)$/;

/** Where one HF key comes from in an OpenAI/open_clip state dict. */
export function openaiSource(hf: string): Source {
  const g = GLOBAL_RENAMES[hf];
  if (g) return { hf, openai: g[0], take: g[1] };
  const m = HF_BLOCK.exec(hf);
  if (!m) throw new Error(`no OpenAI-layout name for '${hf}'`);
  const prefix = `${m[1] === "vision_model" ? "visual.transformer" : "transformer"}.resblocks.${m[2]}.`,
    rest = m[3]!;
  const qkv = /^self_attn\.([qkv])_proj\.(weight|bias)$/.exec(rest);
  if (qkv) return { hf, openai: `${prefix}attn.in_proj_${qkv[2]}`, take: qkv[1] as Take };
  for (const [h, o] of BLOCK_RENAMES)
    if (rest.startsWith(h + ".")) return { hf, openai: prefix + o + rest.slice(h.length), take: "copy" };
  throw new Error(`no OpenAI-layout name for '${hf}'`);
}

/** Every parameter of `arch` with its OpenAI source, in clipShapes order. */
export function openaiSources(arch: ClipArch): Source[] {
  return Object.keys(clipShapes(arch)).map(openaiSource);
}

/** The shape the OpenAI tensor has, given the HF shape it yields. */
export function openaiShape(take: Take, hfShape: readonly number[]): number[] {
  if (take === "transpose") return [...hfShape].reverse();
  if (take === "copy") return [...hfShape];
  return [3 * hfShape[0]!, ...hfShape.slice(1)];
}

/** Row-major transpose of an [r, c] matrix. */
export function transpose2d(data: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j]!;
  return out;
}

/** The HF tensor's values from the OpenAI tensor's (`src` has shape openaiShape(take, hfShape)). */
export function takeFrom(src: Float32Array, take: Take, hfShape: readonly number[]): Float32Array {
  if (take === "copy") return src;
  if (take === "transpose") return transpose2d(src, hfShape[1]!, hfShape[0]!);
  const n = hfShape.reduce((a, b) => a * b, 1),
    part = "qkv".indexOf(take);
  return src.slice(part * n, (part + 1) * n);
}

/** HF-keyed values → OpenAI-keyed values (fused in_proj, transposed projections), for export. */
export function toOpenai(
  arch: ClipArch,
  hf: (key: string) => Float32Array,
): Record<string, { shape: number[]; data: Float32Array }> {
  const shapes = clipShapes(arch),
    out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const s of openaiSources(arch)) {
    const shape = shapes[s.hf]!,
      data = hf(s.hf);
    if (s.take === "copy") out[s.openai] = { shape, data };
    else if (s.take === "transpose")
      out[s.openai] = { shape: openaiShape("transpose", shape), data: transpose2d(data, shape[0]!, shape[1]!) };
    else {
      const fused = (out[s.openai] ??= { shape: openaiShape(s.take, shape), data: new Float32Array(3 * data.length) });
      fused.data.set(data, "qkv".indexOf(s.take) * data.length);
    }
  }
  return out;
}

/** The parts of an open_clip model config (open_clip_config.json's model_cfg, or a model_configs/*.json). */
export interface OpenClipConfig {
  readonly file: string;
  readonly cfg: Record<string, unknown>;
  /** Our own section of open_clip_config.json (open_clip ignores it): what open_clip cannot express. */
  readonly scdx?: { readonly act?: { vision?: Activation; text?: Activation }; readonly eps?: number };
}

export class ArchInferenceError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

// open_clip options that change the computation in ways our towers do not implement.
const UNSUPPORTED_TRUTHY = [
  "timm_model_name",
  "hf_model_name",
  "ls_init_value",
  "attentional_pool",
  "no_ln_pre",
  "global_average_pool",
  "input_patchnorm",
  "final_ln_after_pool",
  "proj_bias",
  "no_causal_mask",
  "attn_pooler_heads",
];
const ACTS: readonly Activation[] = ["quick_gelu", "gelu", "gelu_tanh"];

/**
 * The architecture of an OpenAI-layout state dict from its shapes. Dimensions always come from the
 * tensors; a config may only add what shapes cannot say (heads, activation, eps) and is cross-checked.
 */
export function archFromOpenai(
  shapes: ReadonlyMap<string, readonly number[]>,
  file: string,
  config?: OpenClipConfig,
): ClipArch {
  const fail = (m: string): never => {
    throw new ArchInferenceError(file, m);
  };
  const failCfg = (m: string): never => {
    throw new ArchInferenceError(config!.file, m);
  };
  const need = (k: string, rank: number): readonly number[] => {
    const s = shapes.get(k);
    if (!s) fail(`tensor '${k}' is missing, so the architecture cannot be read off the shapes`);
    if (s!.length !== rank) fail(`tensor '${k}' has shape ${JSON.stringify(s)}, expected ${rank} dimensions`);
    return s!;
  };
  const count = (prefix: string): number => {
    let n = 0;
    const re = new RegExp(`^${prefix.replace(/\./g, "\\.")}(\\d+)\\.`);
    for (const k of shapes.keys()) {
      const m = re.exec(k);
      if (m) n = Math.max(n, Number(m[1]) + 1);
    }
    return n;
  };
  const cfg = config?.cfg ?? {},
    vcfg = obj(cfg["vision_cfg"]),
    tcfg = obj(cfg["text_cfg"]);
  for (const [name, c] of [
    ["model_cfg", cfg],
    ["vision_cfg", vcfg],
    ["text_cfg", tcfg],
  ] as const)
    for (const k of UNSUPPORTED_TRUTHY)
      if (c[k])
        failCfg(`${name}.${k} = ${JSON.stringify(c[k])} is not supported (scdx implements the plain OpenAI ViT CLIP)`);
  if (vcfg["pool_type"] !== undefined && vcfg["pool_type"] !== "tok")
    failCfg(`vision_cfg.pool_type '${vcfg["pool_type"]}' is not supported (only 'tok')`);
  if (tcfg["pool_type"] !== undefined && tcfg["pool_type"] !== "argmax")
    failCfg(`text_cfg.pool_type '${tcfg["pool_type"]}' is not supported (only 'argmax')`);
  if (Array.isArray(vcfg["layers"]) || shapes.has("visual.attnpool.c_proj.weight"))
    fail("ResNet CLIP image towers are not supported, only ViTs");

  const conv = need("visual.conv1.weight", 4),
    [D, , P, P2] = conv as [number, number, number, number];
  if (conv[1] !== 3 || P !== P2)
    fail(`'visual.conv1.weight' has shape ${JSON.stringify(conv)}, expected [width, 3, patch, patch]`);
  const npos = need("visual.positional_embedding", 2)[0]!,
    g = Math.round(Math.sqrt(npos - 1));
  if (g * g !== npos - 1) fail(`'visual.positional_embedding' has ${npos} rows, which is not 1 + a square grid`);
  const vLayers = count("visual.transformer.resblocks.");
  if (vLayers === 0) fail("no 'visual.transformer.resblocks.N.*' tensors: not a ViT CLIP in the OpenAI layout");
  const eps = config?.scdx?.eps ?? 1e-5;
  const act = (tower: "vision" | "text"): Activation =>
    config?.scdx?.act?.[tower] ?? (config && !cfg["quick_gelu"] ? "gelu" : "quick_gelu");
  const heads = (width: number, stated: unknown, what: string): number => {
    const h = typeof stated === "number" ? stated : width / 64;
    if (!Number.isInteger(h) || h < 1 || width % h !== 0)
      fail(
        `cannot tell the number of attention heads of the ${what} (width ${width}): ` +
          (typeof stated === "number"
            ? `the config's value gives ${h}`
            : `OpenAI's rule width / 64 gives ${h}; give an open_clip_config.json with model_cfg.${what === "image tower" ? "vision_cfg.head_width" : "text_cfg.heads"}`),
      );
    return h;
  };
  const vision: ClipArch["vision"] = {
    width: D,
    layers: vLayers,
    mlp: need("visual.transformer.resblocks.0.mlp.c_fc.weight", 2)[0]!,
    heads: heads(D, typeof vcfg["head_width"] === "number" ? D / vcfg["head_width"] : undefined, "image tower"),
    act: act("vision"),
    eps,
    patch: P,
    imageSize: g * P,
  };
  const embedDim = need("visual.proj", 2)[1]!;
  let text: ClipArch["text"] = null;
  if (shapes.has("token_embedding.weight")) {
    const [vocab, W] = need("token_embedding.weight", 2) as [number, number];
    const t: TowerArch = {
      width: W,
      layers: count("transformer.resblocks."),
      mlp: need("transformer.resblocks.0.mlp.c_fc.weight", 2)[0]!,
      heads: heads(W, tcfg["heads"], "text tower"),
      act: act("text"),
      eps,
    };
    text = { ...t, contextLength: need("positional_embedding", 2)[0]!, vocabSize: vocab, eotId: vocab - 1 };
  }
  const arch: ClipArch = { vision, text, embedDim };
  if (config) crossCheck(arch, cfg, vcfg, tcfg, failCfg);
  return arch;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A config that states a size the tensors contradict is an error: one of them is not this model's. */
function crossCheck(
  a: ClipArch,
  cfg: Record<string, unknown>,
  v: Record<string, unknown>,
  t: Record<string, unknown>,
  fail: (m: string) => never,
): void {
  const check = (where: string, stated: unknown, actual: number) => {
    if (stated === undefined) return;
    const s = Array.isArray(stated) && stated.length === 2 && stated[0] === stated[1] ? stated[0] : stated;
    if (s !== actual) fail(`${where} = ${JSON.stringify(stated)}, but the checkpoint's tensors say ${actual}`);
  };
  check("embed_dim", cfg["embed_dim"], a.embedDim);
  check("vision_cfg.width", v["width"], a.vision.width);
  check("vision_cfg.layers", v["layers"], a.vision.layers);
  check("vision_cfg.patch_size", v["patch_size"], a.vision.patch);
  check("vision_cfg.image_size", v["image_size"], a.vision.imageSize);
  if (a.text) {
    check("text_cfg.width", t["width"], a.text.width);
    check("text_cfg.layers", t["layers"], a.text.layers);
    check("text_cfg.context_length", t["context_length"], a.text.contextLength);
    check("text_cfg.vocab_size", t["vocab_size"], a.text.vocabSize);
  }
}

/** The open_clip_config.json that archFromOpenai reads back (model_cfg as open_clip writes it, plus our section). */
export function openClipConfig(a: ClipArch, mean: readonly number[], std: readonly number[]): Record<string, unknown> {
  const quick = a.vision.act === "quick_gelu";
  const model_cfg: Record<string, unknown> = {
    embed_dim: a.embedDim,
    quick_gelu: quick,
    vision_cfg: {
      image_size: a.vision.imageSize,
      layers: a.vision.layers,
      width: a.vision.width,
      patch_size: a.vision.patch,
      head_width: a.vision.width / a.vision.heads,
      mlp_ratio: a.vision.mlp / a.vision.width,
    },
  };
  if (a.text)
    model_cfg["text_cfg"] = {
      context_length: a.text.contextLength,
      vocab_size: a.text.vocabSize,
      width: a.text.width,
      heads: a.text.heads,
      layers: a.text.layers,
      mlp_ratio: a.text.mlp / a.text.width,
    };
  return {
    model_cfg,
    preprocess_cfg: { mean, std, interpolation: "bicubic", resize_mode: "shortest" },
    scdx: { act: { vision: a.vision.act, ...(a.text ? { text: a.text.act } : {}) }, eps: a.vision.eps },
  };
}

/** Reads our `scdx` section, rejecting values we would silently misread. */
export function parseScdxSection(v: unknown, file: string): OpenClipConfig["scdx"] {
  const s = obj(v),
    act = obj(s["act"]);
  for (const tower of ["vision", "text"] as const)
    if (act[tower] !== undefined && !ACTS.includes(act[tower] as Activation))
      throw new ArchInferenceError(
        file,
        `scdx.act.${tower} must be one of ${ACTS.join(", ")}, found ${JSON.stringify(act[tower])}`,
      );
  if (s["eps"] !== undefined && typeof s["eps"] !== "number")
    throw new ArchInferenceError(file, "scdx.eps must be a number");
  return { act: act as { vision?: Activation; text?: Activation }, eps: s["eps"] as number | undefined };
}
