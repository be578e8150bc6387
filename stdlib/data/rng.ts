// Seeded randomness for the data side: shuffling and region sampling. Built on the one PRNG of the
// project (stdlib/tensor/random.ts: mulberry32 + mixSeed) so that there is a single generator to
// trust. Every stream is derived from integers (seed, epoch, position, …), never from a running
// state, so a batch's randomness does not depend on how far prefetching ran ahead or on resuming.
import { mixSeed, mulberry32 } from "../tensor/random.ts";

export class Rng {
  private readonly rand: () => number;
  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  /** Derived from several integers: `Rng.of(seed, epoch, position)`. */
  static of(...parts: number[]): Rng {
    return new Rng(deriveSeed(...parts));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.rand();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n ≥ 1, got ${n}`);
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Fisher–Yates in place; only the first `k` positions are drawn (a uniform k-subset in random order). */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T, k = a.length): T {
    const n = a.length;
    for (let i = 0; i < Math.min(k, n - 1); i++) {
      const j = i + this.int(n - i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** A 32-bit seed from a sequence of integers (order matters). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) {
    if (!Number.isSafeInteger(p)) throw new RangeError(`deriveSeed needs integers, got ${p}`);
    // Fold high bits in too, so positions ≥ 2³² still give distinct seeds.
    h = mixSeed(h ^ (p >>> 0), Math.floor(p / 4294967296) + 1);
  }
  return h;
}
