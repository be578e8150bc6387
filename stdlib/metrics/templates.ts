// Prompt templates for zero-shot text classifiers, as data. `{}` is the class name and `{a}` its
// article ("a"/"an"). VILD_TEMPLATES follows ViLD's 63 hand-crafted templates (also used by
// CLIPSelf's tools/generate_text_embeddings.py, notes/paper.md §4.1) as recalled, not copied from
// the source: the wording and order may differ in details. Callers can pass their own list.

export const VILD_TEMPLATES: readonly string[] = [
  "There is {a} {} in the scene.",
  "There is the {} in the scene.",
  "a photo of {a} {} in the scene.",
  "a photo of the {} in the scene.",
  "a photo of one {} in the scene.",

  "itap of {a} {}.",
  "itap of my {}.",
  "itap of the {}.",
  "a photo of {a} {}.",
  "a photo of my {}.",
  "a photo of the {}.",
  "a photo of one {}.",
  "a photo of many {}.",

  "a good photo of {a} {}.",
  "a good photo of the {}.",
  "a bad photo of {a} {}.",
  "a bad photo of the {}.",
  "a photo of a nice {}.",
  "a photo of the nice {}.",
  "a photo of a cool {}.",
  "a photo of the cool {}.",
  "a photo of a weird {}.",
  "a photo of the weird {}.",

  "a photo of a small {}.",
  "a photo of the small {}.",
  "a photo of a large {}.",
  "a photo of the large {}.",

  "a photo of a clean {}.",
  "a photo of the clean {}.",
  "a photo of a dirty {}.",
  "a photo of the dirty {}.",

  "a bright photo of {a} {}.",
  "a bright photo of the {}.",
  "a dark photo of {a} {}.",
  "a dark photo of the {}.",

  "a photo of a hard to see {}.",
  "a photo of the hard to see {}.",
  "a low resolution photo of {a} {}.",
  "a low resolution photo of the {}.",
  "a cropped photo of {a} {}.",
  "a cropped photo of the {}.",
  "a close-up photo of {a} {}.",
  "a close-up photo of the {}.",
  "a jpeg corrupted photo of {a} {}.",
  "a jpeg corrupted photo of the {}.",
  "a blurry photo of {a} {}.",
  "a blurry photo of the {}.",
  "a pixelated photo of {a} {}.",
  "a pixelated photo of the {}.",

  "a black and white photo of the {}.",
  "a black and white photo of {a} {}.",

  "a plastic {}.",
  "the plastic {}.",

  "a toy {}.",
  "the toy {}.",
  "a plushie {}.",
  "the plushie {}.",
  "a cartoon {}.",
  "the cartoon {}.",

  "an embroidered {}.",
  "the embroidered {}.",

  "a painting of the {}.",
  "a painting of a {}.",
];

/** The single-prompt alternative (`templates: simple` in the benches). */
export const SIMPLE_TEMPLATES: readonly string[] = ["a photo of {a} {}."];

export const TEMPLATE_SETS = { vild: VILD_TEMPLATES, simple: SIMPLE_TEMPLATES } as const;
