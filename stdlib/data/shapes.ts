// The shapes world as a Dataset: sample i is generated on demand from (options, i) alone, so
// access is random and the bytes are the same on every machine and in every order of access.
//
// Class vocabulary (ClassInfo list): things are the shape *kinds* (circle, square, …), stuff the
// textures; colour is an attribute named in captions, not part of the label. With colour × kind
// labels, a region's mean colour alone names its colour and so narrows the class to `kinds`
// choices — the prototype's teacher (notes/toyworld.md) scored no better than that. With kind
// labels every colour appears with every kind and all textures share one mean colour, so mean
// colour is at chance for both things and stuff: telling the classes apart needs shape and texture.
import { createHash } from "node:crypto";
import { canonicalJson, type Json } from "../../core/ir.ts";
import { defaultOptions } from "../option-schema.ts";
import type { ClassInfo, Dataset, Sample } from "./sample.ts";
import { captionsOf, shapesVocabulary } from "./shapes-caption.ts";
import { KINDS } from "./shapes-geometry.ts";
import { COLORS } from "./shapes-palette.ts";
import { shapes as shapesMeta } from "./shapes.meta.ts";
import { hash32, Rng } from "./shapes-random.ts";
import type { Range } from "./shapes-composition.ts";
import { renderScene, type Scene, type SceneOptions } from "./shapes-scene.ts";
import { TEXTURES } from "./shapes-texture.ts";

export { shapesVocabulary };

/** The meta's options, defaults filled in (what a lowered `shapes(...)` data node carries). Ranges
 * (`thing_size: 18..40`) arrive as lists of integers; only their least and greatest count. */
export interface ShapesOptions extends Omit<SceneOptions, "thing_size" | "zoom_shapes" | "zoom_size"> {
  readonly images: number;
  readonly thing_size?: readonly number[];
  readonly zoom_shapes?: readonly number[];
  readonly zoom_size?: readonly number[];
}

const span = (r: readonly number[] | undefined): Range | undefined =>
  r ? [Math.min(...r), Math.max(...r)] : undefined;

/** The generator's view of the options: ranges as [least, greatest]. */
function sceneOptions(o: ShapesOptions): SceneOptions {
  return { ...o, thing_size: span(o.thing_size), zoom_shapes: span(o.zoom_shapes), zoom_size: span(o.zoom_size) };
}

const CAPTION_SALT = 0xc0ffee;

/** Fills defaults from the meta's schema and checks what the schema cannot (min ≤ max). */
export function shapesOptions(partial: Readonly<Record<string, unknown>> = {}): ShapesOptions {
  const o = { ...defaultOptions(shapesMeta.options), ...partial } as unknown as ShapesOptions;
  const known = new Set(Object.keys(shapesMeta.options.properties));
  for (const k of Object.keys(partial)) if (!known.has(k)) throw new Error(`shapes: unknown option \`${k}\``);
  for (const k of ["images", "size", "seed", "min_shapes", "max_shapes", "colors", "kinds", "textures"] as const) {
    const v = o[k],
      p = shapesMeta.options.properties[k]!;
    if (
      !Number.isInteger(v) ||
      v < (p["minimum"] as number) ||
      (p["maximum"] !== undefined && v > (p["maximum"] as number))
    )
      throw new Error(`shapes: option \`${k}\` must be an integer in range, got ${String(v)}`);
  }
  if (o.min_shapes > o.max_shapes)
    throw new Error(`shapes: min_shapes ${o.min_shapes} is larger than max_shapes ${o.max_shapes}`);
  for (const k of ["thing_size", "zoom_shapes", "zoom_size"] as const) {
    const r = o[k];
    if (r !== undefined && (!Array.isArray(r) || r.length === 0 || !r.every((v) => Number.isInteger(v) && v >= 1)))
      throw new Error(`shapes: option \`${k}\` must be a range of positive integers, got ${JSON.stringify(r)}`);
  }
  if (o.zoom !== undefined && !(o.zoom >= 0 && o.zoom <= 1))
    throw new Error(`shapes: option \`zoom\` must be a probability in [0, 1], got ${String(o.zoom)}`);
  if (o.background !== undefined && !["regions", "grey"].includes(o.background))
    throw new Error(`shapes: background must be regions or grey, got ${String(o.background)}`);
  if (o.labels !== undefined && !["kind", "kind_color"].includes(o.labels))
    throw new Error(`shapes: labels must be kind or kind_color, got ${String(o.labels)}`);
  if (!["easy", "medium", "hard"].includes(o.difficulty))
    throw new Error(`shapes: difficulty must be easy, medium or hard, got ${String(o.difficulty)}`);
  return o;
}

