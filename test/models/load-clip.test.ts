// Checkpoint loading and saving. References: the PyTorch-written fixtures (test/reference/clip.py) —
// the HF tensors (param.*), the same weights in the OpenAI/open_clip key layout (clip_tiny_*_openai,
// fused in_proj and transposed projections done by torch) and the embeddings PyTorch computed.
import * as tf from "@tensorflow/tfjs";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
  type TensorToWrite,
} from "../../stdlib/io/safetensors.ts";
import { archFromHfConfig, type ClipArch } from "../../stdlib/models/clip-arch.ts";
import { denseFeatures, encodeImage, encodeText, eotPositions } from "../../stdlib/models/clip.ts";
import { initClip } from "../../stdlib/models/clip-params.ts";
import { CheckpointError, loadClip, saveClip } from "../../stdlib/models/load-clip.ts";
import { initBackend } from "../../stdlib/tensor/backend.ts";
import { repoRoot } from "../support/golden.ts";
import { assertClose, loadFixture, type Fixture } from "../support/reference.ts";
import { TEST_BACKENDS } from "../support/backends.ts";

const NAMES = ["quick", "tanh"] as const;
const fixtures = Object.fromEntries(NAMES.map((n) => [n, loadFixture(`clip_tiny_${n}`)])) as Record<
  (typeof NAMES)[number],
  Fixture
>;
const archOf = (fx: Fixture) => archFromHfConfig(fx.meta["config"] as Record<string, unknown>);
const hfKeys = (fx: Fixture) => [...fx.tensors.keys()].filter((k) => k.startsWith("param.")).map((k) => k.slice(6));
const paramsOf = (fx: Fixture) => Object.fromEntries(hfKeys(fx).map((k) => [k, fx.tensor(`param.${k}`)]));
// The open_clip config a user of these tiny models would write: the heads OpenAI's width/64 rule cannot give.
const openClipCfg = (a: ClipArch) => ({
  model_cfg: {
    embed_dim: a.embedDim,
    quick_gelu: a.vision.act === "quick_gelu",
    vision_cfg: { head_width: a.vision.width / a.vision.heads },
    text_cfg: { heads: a.text!.heads },
  },
  ...(a.vision.act === "gelu_tanh" ? { scdx: { act: { vision: "gelu_tanh", text: "gelu_tanh" } } } : {}),
});

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "scdx-ckpt-"));
}

function sameParams(got: Record<string, tf.Tensor>, fx: Fixture, what: string): void {
  assert.equal(Object.keys(got).sort(), hfKeys(fx).sort(), `${what}: keys`);
  for (const k of hfKeys(fx)) {
    const a = got[k]!,
      e = fx.raw(`param.${k}`);
    assert.equal(a.shape, [...e.shape], `${what}: shape of ${k}`);
    const av = a.dataSync(),
      ev = e.data;
    for (let i = 0; i < ev.length; i++)
      if (av[i] !== ev[i]) assert.unreachable(`${what}: ${k}[${i}] is ${av[i]}, expected ${ev[i]}`);
  }
}

const dispose = (p: Record<string, tf.Tensor>) => tf.dispose(Object.values(p));
function hfTensors(
  fx: Fixture,
  edit: (t: Record<string, TensorToWrite>) => void = () => {},
): Record<string, TensorToWrite> {
  const t: Record<string, TensorToWrite> = {};
  for (const k of hfKeys(fx)) {
    const r = fx.raw(`param.${k}`);
    t[k] = { dtype: "F32", shape: r.shape, data: r.data };
  }
  edit(t);
  return t;
}
function writeHf(
  dir: string,
  fx: Fixture,
  edit?: (t: Record<string, TensorToWrite>) => void,
  dtype: "F32" | "F16" | "BF16" = "F32",
): string {
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(fx.meta["config"]));
  const t = hfTensors(fx, edit);
  for (const k of Object.keys(t)) if (t[k]!.dtype === "F32") t[k] = { ...t[k]!, dtype };
  writeSafetensors(path.join(dir, "model.safetensors"), t);
  return path.join(dir, "model.safetensors");
}
function errorOf(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error("expected a CheckpointError");
}

