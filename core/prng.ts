// The one pseudo-random generator of scdx, below every layer: parameter initialisation and data
// sampling (stdlib) and random-search sweeps (lang) draw from it, so a seed means the same numbers
// in both and on every machine.

/** mulberry32: a 32-bit state PRNG, uniform in [0, 1); good enough for initialisation and sampling. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
