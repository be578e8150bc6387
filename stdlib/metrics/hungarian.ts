// Linear sum assignment (Hungarian method with potentials and shortest augmenting paths, in the
// Jonker–Volgenant style): O(n²·m) for an n×m cost matrix with n ≤ m. Same contract as
// scipy.optimize.linear_sum_assignment: rectangular matrices assign min(n, m) pairs, each row and
// column at most once, minimising (or maximising) the total; rows are returned in increasing order.

export interface Assignment {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  /** Sum of the chosen costs (of the original matrix, not negated). */
  readonly total: number;
}

/** `cost` row-major [n, m] (finite numbers). */
export function linearSumAssignment(
  cost: ArrayLike<number>,
  n: number,
  m: number,
  opts: { maximize?: boolean } = {},
): Assignment {
  if (cost.length !== n * m) throw new Error(`linearSumAssignment: ${cost.length} costs for a ${n}×${m} matrix`);
  for (let i = 0; i < cost.length; i++)
    if (!Number.isFinite(cost[i]!)) throw new RangeError(`linearSumAssignment: cost ${i} is ${cost[i]}`);
  const sign = opts.maximize ? -1 : 1;
  // Work on a matrix with no more rows than columns; transpose back at the end.
  const flip = n > m;
  const R = flip ? m : n,
    K = flip ? n : m;
  const a = (i: number, j: number): number => sign * (flip ? cost[j * m + i]! : cost[i * m + j]!);
  const colOfRow = solve(a, R, K);
  const pairs: [number, number][] = [];
  for (let i = 0; i < R; i++) pairs.push(flip ? [colOfRow[i]!, i] : [i, colOfRow[i]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const rows = Int32Array.from(pairs, (p) => p[0]),
    cols = Int32Array.from(pairs, (p) => p[1]);
  let total = 0;
  for (let k = 0; k < rows.length; k++) total += cost[rows[k]! * m + cols[k]!]!;
  return { rows, cols, total };
}

/**
 * Rows are added one at a time; for each, a Dijkstra-like search over columns with reduced costs
 * a[i][j] − u[i] − v[j] ≥ 0 finds the cheapest augmenting path to a free column, and the potentials
 * are updated so reduced costs stay non-negative. Indices are 1-based inside, 0 = "none".
 * Returns the column of each row (0-based). Requires R ≤ K.
 */
function solve(a: (i: number, j: number) => number, R: number, K: number): Int32Array {
  const u = new Float64Array(R + 1),
    v = new Float64Array(K + 1);
  const rowOfCol = new Int32Array(K + 1); // p[j]: row matched to column j
  const way = new Int32Array(K + 1); // previous column on the shortest path
  const minv = new Float64Array(K + 1);
  const used = new Uint8Array(K + 1);
  for (let i = 1; i <= R; i++) {
    rowOfCol[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOfCol[j0]!;
      let delta = Infinity,
        j1 = 0;
      for (let j = 1; j <= K; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= K; j++) {
        if (used[j]) {
          u[rowOfCol[j]!] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    do {
      // augment along the path back to the virtual column 0
      const j1 = way[j0]!;
      rowOfCol[j0] = rowOfCol[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOfRow = new Int32Array(R);
  for (let j = 1; j <= K; j++) if (rowOfCol[j]! > 0) colOfRow[rowOfCol[j]! - 1] = j - 1;
  return colOfRow;
}
