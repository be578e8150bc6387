// A 5×7 bitmap font for previews (upper-case glyphs; lower case is drawn as upper case), so that
// `scdx data --preview` can write captions and labels into PNGs without a font library.

const GLYPHS: Record<string, string> = {
  A: ".###.#...##...#######...##...##...#",
  B: "####.#...##...#####.#...##...#####.",
  C: ".###.#...##....#....#....#...#.###.",
  D: "####.#...##...##...##...##...#####.",
  E: "######....#....####.#....#....#####",
  F: "######....#....####.#....#....#....",
  G: ".###.#...##....#.####...##...#.###.",
  H: "#...##...##...#######...##...##...#",
  I: ".###...#....#....#....#....#...###.",
  J: "..###...#....#....#....#.#..#..##..",
  K: "#...##..#.#.#..##...#.#..#..#.#...#",
  L: "#....#....#....#....#....#....#####",
  M: "#...###.###.#.##.#.##...##...##...#",
  N: "#...##...###..##.#.##..###...##...#",
  O: ".###.#...##...##...##...##...#.###.",
  P: "####.#...##...#####.#....#....#....",
  Q: ".###.#...##...##...##.#.##..#..##.#",
  R: "####.#...##...#####.#.#..#..#.#...#",
  S: ".#####....#.....###.....#....#####.",
  T: "#####..#....#....#....#....#....#..",
  U: "#...##...##...##...##...##...#.###.",
  V: "#...##...##...##...##...#.#.#...#..",
  W: "#...##...##...##.#.##.#.##.#.#.#.#.",
  X: "#...##...#.#.#...#...#.#.#...##...#",
  Y: "#...##...#.#.#...#....#....#....#..",
  Z: "#####....#...#...#...#...#....#####",
  "0": ".###.#...##..###.#.###..##...#.###.",
  "1": "..#...##....#....#....#....#...###.",
  "2": ".###.#...#....#...#...#...#...#####",
  "3": "####.....#....#.###.....#....#####.",
  "4": "...#...##..#.#.#..#.#####...#....#.",
  "5": "######....####.....#....##...#.###.",
  "6": "..##..#...#....####.#...##...#.###.",
  "7": "#####....#...#...#...#....#....#...",
  "8": ".###.#...##...#.###.#...##...#.###.",
  "9": ".###.#...##...#.####....#...#..##..",
  " ": "...................................",
  ".": "..........................##...##..",
  ",": ".....................##....#...#...",
  ":": "......##...##........##...##.......",
  "-": "...............#####...............",
  "(": "...#...#...#....#....#.....#.....#.",
  ")": ".#.....#.....#....#....#...#...#...",
  "/": "....#....#...#...#...#...#....#....",
  _: "..............................#####",
  "=": "..........#####.....#####..........",
  "'": "..#....#...#.......................",
  "?": ".###.#...#....#...#...#.........#..",
  "#": ".#.#..#.#.#####.#.#.#####.#.#..#.#.",
  "×": ".....#...#.#.#...#...#.#.#...#.....",
  "+": ".......#....#..#####..#....#.......",
};

export const GLYPH_W = 5,
  GLYPH_H = 7,
  ADVANCE = 6,
  LINE = 10;

const bits = new Map<string, Uint8Array>(
  Object.entries(GLYPHS).map(([ch, s]) => [ch, Uint8Array.from(s, (c) => (c === "#" ? 1 : 0))]),
);

/** Pixel width of `text` at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length * ADVANCE * scale;
}

/** Draws `text` into an RGB canvas of width `w` with its top-left corner at (x, y); clips at the edges. */
export function drawText(
  rgb: Uint8Array,
  w: number,
  h: number,
  x: number,
  y: number,
  text: string,
  color: readonly number[],
  scale = 1,
): void {
  let cx = x;
  for (const raw of text) {
    const g = bits.get(raw.toUpperCase()) ?? bits.get("?")!;
    for (let gy = 0; gy < GLYPH_H * scale; gy++)
      for (let gx = 0; gx < GLYPH_W * scale; gx++) {
        if (!g[Math.floor(gy / scale) * GLYPH_W + Math.floor(gx / scale)]) continue;
        const px = cx + gx,
          py = y + gy;
        if (px < 0 || py < 0 || px >= w || py >= h) continue;
        for (let c = 0; c < 3; c++) rgb[(py * w + px) * 3 + c] = color[c]!;
      }
    cx += ADVANCE * scale;
  }
}

/** Greedy word wrap to at most `maxChars` characters per line (a longer word gets a line of its own, cut). */
export function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= maxChars) line = next;
    else {
      if (line) lines.push(line);
      line = word.slice(0, maxChars);
    }
  }
  if (line) lines.push(line);
  return lines;
}
