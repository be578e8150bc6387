// `scdx export` on a real cache: a tiny `--only refine` run of examples/shapes/ci.scd (pretrain and
// refine, one step each). References: the cache entries themselves, read by loadStageModel (the
// exported parameters must be bit-identical in both layouts, and the architecture equal); the key
// names PyTorch wrote in the committed reference checkpoints (test/reference/clip.py), as patterns
// since the layer counts differ; the text embedding computed directly from the entry's weights; and,
// where torch is importable, test/reference/export_layouts.py, which converts the HF export to
// OpenAI keys in torch and compares it with the OpenAI export tensor by tensor.
import * as tf from "@tensorflow/tfjs";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXIT, UsageError, type Command } from "../../../runtime/cli/command.ts";
import { exportCommand } from "../../../runtime/cli/export.ts";
import { loadStageModel } from "../../../runtime/models/model-files.ts";
import { readSafetensors } from "../../../stdlib/io/safetensors.ts";
import { encodeText, eotPositions } from "../../../stdlib/models/clip.ts";
import { loadClip } from "../../../stdlib/models/load-clip.ts";
import { initBackend } from "../../../stdlib/tensor/backend.ts";
import { l2normalize } from "../../../stdlib/tensor/nn.ts";
import { scdx } from "../../support/cli.ts";
import { repoRoot } from "../../support/golden.ts";
import { assertClose } from "../../support/reference.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-export-"));
const file = path.join(root, "study", "ci.scd"),
  cache = path.join(root, "cache");
const SETS = ["--set", "pretrain_steps=1", "--set", "refine_steps=1"];
const COMMON = [...SETS, "--backend", "wasm", "--cache", cache];
const entries: Record<string, string> = {};
let n = 0;
const out = () => path.join(root, `out${n++}`);

/** A command as main() runs it: usage errors become exit code 2 with the message on stderr. */
async function call(cmd: Command, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let o = "",
    e = "";
  try {
    const code = await cmd.run(argv, {
      out: (s) => void (o += s),
      err: (s) => void (e += s),
      color: false,
      cwd: repoRoot,
    });
    return { code, out: o, err: e };
  } catch (x) {
    if (x instanceof UsageError) return { code: EXIT.usage, out: o, err: e + x.message };
    throw x;
  }
}

test.before(async () => {
  fs.mkdirSync(path.dirname(file));
  fs.copyFileSync(path.join(repoRoot, "examples/shapes/ci.scd"), file); // its own project: the run dir lands in root
  const r = await scdx("run", file, "--only", "refine", ...COMMON, "--reporter", "plain", "--jobs", "1");
  assert.is(r.code, 0, r.err + r.out);
  const runDir = /^run dir (.+)$/m.exec(r.out)![1]!;
  for (const s of JSON.parse(fs.readFileSync(path.join(runDir, "results.json"), "utf8")).stages as {
    name: string;
    entry: string;
  }[])
    entries[s.name] = s.entry;
  assert.ok(entries["pretrain"] && entries["refine"], "both entries");
  await initBackend("cpu");
});
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

