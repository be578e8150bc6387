// The one registry: `lang/` checks against it, `scdx doc` prints it, the runtime pairs each entry
// with its lazily loaded implementation. Adding a component = one meta file + one line here.
import type { ComponentMeta } from "./component.ts";
import { clip } from "./models/clip.meta.ts";
import { refiner } from "./models/refiner.meta.ts";
import { shapes } from "./data/shapes.meta.ts";
import { coco, cocoPanoptic } from "./data/coco.meta.ts";
import { clipContrastive } from "./losses/clip-contrastive.meta.ts";
import { rla } from "./losses/rla.meta.ts";
import { scd } from "./losses/scd.meta.ts";
import { refinerSsl } from "./losses/refiner-ssl.meta.ts";
import { segmentContrast } from "./losses/segment-contrast.meta.ts";
import { adamw } from "./optim/adamw.meta.ts";
import { regionClassification, semanticSegmentation, unsupervisedSegmentation } from "./metrics/benches.meta.ts";

export const components: readonly ComponentMeta[] = [
  clip,
  refiner,
  shapes,
  coco,
  cocoPanoptic,
  clipContrastive,
  rla,
  scd,
  refinerSsl,
  segmentContrast,
  adamw,
  regionClassification,
  unsupervisedSegmentation,
  semanticSegmentation,
];

export const registry: ReadonlyMap<string, ComponentMeta> = new Map(components.map((c) => [c.name, c]));

/** Language built-ins that are not components: documented by `scdx doc` too. */
export const builtins: Readonly<Record<string, { signature: string; doc: string }>> = {
  train: {
    signature:
      "stage NAME = train(base: Model) { data, loss, optim?, steps, batch?, trainable?, ensemble?, checkpoint_every? }",
    doc: "A training stage: yields a new model value, NAME.model.",
  },
  frozen: {
    signature: "frozen(m: Model) -> Model",
    doc: "The same weights, marked frozen: a train stage leaves them unchanged unless `trainable` names them.",
  },
  grid: { signature: "grid(name: [values], …) -> Sweep", doc: "Every combination of the listed param values." },
  zip: {
    signature: "zip(name: [values], …) -> Sweep",
    doc: "The i-th values of each list together; the lists must be equally long.",
  },
};
