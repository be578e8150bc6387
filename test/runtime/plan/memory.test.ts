// The plan's memory estimate: its parameter count against the real parameter table of the same
// architecture (stdlib/models/clip-params.ts), and its activation term against a hand count.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clipConfigs } from "../../../stdlib/models/configs.ts";
import { archFromFacts } from "../../../stdlib/models/clip-arch.ts";
import { clipShapes } from "../../../stdlib/models/clip-params.ts";
import { activationBytes, parameterCount } from "../../../runtime/plan/memory.ts";
import type { ModelFacts } from "../../../core/facts.ts";

const facts = (arch: string): ModelFacts => {
  const c = clipConfigs[arch]!;
  return {
    family: "clip",
    arch,
    width: c.width,
    layers: c.layers,
    heads: c.heads,
    patch: c.patch,
    imageSize: c.imageSize,
    embedDim: c.embedDim,
    text: c.text,
    groups: [],
    defaultTrainable: [],
    frozen: false,
  };
};

for (const arch of ["vit_tiny", "vit_b16", "vit_l14"]) {
  test(`${arch}: the estimate's parameter count is within 1% of the real table`, () => {
    const real = Object.values(clipShapes(archFromFacts(facts(arch)))).reduce(
      (n, s) => n + s.reduce((a, b) => a * b, 1),
      0,
    );
    const est = parameterCount(facts(arch));
    assert.ok(Math.abs(est - real) / real < 0.01, `estimate ${est}, real ${real}`);
  });
}

test("activations: 4 bytes × layers × (16 per token and channel + 3 attention maps)", () => {
  const f = facts("vit_b16"); // 224 px: 14×14 + 1 = 197 tokens
  assert.is(activationBytes(f, 2, 224), 4 * 12 * (2 * 197 * 768 * 16 + 2 * 12 * 197 * 197 * 3));
});

test.run();
