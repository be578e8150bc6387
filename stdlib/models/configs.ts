// Architecture presets for `clip(arch: …)`. Values follow the released checkpoints' configs
// (OpenAI CLIP: ViT-B/16, B/32, L/14, L/14@336); vit_tiny is the toy world's teacher.

import type { TextTowerFacts } from "../../core/facts.ts";

export interface ClipConfig {
  readonly width: number; // image tower width D
  readonly layers: number;
  readonly heads: number;
  readonly patch: number;
  readonly imageSize: number; // native input side; patch grid = imageSize / patch
  readonly embedDim: number; // joint embedding size E
  readonly quickGelu: boolean; // OpenAI's x·σ(1.702x) activation
  readonly text: TextTowerFacts;
}

const openaiText = { width: 512, layers: 12, heads: 8, contextLength: 77, vocabSize: 49408, tokenizer: "bpe" } as const;

export const clipConfigs: Readonly<Record<string, ClipConfig>> = {
  // 64 px, 8×8 tokens, 1.25 M parameters: trains on 2 CPU cores (notes/toyworld.md).
  vit_tiny: {
    width: 128,
    layers: 4,
    heads: 4,
    patch: 8,
    imageSize: 64,
    embedDim: 64,
    quickGelu: false,
    text: { width: 128, layers: 2, heads: 4, contextLength: 16, vocabSize: 256, tokenizer: "word" },
  },
  vit_b32: {
    width: 768,
    layers: 12,
    heads: 12,
    patch: 32,
    imageSize: 224,
    embedDim: 512,
    quickGelu: true,
    text: openaiText,
  },
  vit_b16: {
    width: 768,
    layers: 12,
    heads: 12,
    patch: 16,
    imageSize: 224,
    embedDim: 512,
    quickGelu: true,
    text: openaiText,
  },
  vit_l14: {
    width: 1024,
    layers: 24,
    heads: 16,
    patch: 14,
    imageSize: 224,
    embedDim: 768,
    quickGelu: true,
    text: { ...openaiText, width: 768, heads: 12 },
  },
  vit_l14_336: {
    width: 1024,
    layers: 24,
    heads: 16,
    patch: 14,
    imageSize: 336,
    embedDim: 768,
    quickGelu: true,
    text: { ...openaiText, width: 768, heads: 12 },
  },
};
