// Shape colours and the one mean colour that every stuff texture shares. The stuff mean is the
// mean of the colours in use, so a box's mean colour (shape pixels mixed with background) is, in
// expectation, the same for every kind whatever fraction of its box the kind fills: mean colour
// cannot tell a square (fills its box) from a star (fills under half) by the mix.

export interface NamedColor {
  readonly name: string;
  readonly rgb: readonly [number, number, number];
}

/** The first four are the prototype's (notes/toyworld.md); `colors: n` uses the first n. */
export const COLORS: readonly NamedColor[] = [
  { name: "red", rgb: [215, 45, 45] },
  { name: "green", rgb: [45, 170, 60] },
  { name: "blue", rgb: [45, 85, 215] },
  { name: "yellow", rgb: [235, 205, 35] },
  { name: "purple", rgb: [135, 55, 190] },
  { name: "orange", rgb: [240, 135, 30] },
  { name: "cyan", rgb: [40, 195, 205] },
  { name: "pink", rgb: [240, 120, 185] },
];

/** Mean of the first n colours, per channel (not rounded: textures add zero-mean deviations to it). */
export function stuffMean(n: number): [number, number, number] {
  const m: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) m[c] += COLORS[i]!.rgb[c]!;
  return [m[0] / n, m[1] / n, m[2] / n];
}
