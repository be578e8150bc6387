// What every dataset yields, in the same form for the shapes world and COCO: decoded RGB pixels
// and annotations in image pixel coordinates. Everything model-facing (letterboxing, crops, grid
// cells, boxes in feature coordinates) is derived from this by stdlib/data's sampling code.

/** [x0, y0, x1, y1] in pixels of the original image, x1/y1 exclusive (COCO's x, y, w, h → x, y, x+w, y+h). */
export type Box = readonly [number, number, number, number];

export interface ClassInfo {
  /** Contiguous class index 0..C-1 used by metrics and text classifiers. */
  readonly index: number;
  /** The dataset's own id (COCO category id; for shapes, equal to index). */
  readonly id: number;
  readonly name: string;
  readonly isThing: boolean;
}

export interface Segment {
  /** Id in the panoptic map (COCO segment id; unique within the image, never 0). */
  readonly id: number;
  /** Contiguous class index (ClassInfo.index). */
  readonly label: number;
  readonly isThing: boolean;
  readonly box: Box;
  /** Pixels covered in the panoptic map (for boxes-only data: the box area). */
  readonly area: number;
  /** COCO annotation id, for error messages and previews. */
  readonly annotationId?: number;
}

export interface Sample {
  /** Stable id: COCO image id or `shapes:<seed>:<i>`. */
  readonly id: string;
  readonly file?: string;
  readonly width: number;
  readonly height: number;
  /** Height × width × 3 bytes, row-major RGB, EXIF orientation already applied. */
  readonly rgb: Uint8Array;
  readonly segments: readonly Segment[];
  /** Height × width segment ids (0 = void/unlabelled), when the dataset has panoptic masks. */
  readonly panoptic?: Int32Array;
  readonly captions: readonly string[];
  /** Region proposals in pixels (the proposals variant of CLIPSelf sampling). */
  readonly proposals?: readonly Box[];
}

export interface Dataset {
  readonly name: string;
  readonly classes: readonly ClassInfo[];
  readonly length: number;
  /** Decodes sample i; errors name the file (and annotation id) and what is wrong. */
  get(i: number): Promise<Sample>;
  /** Content fingerprint for cache keys (see stdlib/data/fingerprint.ts). */
  fingerprint(opts?: { deep?: boolean }): Promise<string>;
  /**
   * The dataset's own phrasings of a class, as its captions say it (benches' `templates: dataset`):
   * a text tower that only ever read this dataset's captions is asked in its own words.
   */
  prompts?(c: ClassInfo): string[];
  /** Samples skipped under `skip_bad: true`, with reasons, for the end-of-run report. */
  readonly skipped?: readonly { readonly id: string; readonly reason: string }[];
}