function sameParams(got: Record<string, tf.Tensor>, want: Record<string, tf.Tensor>, what: string): void {
  assert.equal(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: keys`);
  for (const k of Object.keys(want)) {
    assert.equal(got[k]!.shape, want[k]!.shape, `${what}: shape of ${k}`);
    const a = got[k]!.dataSync(),
      b = want[k]!.dataSync();
    for (let i = 0; i < b.length; i++)
      if (a[i] !== b[i]) assert.unreachable(`${what}: ${k}[${i}] is ${a[i]}, the entry has ${b[i]}`);
  }
}

/** Key → rank, with layer indices replaced by N: comparable across depths. */
function patterns(keys: Iterable<[string, number]>): string[] {
  return [
    ...new Set([...keys].map(([k, r]) => `${k.replace(/\.(layers|resblocks)\.\d+\./, ".$1.N.")} rank ${r}`)),
  ].sort();
}
const fileKeys = (f: string, strip = "") =>
  [...readSafetensors(f).tensors]
    .filter(([k]) => k.startsWith(strip))
    .map(([k, t]) => [k.slice(strip.length), t.shape.length] as [string, number]);

const exported: Record<string, string> = {};

for (const layout of ["hf", "openai"] as const) {
  test(`${layout}: the exported CLIP is the entry's, bit for bit, and its keys are the reference layout's`, async () => {
    const dir = (exported[layout] = out());
    const r = await call(exportCommand, file, "pretrain", "--out", dir, "--layout", layout, ...COMMON);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, `exported pretrain (trial 1, CLIP, ${layout} layout)`);
    const got = loadClip(dir),
      want = loadStageModel(entries["pretrain"]!);
    assert.is(got.layout, layout);
    assert.equal(got.arch, want.model.arch);
    sameParams(got.params, want.model.params, layout);
    const [mine, ref] =
      layout === "hf"
        ? [
            fileKeys(path.join(dir, "model.safetensors")),
            fileKeys(path.join(repoRoot, "test/fixtures/reference/clip_tiny_quick.safetensors"), "param."),
          ]
        : [
            fileKeys(path.join(dir, "open_clip_model.safetensors")),
            fileKeys(path.join(repoRoot, "test/fixtures/reference/clip_tiny_quick_openai.safetensors")),
          ];
    assert.equal(patterns(mine), patterns(ref), "key patterns and ranks as PyTorch wrote them");
    const meta = readSafetensors(
      path.join(dir, layout === "hf" ? "model.safetensors" : "open_clip_model.safetensors"),
    ).metadata;
    assert.is(meta["format"], "pt", "transformers refuses safetensors without format=pt");
    assert.is(meta["scdx_key"], path.basename(entries["pretrain"]!));
    assert.ok(fs.existsSync(path.join(dir, "words.txt")), "the tokenizer travels with the weights");
    tf.dispose([...Object.values(got.params), ...Object.values(want.model.params)]);
  });
}

test("the OpenAI export is the HF export converted by torch (skipped without torch)", () => {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    console.log(
      `  skipped: /usr/bin/python3 cannot import torch (${(probe.stderr || String(probe.error ?? "")).trim().split("\n").pop()})`,
    );
    return;
  }
  const res = JSON.parse(
    execFileSync(
      "/usr/bin/python3",
      [
        path.join(repoRoot, "test/reference/export_layouts.py"),
        path.join(exported["hf"]!, "model.safetensors"),
        path.join(exported["openai"]!, "open_clip_model.safetensors"),
      ],
      { encoding: "utf8" },
    ),
  ) as { checked: number; problems: string[] };
  assert.equal(res.problems, []);
  assert.ok(res.checked > 50, `${res.checked} tensors compared`);
});

test("scdx embed takes the export and gives the entry's text embedding", async () => {
  const r = await scdx("embed", "--json", "--backend", "cpu", "--model", exported["hf"]!, "--text", "a red circle");
  assert.is(r.code, 0, r.err);
  const row = (JSON.parse(r.out) as { rows: { embedding: number[] }[] }).rows[0]!;
  const m = loadStageModel(entries["pretrain"]!),
    text = m.model.arch.text!;
  const enc = m.tokenizer!.encode(["a red circle"], text.contextLength);
  const want = tf.tidy(() =>
    l2normalize(
      encodeText(
        m.model.params,
        m.model.arch,
        tf.tensor2d(enc.ids, [1, text.contextLength], "int32"),
        eotPositions(enc.ids, 1, text.contextLength, text.eotId),
      ),
    ).dataSync(),
  );
  assertClose(row.embedding, want, "text embedding", 1e-6, 1e-6);
  tf.dispose(Object.values(m.model.params));
});

test("a CLIP∘Refiner exports with its Refiner blocks and loads back whole", async () => {
  const dir = out();
  const r = await call(exportCommand, file, "refine", "--out", dir, "--layout", "openai", ...COMMON);
  assert.is(r.code, 0, r.err);
  for (const f of [
    "open_clip_model.safetensors",
    "open_clip_config.json",
    "refiner.safetensors",
    "model.json",
    "words.txt",
  ])
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  const got = loadStageModel(dir),
    want = loadStageModel(entries["refine"]!);
  assert.is(got.model.family, "refiner");
  assert.equal(got.model.refiner, want.model.refiner);
  assert.ok(Object.keys(want.model.params).some((k) => k.startsWith("refiner.")));
  sameParams(got.model.params, want.model.params, "refiner");
  tf.dispose([...Object.values(got.model.params), ...Object.values(want.model.params)]);
});

test("provenance: the entry's key, fields and recorded loss, the trial's params, the rebuild command", () => {
  const dir = exported["hf"]!;
  const manifest = JSON.parse(fs.readFileSync(path.join(entries["pretrain"]!, "manifest.json"), "utf8"));
  const p = JSON.parse(fs.readFileSync(path.join(dir, "provenance.json"), "utf8"));
  assert.is(p.key, manifest.key);
  assert.is(path.basename(entries["pretrain"]!), p.key);
  assert.equal(p.fields, manifest.fields);
  assert.equal(p.entry.meta, manifest.meta);
  assert.is(p.entry.meta.loss, manifest.meta.loss);
  assert.is(p.params.pretrain_steps, 1);
  assert.is(p.backend, "wasm");
  assert.is(p.study, path.relative(path.dirname(file), file), "relative to the project (here the study's own folder)");
  const rerun = `scdx run ${file} --only pretrain ${SETS.join(" ")} --backend wasm --cache ${cache}`;
  assert.is(p.rerun, rerun);
  const md = fs.readFileSync(path.join(dir, "PROVENANCE.md"), "utf8");
  for (const s of [manifest.key, rerun, String(manifest.meta.loss)])
    assert.ok(md.includes(s), `PROVENANCE.md names ${s}`);
});

test("a stage not in the cache: exit 1 with the exact run command; ambiguous, bench or unknown stages: usage errors", async () => {
  const miss = await call(exportCommand, file, "distill", "--trial", "2", "--out", out(), ...COMMON);
  assert.is(miss.code, EXIT.errors);
  assert.match(miss.err, /stage distill of trial 2 is not in the cache \(key [0-9a-f]{12}…\)/);
  assert.ok(
    miss.err.includes(
      `run \`scdx run ${file} --only distill ${SETS.join(" ")} --backend wasm --cache ${cache}\` first`,
    ),
    miss.err,
  );
  const other = await call(
    exportCommand,
    file,
    "pretrain",
    "--out",
    out(),
    ...SETS,
    "--backend",
    "cpu",
    "--cache",
    cache,
  );
  assert.is(other.code, EXIT.errors);
  assert.match(other.err, "it is cached for the wasm backend");
  const ambiguous = await call(exportCommand, file, "distill", "--out", out(), ...COMMON);
  assert.is(ambiguous.code, EXIT.usage);
  assert.match(ambiguous.err, /--trial 1 +\(lambda=0\)\n +--trial 2 +\(lambda=0\.5\)/);
  const bench = await call(exportCommand, file, "regions", "--out", out(), ...COMMON);
  assert.is(bench.code, EXIT.usage);
  assert.match(bench.err, "`regions` is a bench");
  const typo = await call(exportCommand, file, "pretrian", "--out", out(), ...COMMON);
  assert.is(typo.code, EXIT.usage);
  assert.match(typo.err, "did you mean `pretrain`?");
});

test("a non-empty --out is refused without --force; --force replaces an earlier export only", async () => {
  const dir = out();
  assert.is((await call(exportCommand, file, "pretrain", "--out", dir, ...COMMON)).code, 0);
  fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
  const before = fs.readFileSync(path.join(dir, "model.safetensors"));
  const refused = await call(exportCommand, file, "pretrain", "--out", dir, "--layout", "openai", ...COMMON);
  assert.is(refused.code, EXIT.usage);
  assert.match(refused.err, "is not empty; pass --force");
  assert.ok(before.equals(fs.readFileSync(path.join(dir, "model.safetensors"))), "nothing written");
  const forced = await call(exportCommand, file, "pretrain", "--out", dir, "--layout", "openai", "--force", ...COMMON);
  assert.is(forced.code, 0, forced.err);
  assert.equal(fs.readdirSync(dir).sort(), [
    "PROVENANCE.md",
    "notes.txt",
    "open_clip_config.json",
    "open_clip_model.safetensors",
    "provenance.json",
    "words.txt",
  ]);
  const back = loadClip(dir);
  assert.is(back.layout, "openai");
  tf.dispose(Object.values(back.params));
});

test.run();
