// The report's PCA colouring against NumPy (test/reference/pca.py): mean, the three components with
// the sign convention (largest-magnitude loading positive), their variances, and every projection.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fitPca, pcaRgb, project } from "../../../runtime/report/pca.ts";
import { loadFixture } from "../../support/reference.ts";

const fx = loadFixture("pca");
const x = fx.raw("x").data as Float32Array;
const dim = fx.raw("x").shape[1]!;
const use = fx.raw("use").data as Int32Array;

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assert.is(got.length, want.length, what);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  assert.ok(worst <= tol, `${what}: max |Δ| ${worst}`);
}

test("basis and projections equal NumPy's (fitted on the selected rows, applied to all)", () => {
  const b = fitPca(x, dim, use);
  close(b.mean, fx.raw("mean").data as Float32Array, 1e-6, "mean");
  close(b.variance, fx.raw("variance").data as Float32Array, 1e-6, "variance");
  close(b.components, fx.raw("components").data as Float32Array, 1e-5, "components");
  close(project(b, x), fx.raw("projection").data as Float32Array, 1e-5, "projections");
});

test("colours: the reference's 2nd–98th percentiles span 0–255; a second model reuses the scale", () => {
  const b = fitPca(x, dim, use);
  const rgb = pcaRgb(b, x);
  assert.is(rgb.length, (x.length / dim) * 3);
  for (let c = 0; c < 3; c++) {
    const vals = [...rgb].filter((_, i) => i % 3 === c);
    assert.ok(Math.min(...vals) === 0 && Math.max(...vals) === 255, `component ${c} uses the full range`);
  }
  const shifted = x.map((v) => v + 0.5);
  assert.not.equal([...pcaRgb(b, shifted)], [...rgb], "another model's features get other colours on the same scale");
});

test.run();
