// Zero-shot text classifiers by prompt ensembling (ViLD / CLIPSelf, notes/paper.md §4.1): per class,
// fill every template, encode, L2-normalise each prompt embedding, average, L2-normalise again.
import * as tf from "@tensorflow/tfjs";
import { VILD_TEMPLATES } from "./templates.ts";

/** Class name as prompts use it: lower-case, "_" → " ", "/" → " or ", no trailing dot. */
export function promptName(name: string): string {
  return name.replace(/_/g, " ").replace(/\//g, " or ").toLowerCase().replace(/\.+$/, "");
}

/** "an" before a vowel letter, else "a" (ViLD's rule: by spelling, not sound). */
export function article(name: string): "a" | "an" {
  return /^[aeiou]/.test(name) ? "an" : "a";
}

export interface PromptOptions {
  /** Prefix "This is " to prompts starting with "a" or "the" (ViLD's `this_is`; default true). */
  readonly thisIs?: boolean;
}

/** The prompts of one class: `{a}` → article, `{}` → the processed name. */
export function fillTemplates(
  name: string,
  templates: readonly string[] = VILD_TEMPLATES,
  opts: PromptOptions = {},
): string[] {
  const n = promptName(name),
    a = article(n);
  return templates.map((t) => {
    const p = t.replace(/\{a\}|\{\}/g, (m) => (m === "{a}" ? a : n));
    return (opts.thisIs ?? true) && (p.startsWith("a") || p.startsWith("the")) ? "This is " + p : p;
  });
}

/** Encodes prompts to [P, E] embeddings (any scale; normalised here). May be async. */
export type TextEncoder = (prompts: string[]) => tf.Tensor2D | Promise<tf.Tensor2D>;

/**
 * [C, E] classifier, row c = L2(mean_t L2(encode(prompt_t(class c)))). One encoder call per class;
 * the encoder's output is disposed here.
 */
export async function textClassifier(
  encodeText: TextEncoder,
  classNames: readonly string[],
  templates: readonly string[] = VILD_TEMPLATES,
  opts: PromptOptions = {},
): Promise<tf.Tensor2D> {
  if (templates.length === 0) throw new Error("textClassifier: no templates");
  if (classNames.length === 0) throw new Error("textClassifier: no classes");
  const rows: tf.Tensor1D[] = [];
  try {
    for (const name of classNames) {
      const emb = await encodeText(fillTemplates(name, templates, opts));
      rows.push(
        tf.tidy(() => {
          const unit = tf.div(emb, tf.norm(emb, "euclidean", 1, true)); // [P, E]
          const mean = tf.mean(unit, 0); // [E]
          return tf.div(mean, tf.norm(mean)) as tf.Tensor1D;
        }),
      );
      emb.dispose();
    }
    return tf.stack(rows) as tf.Tensor2D;
  } finally {
    tf.dispose(rows);
  }
}
