// Turning a model reference of the IR into tensors, inside a worker: a `clip` node is initialised
// from its seed or loaded from its weights; a `refiner` node is a fresh Refiner on its resolved base;
// a train stage's model is read from that stage's cache entry. Resolved models are memoised by what
// determines them (the entry directory, or the node key), so the teacher shared by a loss and a
// bench is loaded once per worker.
import * as path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { IrNode, ModelNode } from "../../core/ir.ts";
import type { ModelFacts } from "../../core/facts.ts";
import { archFromFacts, type ClipArch } from "../../stdlib/models/clip-arch.ts";
import { initClip } from "../../stdlib/models/clip-params.ts";
import { initRefiner, refinerArch } from "../../stdlib/models/refiner.ts";
import { loadClip } from "../../stdlib/models/load-clip.ts";
import { shapesVocabulary } from "../../stdlib/data/shapes.ts";
import { WordTokenizer } from "../../stdlib/text/word-tokenizer.ts";
import { loadStageModel, tokenizerIn, type LoadedModel } from "../models/model-files.ts";
import { StageError } from "./stage-error.ts";

export interface ModelSources {
  /** IR nodes by structural key (the stage's and everything it reaches short of other stages). */
  readonly nodes: Readonly<Record<string, IrNode>>;
  /** Train stage structural key → its verified cache entry directory. */
  readonly entries: Readonly<Record<string, string>>;
}

/** The toy world's text vocabulary: every word any shapes world can put in a caption (the largest
 * palette, all kinds and textures), so one tokenizer serves every shapes dataset. */
export function toyVocabulary(): string[] {
  return shapesVocabulary({ colors: 99, kinds: 99, textures: 99 });
}

export class ModelResolver {
  private readonly memo = new Map<string, LoadedModel>();

  constructor(private readonly sources: ModelSources) {}

  resolve(key: string): LoadedModel {
    const entry = this.sources.entries[key];
    const memoKey = entry ? `entry:${entry}` : `node:${key}`;
    let m = this.memo.get(memoKey);
    if (!m) {
      m = entry ? loadStageModel(entry) : this.build(key);
      this.memo.set(memoKey, m);
    }
    return m;
  }

  /** Frees every memoised model's tensors. */
  dispose(): void {
    const seen = new Set<tf.Tensor>();
    for (const m of this.memo.values())
      for (const t of Object.values(m.model.params))
        if (!seen.has(t)) {
          seen.add(t);
          t.dispose();
        }
    this.memo.clear();
  }

  private build(key: string): LoadedModel {
    const node = this.sources.nodes[key];
    if (!node) throw new Error(`model ${key.slice(0, 12)} is neither a node of this job nor a finished stage`);
    if (node.kind !== "model")
      throw new Error(
        `${node.kind} node ${node.origin.name} (${key.slice(0, 12)}) used as a model before its stage finished`,
      );
    return node.op === "clip" ? this.clip(node) : this.refiner(node);
  }

  private clip(node: ModelNode): LoadedModel {
    const weights =
      node.files.find((f) => f.option === "weights")?.path ?? (node.options["weights"] as string | undefined);
    if (weights) {
      const c = loadClip(path.resolve(path.dirname(node.origin.file), weights));
      checkDeclared(node, c.arch, weights);
      const dir = path.dirname(c.source.split(", ")[0]!);
      return { model: { family: "clip", arch: c.arch, params: c.params }, ...tokenizerIn(dir, c.arch.text?.vocabSize) };
    }
    const arch: ClipArch = archFromFacts(node.facts as unknown as ModelFacts);
    const params = initClip(arch, node.options["seed"] as number);
    const tokenizer = arch.text ? new WordTokenizer(toyVocabulary(), { vocabSize: arch.text.vocabSize }) : null;
    return { model: { family: "clip", arch, params }, tokenizer, tokenizerFiles: [] };
  }

  private refiner(node: ModelNode): LoadedModel {
    const base = this.resolve(node.inputs["base"]!.key);
    if (base.model.family !== "clip") throw new Error(`refiner ${node.origin.name}: its base is already a refiner`);
    const o = node.options as { depth: number; heads?: number; mlp_ratio?: number; seed: number };
    const r = refinerArch(base.model.arch, o);
    return {
      model: {
        family: "refiner",
        arch: base.model.arch,
        refiner: r,
        params: { ...base.model.params, ...initRefiner(r, o.seed) },
      },
      tokenizer: base.tokenizer,
      tokenizerFiles: base.tokenizerFiles,
    };
  }
}

/** The checker planned with the declared architecture's facts (grids, k, memory): a checkpoint of
 * another shape must stop here, naming both, rather than run with numbers nobody checked. */
function checkDeclared(node: ModelNode, got: ClipArch, weights: string): void {
  const want = archFromFacts(node.facts as unknown as ModelFacts);
  const pairs: [string, number | undefined, number | undefined][] = [
    ["width", want.vision.width, got.vision.width],
    ["layers", want.vision.layers, got.vision.layers],
    ["heads", want.vision.heads, got.vision.heads],
    ["patch", want.vision.patch, got.vision.patch],
    ["image_size", want.vision.imageSize, got.vision.imageSize],
    ["embed_dim", want.embedDim, got.embedDim],
    ["text width", want.text?.width, got.text?.width],
    ["text layers", want.text?.layers, got.text?.layers],
    ["context length", want.text?.contextLength, got.text?.contextLength],
  ];
  const diff = pairs.filter(([, a, b]) => a !== b).map(([n, a, b]) => `${n} ${b ?? "none"} (declared ${a ?? "none"})`);
  if (diff.length)
    throw new StageError(
      `${weights}: the checkpoint does not match \`clip(arch: ${node.options["arch"]})\` of model ${node.origin.name}: ${diff.join(", ")}; declare its architecture (arch, or width/layers/… options)`,
    );
}
