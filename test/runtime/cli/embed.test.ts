// `scdx embed` in-process on a checkpoint saved from the PyTorch fixture (test/reference/clip.py):
// token ids give PyTorch's text embeddings; an image at the model's size gives the model functions'
// own embedding of it; an image of another size with a preprocessor_config.json gives the embedding
// of PIL's preprocessing of it (test/reference/preprocess.py). Errors are one clean line each.
import * as tf from "@tensorflow/tfjs";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scdx } from "../../support/cli.ts";
import { normalize } from "../../../stdlib/data/resize.ts";
import { writeSafetensors } from "../../../stdlib/io/safetensors.ts";
import { archFromHfConfig } from "../../../stdlib/models/clip-arch.ts";
import { encodeImage, encodeText } from "../../../stdlib/models/clip.ts";
import { saveClip } from "../../../stdlib/models/load-clip.ts";
import { initBackend } from "../../../stdlib/tensor/backend.ts";
import { l2normalize } from "../../../stdlib/tensor/nn.ts";
import { saveWordVocabulary } from "../../../stdlib/text/load-tokenizer.ts";
import { assertClose, loadFixture } from "../../support/reference.ts";

const fx = loadFixture("clip_tiny_quick"),
  pre = loadFixture("preprocess");
const arch = archFromHfConfig(fx.meta["config"] as Record<string, unknown>);
const keys = [...fx.tensors.keys()].filter((k) => k.startsWith("param.")).map((k) => k.slice(6));
const root = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-embed-"));
const ckpt = path.join(root, "ckpt"),
  small = path.join(root, "small.png"),
  other = path.join(root, "other.png");
const smallU8 = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 73 + 11) % 256);

interface Row {
  kind: string;
  input: string;
  ids?: number[];
  norm: number;
  embedding: number[];
}
async function embedJson(...argv: string[]): Promise<Row[]> {
  const r = await scdx("embed", "--json", "--model", ckpt, ...argv);
  assert.is(r.code, 0, r.err);
  return (JSON.parse(r.out) as { rows: Row[] }).rows;
}
function withParams<T extends tf.TensorContainer>(f: (p: Record<string, tf.Tensor>) => T): T {
  return tf.tidy(() => f(Object.fromEntries(keys.map((k) => [k, fx.tensor(`param.${k}`)]))));
}

test.before(async () => {
  await initBackend("cpu");
  withParams((p) => saveClip(ckpt, arch, p, "hf"));
  saveWordVocabulary(ckpt, ["red", "circle", "blue"]); // ids 2..4; start/end of text 48/49 in the 50-id tower
  fs.writeFileSync(path.join(ckpt, "preprocessor_config.json"), JSON.stringify(pre.meta["hf_config"]));
  await sharp(Buffer.from(smallU8), { raw: { width: 16, height: 16, channels: 3 } })
    .png()
    .toFile(small);
  const a = pre.raw("img_a");
  await sharp(Buffer.from(a.data as Uint8Array), { raw: { width: a.shape[1]!, height: a.shape[0]!, channels: 3 } })
    .png()
    .toFile(other);
});
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

test("--tokens: PyTorch's text embeddings, normalised (wasm)", async () => {
  const ids = fx.raw("ids"),
    [B, L] = ids.shape as [number, number];
  const rows = [...Array(B).keys()].map((b) => [...(ids.data as Int32Array).subarray(b * L, (b + 1) * L)].join(","));
  const got = await embedJson("--backend", "wasm", "--tokens", rows[0]!, "--tokens", ...rows.slice(1));
  assert.equal(
    got.map((r) => r.kind),
    ["tokens", "tokens", "tokens"],
  );
  await initBackend("cpu");
  const want = tf.tidy(() => l2normalize(fx.tensor("text_embeds")).arraySync() as number[][]);
  got.forEach((r, b) => assertClose(r.embedding, want[b]!, `tokens row ${b}`, 1e-4, 1e-4));
});

test("--image: as is at the model's size, else the checkpoint's preprocessing (cpu)", async () => {
  const got = await embedJson("--backend", "cpu", "--image", small, other);
  const want = withParams((p) => {
    const x1 = tf.tensor4d(normalize(smallU8, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]), [1, 16, 16, 3]);
    const x2 = tf.tensor4d(pre.raw("hf_a").data as Float32Array, [1, 16, 16, 3]); // PIL's preprocessing
    return l2normalize(encodeImage(p, arch, tf.concat([x1, x2]))).arraySync() as number[][];
  });
  assert.equal(
    got.map((r) => r.input),
    [small, other],
  );
  got.forEach((r, i) => {
    assertClose(r.embedding, want[i]!, `image ${i}`, 1e-4, 1e-4);
    assert.ok(Math.abs(Math.hypot(...r.embedding) - 1) < 1e-5, "unit length");
  });
});

