// A stage's peak memory, estimated from the facts lowering already has (architecture, batch,
// image side), so that a stage that cannot fit the backend is refused before anything runs. It is
// an estimate of what tfjs keeps alive inside one step's tf.tidy — parameters, gradients, AdamW
// moments, and every activation of the forward passes (the tape keeps them for the backward; the
// frozen side's are kept until the tidy ends too) — not a measurement; it errs high.
import type { BenchNode, DataNode, IrNode, ModelNode, TrainNode } from "../../core/ir.ts";
import type { ModelFacts } from "../../core/facts.ts";

/** wasm's heap: 32-bit addresses, and tfjs-backend-wasm grows it to at most 4 GiB. */
export const WASM_HEAP = 4 * 1024 ** 3;

const F32 = 4;

function facts(nodes: Readonly<Record<string, IrNode>>, key: string): ModelFacts | undefined {
  const n = nodes[key];
  if (!n) return undefined;
  if (n.kind === "model" || n.kind === "train") return (n as ModelNode | TrainNode).facts as unknown as ModelFacts;
  return undefined;
}

/** Parameters of a CLIP (and Refiner) from its facts. */
export function parameterCount(f: ModelFacts): number {
  const block = (d: number) => 12 * d * d + 13 * d; // qkv + out (4d²), mlp 4× (8d²), norms and biases
  const vision =
    f.layers * block(f.width) +
    (f.imageSize / f.patch) ** 2 * f.width +
    3 * f.patch ** 2 * f.width +
    f.width * f.embedDim;
  const text = f.text
    ? f.text.layers * block(f.text.width) +
      f.text.vocabSize * f.text.width +
      f.text.contextLength * f.text.width +
      f.text.width * f.embedDim
    : 0;
  const refiner = f.family === "refiner" && f.base ? (f.layers - f.base.layers) * block(f.width) : 0;
  return vision + text + Math.max(0, refiner);
}

/** Bytes of activations one forward pass keeps for `images` inputs of side `size`. */
export function activationBytes(f: ModelFacts, images: number, size: number): number {
  const T = (size / f.patch) ** 2 + 1,
    D = f.width;
  const perLayer = images * T * D * 16 + images * f.heads * T * T * 3;
  return F32 * f.layers * perLayer;
}

export interface MemoryEstimate {
  readonly bytes: number;
  /** What dominates, for the refusal message. */
  readonly detail: string;
}

export function estimateStage(node: TrainNode | BenchNode, nodes: Readonly<Record<string, IrNode>>): MemoryEstimate {
  const data = nodes[node.inputs["data"]?.key ?? ""] as DataNode | undefined;
  const size = (data?.options["size"] as number | undefined) ?? 224;
  if (node.kind === "bench") {
    const f = facts(nodes, node.inputs["model"]!.key);
    if (!f) return { bytes: 0, detail: "unknown model" };
    const params = parameterCount(f) * F32,
      act = activationBytes(f, 16, size) / f.layers; // inference: one layer live at a time
    return {
      bytes: params + act,
      detail: `${mb(params)} parameters + ${mb(act)} activations (16 images at ${size} px)`,
    };
  }
  const f = node.facts as unknown as ModelFacts;
  const batch = node.options["batch"] as number;
  const params = parameterCount(f) * F32 * 4; // weights, gradients, two moments
  const student = activationBytes(f, batch, size);
  let frozen = 0;
  for (const t of node.loss) {
    const tf = facts(nodes, (t.inputs["teacher"] ?? t.inputs["source"])?.key ?? "");
    if (!tf) continue;
    frozen += parameterCount(tf) * F32;
    // What the frozen model runs on per step: RLA's crops, the Refiner loss's zoomed crops, else the images.
    const boxes =
      t.op === "rla"
        ? batch * ((t.options["max_boxes"] as number | undefined) ?? 20)
        : t.op === "refiner_ssl"
          ? batch * ((t.options["crops"] as number | undefined) ?? 4)
          : batch;
    frozen += activationBytes(tf, boxes, t.op === "rla" ? tf.imageSize : size);
  }
  return {
    bytes: params + student + frozen,
    detail: `${mb(params)} parameters and optimizer state, ${mb(student)} student activations (batch ${batch} at ${size} px), ${mb(frozen)} frozen models and their activations`,
  };
}

export function mb(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MiB`;
}
