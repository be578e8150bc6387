// Random-search sweeps: deterministic for a seed, inside each distribution's bounds (and so inside
// the params' intervals), composable with grid, and counted as the trials they make.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../lang/compile.ts";
import { repoHost } from "../support/golden.ts";

const head = `experiment r
param lambda = 0.5 in [0, 4]
param tau = 0.2 in (0, 1]
param k = 4 in [1, 16]
param pool = box
data val = shapes(images: 4, size: 64, seed: 2)
model base = clip(arch: vit_tiny)
bench probe = unsupervised_segmentation(base, val, clusters: k)
`;

function trials(sweep: string) {
  const file = "/virtual/random.scd";
  const r = compile(file, repoHost, { text: `${head}sweep ${sweep}\n` });
  assert.equal(r.diagnostics, [], JSON.stringify(r.diagnostics));
  return r.study!.trials.map((t) => t.params as Record<string, unknown>);
}

test("random draws n points, deterministic for its seed, different for another seed", () => {
  const s =
    "random(20, 3, lambda: uniform(0, 4), tau: loguniform(0.05, 0.5), k: integer(2, 8), pool: choice([box, mask]))";
  const a = trials(s);
  assert.is(a.length, 20);
  assert.equal(trials(s), a, "the same seed draws the same points");
  assert.not.equal(trials(s.replace("random(20, 3,", "random(20, 4,")), a);
  for (const p of a) {
    const l = p["lambda"] as number,
      t = p["tau"] as number,
      k = p["k"] as number;
    assert.ok(l >= 0 && l <= 4 && t >= 0.05 && t <= 0.5, JSON.stringify(p));
    assert.ok(Number.isInteger(k) && k >= 2 && k <= 8);
    assert.ok(["box", "mask"].includes(String(p["pool"])));
    assert.is(Number(l.toPrecision(4)), l, "4 significant digits");
  }
  assert.is(new Set(a.map((p) => p["k"])).size > 3, true, "integers spread over the range");
  const logs = a.map((p) => Math.log(p["tau"] as number));
  assert.ok(Math.min(...logs) < Math.log(0.1) && Math.max(...logs) > Math.log(0.25), "log-uniform covers the range");
});

test("seeds × random: the same drawn points under every seed", () => {
  const a = trials("grid(seed: 1..3) * random(5, lambda: uniform(0, 4))");
  assert.is(a.length, 15);
  const bySeed = (s: number) => a.filter((p) => p["seed"] === s).map((p) => p["lambda"]);
  assert.equal(bySeed(2), bySeed(1));
  assert.equal(bySeed(3), bySeed(1));
});

test("random outside sweep is SCD3011", () => {
  const r = compile("/virtual/x.scd", repoHost, { text: `${head}let x = random(3, lambda: uniform(0, 1))\n` });
  assert.ok(r.diagnostics.some((d) => d.code === "SCD3011" && /may only stand in `sweep`/.test(d.message)));
});

test.run();