for (const name of NAMES) {
  test(`${name}: save → load round trip in both layouts gives identical tensors and architecture`, async () => {
    await initBackend("cpu");
    const fx = fixtures[name],
      arch = archOf(fx),
      params = paramsOf(fx);
    for (const layout of ["hf", "openai"] as const) {
      const dir = tmp();
      try {
        const files = saveClip(dir, arch, params, layout, { note: "test" });
        assert.equal(readSafetensors(files[1]!).metadata, { format: "pt", note: "test" });
        const got = loadClip(dir);
        assert.is(got.layout, layout);
        assert.equal(got.arch, arch);
        assert.equal(got.ignored, []);
        sameParams(got.params, fx, `${name}/${layout}`);
        dispose(got.params);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    dispose(params);
  });

  for (const backend of TEST_BACKENDS) {
    test(`${backend}/${name}: PyTorch's OpenAI-layout file loads onto the HF tensors and gives PyTorch's embeddings`, async () => {
      await initBackend(backend);
      const fx = fixtures[name],
        arch = archOf(fx),
        dir = tmp();
      try {
        const file = path.join(dir, "ViT-tiny.safetensors");
        fs.copyFileSync(fixtureFile(`${name}_openai`), file);
        fs.writeFileSync(path.join(dir, "open_clip_config.json"), JSON.stringify(openClipCfg(arch)));
        const got = loadClip(file);
        assert.is(got.layout, "openai");
        assert.equal(got.arch, arch);
        sameParams(got.params, fx, `${name}/openai`);
        tf.tidy(() => {
          const ids = fx.raw("ids"),
            [B, L] = ids.shape as [number, number];
          const idsT = tf.tensor2d(ids.data as Int32Array, [B, L], "int32");
          assertClose(encodeImage(got.params, got.arch, fx.tensor("images")), fx.raw("image_embeds"), "image_embeds");
          assertClose(denseFeatures(got.params, got.arch, fx.tensor("images")), fx.raw("dense"), "dense");
          assertClose(
            encodeText(got.params, got.arch, idsT, eotPositions(ids.data as Int32Array, B, L, got.arch.text!.eotId)),
            fx.raw("text_embeds"),
            "text_embeds",
          );
        });
        dispose(got.params);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

function fixtureFile(name: string): string {
  return path.join(repoRoot, "test", "fixtures", "reference", `clip_tiny_${name}.safetensors`);
}

test("OpenAI layout without a config: width / 64 heads, quick GELU; a width it cannot divide is a clear error", async () => {
  await initBackend("cpu");
  const fx = fixtures.quick,
    dir = tmp();
  try {
    fs.copyFileSync(fixtureFile("quick_openai"), path.join(dir, "model.safetensors"));
    const e = errorOf(() => loadClip(dir));
    assert.match(
      e.message,
      /attention heads of the image tower \(width 32\).*width \/ 64 gives 0\.5.*vision_cfg\.head_width/,
    );
    // a model whose widths are multiples of 64 needs no config
    const a0 = archOf(fx),
      arch: ClipArch = {
        ...a0,
        vision: { ...a0.vision, width: 128, heads: 2, mlp: 64 },
        text: { ...a0.text!, width: 64, heads: 1 },
      };
    const params = initClip(arch, 3),
      d2 = path.join(dir, "wide");
    saveClip(d2, arch, params, "openai");
    fs.rmSync(path.join(d2, "open_clip_config.json"));
    const got = loadClip(d2);
    assert.equal(got.arch, {
      ...arch,
      vision: { ...arch.vision, act: "quick_gelu" },
      text: { ...arch.text!, act: "quick_gelu" },
    });
    dispose(params);
    dispose(got.params);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing or mis-shaped tensor names the key, the file and both shapes", async () => {
  await initBackend("cpu");
  const fx = fixtures.quick,
    dir = tmp();
  try {
    let file = writeHf(dir, fx, (t) => {
      delete t["vision_model.encoder.layers.1.mlp.fc2.bias"];
    });
    let e = errorOf(() => loadClip(dir));
    assert.is(e.key, "vision_model.encoder.layers.1.mlp.fc2.bias");
    assert.is(e.file, file);
    assert.match(
      e.message,
      /model\.safetensors: tensor 'vision_model\.encoder\.layers\.1\.mlp\.fc2\.bias' is missing \(expected shape \[32\]\)/,
    );
    file = writeHf(dir, fx, (t) => {
      t["text_projection.weight"] = { dtype: "F32", shape: [16, 23], data: new Float32Array(16 * 23) };
    });
    e = errorOf(() => loadClip(dir));
    assert.match(
      e.message,
      /tensor 'text_projection\.weight' has shape \[16, 23\] in the file, but config\.json needs \[16, 24\]/,
    );
    // OpenAI layout: the names and shapes are the file's own
    const o = path.join(dir, "o");
    saveClip(o, archOf(fx), paramsOf(fx), "openai");
    const st = path.join(o, "open_clip_model.safetensors"),
      raw = fs.readFileSync(st);
    const { parseSafetensors } = await import("../../stdlib/io/safetensors.ts");
    const parsed = parseSafetensors(raw);
    const rewrite = (edit: (t: Record<string, TensorToWrite>) => void) => {
      const t: Record<string, TensorToWrite> = Object.fromEntries(
        [...parsed.tensors].map(([k, v]) => [k, { dtype: "F32", shape: v.shape, data: v.data }]),
      );
      edit(t);
      fs.writeFileSync(st, encodeSafetensors(t));
    };
    rewrite((t) => {
      t["visual.transformer.resblocks.0.attn.in_proj_weight"] = {
        dtype: "F32",
        shape: [64, 32],
        data: new Float32Array(64 * 32),
      };
    });
    e = errorOf(() => loadClip(o));
    assert.is(e.key, "visual.transformer.resblocks.0.attn.in_proj_weight");
    assert.match(e.message, /has shape \[64, 32\] in the file, but .* needs \[96, 32\]/);
    rewrite((t) => {
      delete t["ln_final.bias"];
    });
    assert.match(errorOf(() => loadClip(o)).message, /tensor 'ln_final\.bias' is missing \(expected shape \[24\]\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("extra tensors: buffers are ignored and counted, unknown ones inside a block are refused", async () => {
  await initBackend("cpu");
  const fx = fixtures.quick,
    dir = tmp();
  try {
    writeHf(dir, fx, (t) => {
      t["text_model.embeddings.position_ids"] = { dtype: "I64", shape: [1, 8], data: [0, 1, 2, 3, 4, 5, 6, 7] };
    });
    const got = loadClip(dir);
    assert.equal(got.ignored, ["text_model.embeddings.position_ids"]);
    dispose(got.params);
    writeHf(dir, fx, (t) => {
      t["vision_model.encoder.layers.0.layer_scale.gamma"] = { dtype: "F32", shape: [32], data: new Float32Array(32) };
    });
    assert.match(
      errorOf(() => loadClip(dir)).message,
      /'vision_model\.encoder\.layers\.0\.layer_scale\.gamma' is not part of the architecture/,
    );
    // a state dict saved from DistributedDataParallel: every key under "module."
    writeHf(dir, fx, (t) => {
      for (const k of Object.keys(t)) {
        t[`module.${k}`] = t[k]!;
        delete t[k];
      }
    });
    const ddp = loadClip(dir);
    sameParams(ddp.params, fx, "module.-prefixed");
    dispose(ddp.params);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("F16 and BF16 checkpoints are upcast to float32", async () => {
  await initBackend("cpu");
  const fx = fixtures.tanh;
  for (const [dtype, rel] of [
    ["F16", 2 ** -11],
    ["BF16", 2 ** -8],
  ] as const) {
    const dir = tmp();
    try {
      writeHf(dir, fx, undefined, dtype);
      const got = loadClip(dir);
      for (const k of hfKeys(fx)) {
        assert.is(got.params[k]!.dtype, "float32");
        assertClose(got.params[k]!, fx.raw(`param.${k}`), `${dtype} ${k}`, 1e-7, rel);
      }
      dispose(got.params);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("sharded Hugging Face checkpoints (model.safetensors.index.json)", async () => {
  await initBackend("cpu");
  const fx = fixtures.quick,
    dir = tmp();
  try {
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(fx.meta["config"]));
    const all = hfTensors(fx),
      keys = Object.keys(all).sort(),
      half = keys.length >> 1,
      map: Record<string, string> = {};
    const shards = [keys.slice(0, half), keys.slice(half)];
    shards.forEach((ks, i) => {
      const f = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(path.join(dir, f), Object.fromEntries(ks.map((k) => [k, all[k]!])));
      for (const k of ks) map[k] = f;
    });
    fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: map }));
    const got = loadClip(dir);
    sameParams(got.params, fx, "sharded");
    dispose(got.params);
    map[keys[0]!] = "model-00002-of-00002.safetensors";
    fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: map }));
    assert.match(
      errorOf(() => loadClip(dir)).message,
      /model-00002-of-00002\.safetensors: tensor '.*' is listed in model\.safetensors\.index\.json but not stored in that shard/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("pickles are refused with the conversion command; other bad paths are clear errors", async () => {
  const dir = tmp();
  try {
    fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "not really a pickle");
    fs.writeFileSync(path.join(dir, "config.json"), "{}");
    let e = errorOf(() => loadClip(dir));
    assert.match(e.message, /pytorch_model\.bin: is a PyTorch pickle, which scdx never loads/);
    assert.match(
      e.message,
      /python3 -c ".*safetensors\.torch import save_file.*" '.*pytorch_model\.bin' '.*model\.safetensors'/,
    );
    e = errorOf(() => loadClip(path.join(dir, "ViT-B-16.pt")));
    assert.match(e.message, /does not exist/);
    fs.writeFileSync(path.join(dir, "ViT-B-16.pt"), "x");
    assert.match(
      errorOf(() => loadClip(path.join(dir, "ViT-B-16.pt"))).message,
      /PyTorch pickle.*'.*ViT-B-16\.safetensors'/s,
    );
    fs.rmSync(path.join(dir, "pytorch_model.bin"));
    fs.rmSync(path.join(dir, "ViT-B-16.pt"));
    assert.match(errorOf(() => loadClip(dir)).message, /holds no \.safetensors weights \(found: config\.json\)/);
    writeSafetensors(path.join(dir, "other.safetensors"), {
      "encoder.weight": { dtype: "F32", shape: [1], data: [1] },
    });
    assert.match(
      errorOf(() => loadClip(dir)).message,
      /neither a Hugging Face CLIPModel .* first keys: encoder\.weight/,
    );
    fs.writeFileSync(path.join(dir, "other.safetensors"), "garbage!");
    assert.match(errorOf(() => loadClip(dir)).message, /other\.safetensors: too short|other\.safetensors: header/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