/** Things (kinds, or "red circle", "green circle", … for kind_color) then stuff (textures); ids
 * equal indices. */
export function shapesClasses(o: Pick<ShapesOptions, "kinds" | "textures" | "colors" | "labels">): ClassInfo[] {
  const colors = COLORS.slice(0, o.colors).map((c) => c.name);
  const kinds = KINDS.slice(0, o.kinds);
  const names = o.labels === "kind_color" ? kinds.flatMap((k) => colors.map((c) => `${c} ${k}`)) : [...kinds];
  const n = names.length;
  return [
    ...names.map((name, i) => ({ index: i, id: i, name, isThing: true })),
    ...TEXTURES.slice(0, o.textures).map((name, i) => ({ index: n + i, id: n + i, name, isThing: false })),
  ];
}

/** The scene behind sample i (with colours, geometry and occlusion), for tests and previews. */
export function shapesScene(o: ShapesOptions, index: number): { scene: Scene; captions: string[] } {
  const scene = renderScene(sceneOptions(o), index);
  return { scene, captions: captionsOf(scene, new Rng(hash32(o.seed, index, CAPTION_SALT))) };
}

export function shapesSample(o: ShapesOptions, index: number): Sample {
  const { scene, captions } = shapesScene(o, index);
  return {
    id: `shapes:${o.seed}:${index}`,
    width: o.size,
    height: o.size,
    rgb: scene.rgb,
    segments: scene.segments,
    panoptic: scene.panoptic,
    captions,
  };
}

/** The annotations of a sample as canonical JSON (sorted keys): what the determinism test hashes. */
export function annotationJson(s: Sample): string {
  const j: Json = {
    id: s.id,
    width: s.width,
    height: s.height,
    captions: [...s.captions],
    segments: s.segments.map((g) => ({ id: g.id, label: g.label, isThing: g.isThing, box: [...g.box], area: g.area })),
  };
  return canonicalJson(j);
}

export function createShapes(options: ShapesOptions): Dataset {
  const o = shapesOptions(options as unknown as Record<string, unknown>);
  return {
    name: "shapes",
    classes: shapesClasses(o),
    length: o.images,
    async get(i: number): Promise<Sample> {
      if (!Number.isInteger(i) || i < 0 || i >= o.images)
        throw new RangeError(`shapes: sample ${i} is out of range 0..${o.images - 1}`);
      return shapesSample(o, i);
    },
    prompts: (c) => shapesPrompts(o, c),
    // Generated data is a function of its options and the generator's version: no bytes to hash.
    async fingerprint(): Promise<string> {
      const opts = Object.fromEntries(Object.entries(o)) as Record<string, Json>;
      return createHash("sha256")
        .update(canonicalJson({ generator: "shapes", version: shapesMeta.version, options: opts }))
        .digest("hex");
    },
  };
}

/**
 * A class as the captions phrase it: a thing is "a red circle" in every colour of the world, a
 * texture is the "… on stripes" that ends a caption, after each coloured kind. Averaged into one
 * text embedding per class, the colour (which is not the class) cancels out.
 */
export function shapesPrompts(o: Pick<ShapesOptions, "colors" | "kinds" | "labels">, c: ClassInfo): string[] {
  const colors = COLORS.slice(0, o.colors).map((x) => x.name);
  const a = (w: string) => (/^[aeiou]/.test(w) ? "an" : "a");
  // kind_color: the class is "red circle", phrased as the captions do.
  if (o.labels === "kind_color" && c.isThing) return [`${a(c.name)} ${c.name}`];
  const things = (kind: string) => colors.map((col) => `${a(col)} ${col} ${kind}`);
  return c.isThing ? things(c.name) : KINDS.slice(0, o.kinds).flatMap((k) => things(k).map((t) => `${t} on ${c.name}`));
}