test("--text uses the tokenizer next to the weights", async () => {
  const [row] = await embedJson("--backend", "cpu", "--text", "A red circle!");
  assert.equal(row!.ids, [48, 1, 2, 3, 49, 0, 0, 0]);
  const want = withParams(
    (p) =>
      l2normalize(
        encodeText(p, arch, tf.tensor2d([[48, 1, 2, 3, 49, 0, 0, 0]], [1, 8], "int32"), [4]),
      ).arraySync() as number[][],
  );
  assertClose(row!.embedding, want[0]!, "text", 1e-4, 1e-4);
});

test("pretty output: one line per input, and image × text similarities", async () => {
  const r = await scdx(
    "embed",
    "--model",
    ckpt,
    "--backend",
    "cpu",
    "--image",
    small,
    "--text",
    "blue circle",
    "--tokens",
    "48,4,49",
  );
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /hf layout, 16 px, 16-d embeddings\) on cpu/);
  assert.match(r.out, /preprocessor_config\.json/);
  assert.match(r.out, /\nimage .*small\.png\s+\[[ -]\d\.\d{4}( [ -]\d\.\d{4}){5} …\]  dim 16  norm \d/);
  assert.match(r.out, /\ntext +"blue circle" +\[/);
  assert.match(r.out, /cosine similarity[^\n]*\n  .*small\.png\s+-?\d\.\d{4}\s+-?\d\.\d{4}\n$/);
});

test("checkpoint problems: exit 1 with the key, the file and both shapes; pickles refused", async () => {
  const bad = path.join(root, "bad");
  fs.mkdirSync(bad);
  fs.copyFileSync(path.join(ckpt, "config.json"), path.join(bad, "config.json"));
  const tensors = Object.fromEntries(
    keys.map((k) => {
      const r = fx.raw(`param.${k}`);
      return [k, { dtype: "F32" as const, shape: r.shape, data: r.data }];
    }),
  );
  delete tensors["vision_model.post_layernorm.bias"];
  writeSafetensors(path.join(bad, "model.safetensors"), tensors);
  let r = await scdx("embed", "--model", bad, "--tokens", "1");
  assert.is(r.code, 1);
  assert.match(
    r.err,
    /^scdx embed: .*bad\/model\.safetensors: tensor 'vision_model\.post_layernorm\.bias' is missing \(expected shape \[32\]\)\n$/,
  );
  tensors["vision_model.post_layernorm.bias"] = { dtype: "F32", shape: [31], data: new Float32Array(31) };
  writeSafetensors(path.join(bad, "model.safetensors"), tensors);
  r = await scdx("embed", "--model", bad, "--tokens", "1");
  assert.is(r.code, 1);
  assert.match(
    r.err,
    /tensor 'vision_model\.post_layernorm\.bias' has shape \[31\] in the file, but config\.json needs \[32\]/,
  );
  fs.rmSync(path.join(bad, "model.safetensors"));
  fs.writeFileSync(path.join(bad, "pytorch_model.bin"), "pickle");
  r = await scdx("embed", "--model", bad, "--tokens", "1");
  assert.is(r.code, 1);
  assert.match(r.err, /pytorch_model\.bin: is a PyTorch pickle, which scdx never loads.*\n  python3 -c "/s);
  r = await scdx("embed", "--model", path.join(root, "nowhere"), "--tokens", "1");
  assert.is(r.code, 1);
  assert.match(r.err, /nowhere: does not exist/);
});

test("input problems: unreadable image, ids outside the vocabulary (1); bad usage (2); never a stack", async () => {
  const junk = path.join(root, "junk.png");
  fs.writeFileSync(junk, "not an image");
  const cases: [string[], number, RegExp][] = [
    [["--image", junk], 1, /junk\.png: cannot read the image/],
    [["--tokens", "1,50"], 1, /id 50 is outside the vocabulary \(0…49\)/],
    [["--tokens", "1,2,3,4,5,6,7,8,9"], 1, /9 ids, but the text tower's context is 8/],
    [["--tokens", "1,,2"], 2, /comma-separated non-negative integers/],
    [[], 2, /give at least one --image, --text or --tokens/],
    [["--tokens", "1", "--backend", "gpu"], 2, /--backend must be one of tensorflow, native, wasm, cpu/],
    [["--json", "extra"], 2, /unexpected argument `extra`/],
  ];
  for (const [args, code, msg] of cases) {
    const r = await scdx("embed", "--model", ckpt, ...args);
    assert.is(r.code, code, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, msg);
    assert.not.match(r.err, /at .*\.ts:\d+/, "no stack trace");
  }
  assert.is((await scdx("embed", "--tokens", "1")).code, 2, "--model is required");
});

test.run();
