// Seeded random numbers for initialisation, independent of tfjs's backend-specific generators:
// (seed, stream) → the same floats on every machine. Box–Muller uses Math.log/cos/sqrt, which V8
// computes with its own fdlibm port, so results are stable across CPUs for a given Node version.

export { mulberry32 } from "../../core/prng.ts";
import { mulberry32 } from "../../core/prng.ts";

/** Mix a seed with a stream number so that parameters get independent sequences. */
export function mixSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function gaussian(n: number, seed: number, stream: number, std: number): Float32Array {
  const rand = mulberry32(mixSeed(seed, stream)),
    out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand(),
      v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
