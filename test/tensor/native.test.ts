// The native backend's own kernels against explicit references: OpenBLAS matMuls on every batch,
// transpose and broadcast shape (including the cross-broadcast the stock wasm kernel gets wrong),
// and each fused op and its gradient against the same math composed from stock ops on `cpu`.
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { multiHeadAttention } from "../../stdlib/tensor/fused/attention.ts";
import { softmax } from "../../stdlib/tensor/fused/softmax.ts";
import { activation, layerNorm, linear } from "../../stdlib/tensor/nn.ts";
import { gaussian } from "../../stdlib/tensor/random.ts";
import { NATIVE_UNAVAILABLE } from "../support/backends.ts";
import { repoRoot } from "../support/golden.ts";

/** out[b] = op(a[b])·op(b[b]) with NumPy broadcasting of the batch dims, in float64 loops. */
function referenceMatMul(
  a: Float32Array,
  as: number[],
  b: Float32Array,
  bs: number[],
  ta: boolean,
  tb: boolean,
): { shape: number[]; data: Float64Array } {
  const ra = as.length,
    rb = bs.length;
  const m = ta ? as[ra - 1]! : as[ra - 2]!,
    k = ta ? as[ra - 2]! : as[ra - 1]!,
    n = tb ? bs[rb - 2]! : bs[rb - 1]!;
  const rank = Math.max(ra, rb) - 2;
  const pa = [...Array(rank - (ra - 2)).fill(1), ...as.slice(0, -2)],
    pb = [...Array(rank - (rb - 2)).fill(1), ...bs.slice(0, -2)];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const total = batch.reduce((x, y) => x * y, 1);
  const data = new Float64Array(total * m * n);
  for (let o = 0; o < total; o++) {
    let rem = o,
      ia = 0,
      ib = 0,
      sa = 1,
      sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % batch[d]!;
      rem = Math.floor(rem / batch[d]!);
      ia += (pa[d] === 1 ? 0 : i) * sa;
      ib += (pb[d] === 1 ? 0 : i) * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = a[ia * m * k + (ta ? q * m + i : i * k + q)]!;
          const bv = b[ib * k * n + (tb ? j * k + q : q * n + j)]!;
          s += av * bv;
        }
        data[o * m * n + i * n + j] = s;
      }
  }
  return { shape: [...batch, m, n], data };
}

const count = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);

function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1e-6,
    worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  return worst;
}

