// What the checker knows about a model or a dataset without touching tensors: widths, token grids,
// parameter groups, what a dataset yields. Component metadata (stdlib) states its signature in these
// terms and the checker (lang) reasons with them, so they live below both.
export interface TextTowerFacts {
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly contextLength: number;
  readonly vocabSize: number;
  readonly tokenizer: "bpe" | "word";
}

export interface ModelFacts {
  readonly family: "clip" | "refiner";
  readonly arch: string;
  /** Image tower width D (token features before the final norm and projection). */
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly patch: number;
  /** Native input side in pixels (crops for the teacher are letterboxed to this). */
  readonly imageSize: number;
  /** Joint image-text embedding size E (after projection). */
  readonly embedDim: number;
  readonly text: TextTowerFacts | null;
  /** Parameter groups that `trainable =` may name. */
  readonly groups: readonly string[];
  /** Groups trained when `trainable` is not given. Empty when the value is frozen. */
  readonly defaultTrainable: readonly string[];
  readonly frozen: boolean;
  /** For a refiner: the CLIP it sits on. */
  readonly base?: ModelFacts;
}

export type Annotation = "images" | "captions" | "boxes" | "masks" | "panoptic" | "proposals";

export interface DatasetFacts {
  readonly op: string;
  readonly yields: readonly Annotation[];
  /** Side in pixels of the (letterboxed) square image a student sees. */
  readonly size: number;
  readonly things: number;
  readonly stuff: number;
}
