// linearSumAssignment against scipy.optimize.linear_sum_assignment on random square and rectangular
// matrices (minimise and maximise), plus a brute-force check over all permutations.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { linearSumAssignment } from "../../stdlib/metrics/hungarian.ts";
import { mulberry32 } from "../../stdlib/tensor/random.ts";
import { loadFixture } from "../support/reference.ts";

const fx = loadFixture("hungarian");
const cases = fx.meta["cases"] as { shape: [number, number]; maximize: boolean; ties: boolean; total: number }[];

test("matches scipy: optimum always, indices where the optimum is unique", () => {
  cases.forEach((c, i) => {
    const [n, m] = c.shape;
    const r = linearSumAssignment(fx.raw(`cost${i}`).data, n, m, { maximize: c.maximize });
    assert.ok(Math.abs(r.total - c.total) < 1e-5, `case ${i}: total ${r.total} vs scipy ${c.total}`);
    assert.is(r.rows.length, Math.min(n, m));
    assert.is(new Set(r.cols).size, r.cols.length, "columns used once");
    assert.ok(
      r.rows.every((v, k) => k === 0 || v > r.rows[k - 1]!),
      "rows increasing",
    );
    if (!c.ties) {
      assert.equal([...r.rows], [...fx.raw(`rows${i}`).data], `case ${i} rows`);
      assert.equal([...r.cols], [...fx.raw(`cols${i}`).data], `case ${i} cols`);
    }
  });
});

function bruteForce(cost: number[], n: number, m: number): number {
  // n ≤ m: best injective row → column map
  let best = Infinity;
  const used = new Array<boolean>(m).fill(false);
  const go = (i: number, acc: number) => {
    if (i === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = 0; j < m; j++)
      if (!used[j]) {
        used[j] = true;
        go(i + 1, acc + cost[i * m + j]!);
        used[j] = false;
      }
  };
  go(0, 0);
  return best;
}

test("equals brute force on 200 small random integer matrices (ties included)", () => {
  const rand = mulberry32(42);
  for (let t = 0; t < 200; t++) {
    const n = 1 + Math.floor(rand() * 5),
      m = n + Math.floor(rand() * 3);
    const cost = Array.from({ length: n * m }, () => Math.floor(rand() * 7) - 2);
    const want = bruteForce(cost, n, m);
    assert.is(linearSumAssignment(cost, n, m).total, want, `n ${n} m ${m}`);
    const tr = Array.from({ length: n * m }, (_, k) => cost[(k % n) * m + Math.floor(k / n)]!); // transposed [m, n]
    assert.is(linearSumAssignment(tr, m, n).total, want, "transposed");
  }
});

test("rejects non-finite costs and bad sizes", () => {
  assert.throws(() => linearSumAssignment([0, NaN], 1, 2), /NaN/);
  assert.throws(() => linearSumAssignment([0, 1, 2], 2, 2), /3 costs/);
});

test.run();
