// The probe bench's diagnostics beside its mIoU (stdlib/metrics/dense-structure.ts): same-segment
// AUROC of the dense tokens, their correlation with a reference model's tokens (the frozen teacher,
// or a Refiner's output) and the "no learned structure" baseline — the same k-means probe and AUROC
// on each token's mean patch colour (0–255 RGB, not centred) — so every table shows what pixels
// alone score in this world.
import { letterboxStudent } from "../../stdlib/data/letterbox.ts";
import type { Sample } from "../../stdlib/data/sample.ts";
import { toRgbImage } from "../../stdlib/data/sampling.ts";
import {
  addPairs,
  AurocAccumulator,
  colorSimilarity,
  cosineMatrix,
  matrixCorrelation,
  patchMeanColor,
} from "../../stdlib/metrics/dense-structure.ts";
import { ImageMean, instanceProbe } from "../../stdlib/metrics/instance-probe.ts";
import { kmeansProbe } from "../../stdlib/metrics/kmeans-probe.ts";
import { SegmentationAccumulator } from "../../stdlib/metrics/segmentation.ts";
import { mixSeed } from "../../stdlib/tensor/random.ts";
import { tokenLabels, VOID } from "./token-grid.ts";

export class DenseStructure {
  private readonly auroc = new AurocAccumulator();
  private readonly baseAuroc = new AurocAccumulator();
  private readonly base: SegmentationAccumulator;
  private readonly baseInstances = new ImageMean();
  private corrSum = 0;
  private corrN = 0;

  constructor(
    private readonly S: number,
    private readonly G: number,
    private readonly classes: number,
    private readonly probe: {
      readonly k?: number;
      readonly seed: number;
      readonly iterations: number;
      /** the probe's `segments: instances` protocol (instance-probe.ts) for the baseline too */
      readonly instances?: boolean;
    },
  ) {
    this.base = new SegmentationAccumulator(classes, VOID);
  }

  /**
   * One image: `tokens` [n,E] are the dense tokens of `cells` (those over the image), `labels`
   * their classes (for the baseline probe), `ref` the reference model's tokens of the same cells.
   * Returns the panoptic segment under each of `cells`, which the caller's instance probe reuses.
   */
  add(
    s: Sample,
    index: number,
    cells: readonly number[],
    tokens: Float32Array,
    E: number,
    labels: Int32Array,
    ref?: { tokens: Float32Array; E: number },
  ): Int32Array {
    const n = cells.length;
    const segAll = tokenLabels(s, this.S, this.G, "segment");
    const seg = Int32Array.from(cells, (c) => segAll[c]!);
    // Void tokens (unlabelled pixels) join no pair: their segment is unknown.
    const labelled = [...seg.keys()].filter((i) => seg[i] !== VOID);
    const pick = (m: Float64Array) => {
      const k = labelled.length,
        out = new Float64Array(k * k);
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = m[labelled[a]! * n + labelled[b]!]!;
      return out;
    };
    const segL = Int32Array.from(labelled, (i) => seg[i]!);
    const sim = cosineMatrix(tokens, n, E);
    addPairs(this.auroc, pick(sim), segL);
    if (ref) {
      const r = matrixCorrelation(sim, cosineMatrix(ref.tokens, n, ref.E), n);
      if (r !== null) {
        this.corrSum += r;
        this.corrN++;
      }
    }
    const rgb = patchMeanColor(letterboxStudent(toRgbImage(s), this.S).data, this.S, this.G, cells);
    addPairs(this.baseAuroc, pick(colorSimilarity(rgb, n)), segL);
    const seed = mixSeed(this.probe.seed ^ 0x5eed, index);
    if (this.probe.instances)
      this.baseInstances.add(
        instanceProbe(rgb, 3, seg, { k: this.probe.k, seed, maxIter: this.probe.iterations }).miou,
      );
    else
      kmeansProbe(rgb, 3, labels, this.classes, {
        k: this.probe.k,
        seed,
        maxIter: this.probe.iterations,
        accumulator: this.base,
        voidLabel: VOID,
      });
    return seg;
  }

  result(): Record<string, number | null> {
    return {
      auroc: this.auroc.result(),
      ...(this.corrN ? { corr: this.corrSum / this.corrN } : {}),
      baseline_miou: this.probe.instances ? this.baseInstances.result() : this.base.result().miou,
      baseline_auroc: this.baseAuroc.result(),
    };
  }
}
