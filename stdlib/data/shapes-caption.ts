// Captions of a shapes image: lower-case words separated by single spaces, no punctuation, at
// most 13 words (the toy text tower's context is 16 tokens), so the word tokenizer built from
// `shapesVocabulary` covers every caption. Relations come from the geometry: occlusion
// ("in front of", "behind"), else the dominant axis between the shapes' centres.
import { KINDS } from "./shapes-geometry.ts";
import { COLORS } from "./shapes-palette.ts";
import type { Rng } from "./shapes-random.ts";
import type { Scene } from "./shapes-scene.ts";
import { TEXTURES } from "./shapes-texture.ts";

const FUNCTION_WORDS = ["a", "and", "on", "in", "left", "right", "of", "above", "below", "front", "behind"] as const;
const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a");

/** Every word a caption of a world with these options can contain: function words, then the
 * colours, kinds and textures in use, in the order of their class indices. */
export function shapesVocabulary(o: {
  readonly colors: number;
  readonly kinds: number;
  readonly textures: number;
}): string[] {
  const colors = COLORS.slice(0, o.colors).map((c) => c.name);
  const an = colors.some((c) => article(c) === "an") ? ["an"] : [];
  return [...FUNCTION_WORDS, ...an, ...colors, ...KINDS.slice(0, o.kinds), ...TEXTURES.slice(0, o.textures)];
}

/** Fraction of the back shape's pixels that the front one covers, above which we say "in front of". */
const OCCLUDED = 0.15;

function phrase(s: Scene, i: number): string {
  const t = s.things[i]!,
    color = COLORS[t.color]!.name;
  return `${article(color)} ${color} ${KINDS[t.geometry.kind]}`;
}

/** "a red circle left of a blue triangle" for the ordered pair (i, j). */
function relate(s: Scene, i: number, j: number): string {
  const a = s.things[i]!.geometry,
    b = s.things[j]!.geometry;
  const [back, front] = i < j ? [i, j] : [j, i];
  const cov = s.covered[back]![front]!;
  const dx = a.cx - b.cx,
    dy = a.cy - b.cy;
  const near = Math.max(Math.abs(dx), Math.abs(dy)) < s.size / 16;
  if (cov >= OCCLUDED * s.things[back]!.raster.area || (near && cov > 0))
    return `${phrase(s, i)} ${i === front ? "in front of" : "behind"} ${phrase(s, j)}`;
  const rel = Math.abs(dx) >= Math.abs(dy) ? (dx < 0 ? "left of" : "right of") : dy < 0 ? "above" : "below";
  return `${phrase(s, i)} ${rel} ${phrase(s, j)}`;
}

/** Three captions: a relation, another relation with the main background texture, and the
 * (up to four) most visible shapes from left to right. */
export function captionsOf(s: Scene, rng: Rng): string[] {
  const n = s.things.length;
  const stuff = s.segments.filter((g) => !g.isThing).sort((x, y) => y.area - x.area || x.id - y.id);
  const main = stuff[0] ? TEXTURES[s.regions.find((r) => r.id === stuff[0]!.id)!.params.texture]! : undefined;
  const on = main ? ` on ${main}` : "";
  if (n === 0) return [stuff.map((g) => TEXTURES[s.regions.find((r) => r.id === g.id)!.params.texture]!).join(" and ")];
  if (n === 1) return [phrase(s, 0), phrase(s, 0) + on];
  const i = rng.below(n),
    j = (i + 1 + rng.below(n - 1)) % n;
  let k = j,
    l = i;
  if (n >= 3) {
    // A second pair that differs from the first as a set.
    do {
      k = rng.below(n);
      l = (k + 1 + rng.below(n - 1)) % n;
    } while ((k === i && l === j) || (k === j && l === i));
  }
  const visible = s.segments
    .filter((g) => g.isThing)
    .sort((x, y) => y.area - x.area || x.id - y.id)
    .slice(0, 4)
    .map((g) => g.id - 1);
  visible.sort((x, y) => s.things[x]!.geometry.cx - s.things[y]!.geometry.cx || x - y);
  const listed = visible.map((t) => phrase(s, t));
  const list = listed.length > 1 ? `${listed.slice(0, -1).join(" ")} and ${listed[listed.length - 1]}` : listed[0]!;
  return [relate(s, i, j), relate(s, k, l) + on, list];
}
