// Integer-only randomness for the shapes world, on the project's one PRNG (mulberry32 and the
// mixSeed finaliser of stdlib/tensor/random.ts): 32-bit integer arithmetic (Math.imul, shifts,
// xor) and exact divisions by 2³², so a seed gives the same numbers on every engine and CPU.
import { mixSeed, mulberry32 } from "../tensor/random.ts";

/** Hash of a few integers (each taken mod 2³²), order mattering; for per-pixel and per-block noise. */
export function hash32(...parts: readonly number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) h = mixSeed(h, p >>> 0);
  return h;
}

/** A sequential stream of draws. */
export class Rng {
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  /** mulberry32 yields k / 2³² for a 32-bit integer k; this is k, exactly. */
  u32(): number {
    return this.rand() * 4294967296;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2²⁰: k·n < 2⁵³, so the product is exact. */
  below(n: number): number {
    return Math.floor((this.u32() * n) / 4294967296);
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}