if (NATIVE_UNAVAILABLE) {
  test(`native backend unavailable here: ${NATIVE_UNAVAILABLE}`, async () => {
    try {
      await initBackend("native");
      assert.unreachable("native started although the probe said it cannot");
    } catch (e) {
      assert.match((e as Error).message, /native: /);
    }
  });
} else {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [7, 3], false, false], // one shared right operand: a single long GEMM
    [[4, 5, 7], [4, 7, 3], false, false],
    [[2, 3, 6, 4], [2, 3, 5, 4], false, true], // attention scores
    [[2, 1, 5, 4], [1, 3, 4, 6], false, false], // cross-broadcast: stock wasm computes max(batch) products
    [[3, 1, 4, 5], [2, 4, 6], true, false],
    [[1, 5, 0], [1, 0, 3], false, false], // empty inner dimension: zeros
  ];
  for (const [as, bs, ta, tb] of cases) {
    test(`native matMul [${as}]${ta ? "ᵀ" : ""} × [${bs}]${tb ? "ᵀ" : ""} equals a float64 reference`, async () => {
      await initBackend("native");
      const a = gaussian(
          as.reduce((x, y) => x * y, 1),
          1,
          0,
          1,
        ),
        b = gaussian(
          bs.reduce((x, y) => x * y, 1),
          2,
          0,
          1,
        );
      const want = referenceMatMul(a, as, b, bs, ta, tb);
      const got = tf.tidy(() => tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb));
      assert.equal(got.shape, want.shape);
      const err = maxRelError(got.dataSync(), want.data);
      got.dispose();
      assert.ok(err < 2e-6, `max relative error ${err}`);
    });
  }

  test("native matMul survives the wasm heap growing between calls (views are never cached)", async () => {
    await initBackend("native");
    const a = tf.tensor(gaussian(64 * 32, 3, 0, 1), [64, 32]);
    const first = tf.matMul(a, a, false, true).dataSync().slice();
    const big = tf.zeros([96, 1024, 1024]); // 384 MiB: the heap must grow
    const again = tf.matMul(a, a, false, true).dataSync();
    big.dispose();
    a.dispose();
    assert.equal(Array.from(again), Array.from(first));
  });

  /** A fused op and its gradient on native against the composed formulation on cpu. */
  async function compareWithCpu(name: string, f: (xs: tf.Tensor[]) => tf.Tensor, shapes: number[][], tol: number) {
    const inputs = shapes.map((s, i) => gaussian(count(s), 10 + i, 0, 1));
    const run = async (backend: "native" | "cpu") => {
      await initBackend(backend);
      return tf.tidy(() => {
        const xs = inputs.map((v, i) => tf.tensor(v, shapes[i]!));
        const dy = tf.tensor(gaussian(f(xs).size, 99, 0, 1), f(xs).shape);
        const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => tf.sum(tf.mul(f(ts), dy)))(xs);
        return [value.dataSync().slice(), f(xs).dataSync().slice(), ...grads.map((g) => g.dataSync().slice())];
      });
    };
    const native = await run("native"),
      cpu = await run("cpu");
    const labels = ["loss", "value", ...shapes.map((_, i) => `grad ${i}`)];
    for (let i = 0; i < cpu.length; i++) {
      const err = maxRelError(native[i]!, cpu[i]!);
      assert.ok(err < tol, `${name} ${labels[i]}: max relative error ${err}`);
    }
  }

  test("fused GELU (tanh) and its gradient match the composed ops", async () => {
    await compareWithCpu("gelu_tanh", ([x]) => activation("gelu_tanh", tf.mul(x!, 3)), [[7, 131]], 2e-6);
  });

  test("fused quick GELU and its gradient match the composed ops", async () => {
    await compareWithCpu("quick_gelu", ([x]) => activation("quick_gelu", tf.mul(x!, 3)), [[5, 77]], 2e-6);
  });

  test("fused LayerNorm and its gradients (x, g, b) match the composed ops", async () => {
    await compareWithCpu(
      "layer_norm",
      ([x, g, b]) => layerNorm(tf.add(x!, 2), g!, b!, 1e-5),
      [[3, 5, 37], [37], [37]],
      1e-5,
    );
  });

  test("fused linear (bias in the GEMM) and its gradients match the composed ops", async () => {
    await compareWithCpu("linear", ([x, w, b]) => linear(x!, w!, b!), [[2, 9, 12], [5, 12], [5]], 2e-6);
    await compareWithCpu(
      "linear, no bias",
      ([x, w]) => linear(x!, w!),
      [
        [9, 12],
        [5, 12],
      ],
      2e-6,
    );
  });

  test("fused softmax and its gradient match tfjs's", async () => {
    await compareWithCpu("softmax", ([x]) => softmax(tf.mul(x!, 4)), [[2, 3, 5, 17]], 2e-6);
  });

  test("fused multi-head attention and its gradients (q, k, v) match the composed ops", async () => {
    await compareWithCpu(
      "attention",
      ([q, k, v]) => multiHeadAttention(q!, k!, v!, 3, 0.4),
      [
        [2, 7, 12],
        [2, 7, 12],
        [2, 7, 12],
      ],
      2e-6,
    );
  });

  test("100 fused training steps keep numTensors flat", async () => {
    await initBackend("native");
    const w = tf.variable(tf.tensor(gaussian(64 * 32, 5, 0, 1), [64, 32]));
    const g = tf.variable(tf.ones([64])),
      b = tf.variable(tf.zeros([64]));
    const x = tf.tensor(gaussian(16 * 32, 6, 0, 1), [16, 32]);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() =>
          tf.mean(tf.square(layerNorm(activation("gelu_tanh", linear(x, w)), g, b))),
        );
        for (const [name, grad] of Object.entries(grads))
          for (const v of [w, g, b]) if (v.name === name) v.assign(tf.sub(v, tf.mul(grad, 0.01)));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    assert.is(tf.memory().numTensors, before);
    for (const t of [w, g, b, x]) t.dispose();
  });

  test("SCDX_NATIVE=off: native is refused with that reason and default selection takes wasm", () => {
    const code = `import { initBackend } from "./stdlib/tensor/backend.ts";
      const info = await initBackend(); console.log(JSON.stringify(info));
      try { await initBackend("native"); } catch (e) { console.log(e.message); }`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "", SCDX_NATIVE: "off" },
    });
    assert.is(r.status, 0, r.stderr);
    const [json, err] = r.stdout.trim().split("\n").slice(-2);
    const info = JSON.parse(json!) as { name: string; tried: string[] };
    assert.ok(["wasm", "tensorflow"].includes(info.name));
    assert.ok(info.tried.includes("native: turned off by SCDX_NATIVE=off"), info.tried.join("; "));
    assert.match(err!, /native: turned off by SCDX_NATIVE=off/);
  });
}

test.run();
