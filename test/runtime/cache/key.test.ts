// The cache key's `files` field: a checkpoint is fingerprinted by the files its loader reads — the
// weights and the config and tokenizer beside them — and not by other files in its folder.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compile, fsHost } from "../../../lang/compile.ts";
import { FileFingerprints, keyFields, weightFiles } from "../../../runtime/cache/key.ts";
import { cacheKey } from "../../../runtime/cache/store.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-key-"));
const w = path.join(dir, "w");
mkdirSync(w);
for (const [f, text] of [
  ["model.safetensors", "weights"],
  ["config.json", "{}"],
  ["words.txt", "a\n"],
  ["PROVENANCE.md", "# notes"],
])
  writeFileSync(path.join(w, f!), text!);
const file = path.join(dir, "s.scd");
writeFileSync(
  file,
  `experiment k
data val = shapes(images: 4)
model m = clip(arch: vit_tiny, weights: "w")
bench b = unsupervised_segmentation(m, val)
`,
);

function key(): { key: string; files: Record<string, string> } {
  const r = compile(file, fsHost, {});
  assert.ok(r.study, JSON.stringify(r.diagnostics));
  const bench = Object.values(r.study!.nodes).find((n) => n.kind === "bench")!;
  const fp = new FileFingerprints(path.join(dir, "fp.json"));
  const f = keyFields(r.study!, bench.key, {}, { backend: "wasm", scdxVersion: "0", fingerprint: fp.fingerprint });
  return { key: cacheKey(f), files: f["files"]!.value as Record<string, string> };
}

test("weights folder: the loader's files are keyed, other files are not", () => {
  assert.equal(
    weightFiles(w).map(([f]) => f),
    ["config.json", "model.safetensors", "words.txt"],
  );
  const a = key();
  assert.equal(
    Object.keys(a.files)
      .map((k) => k.split("/").pop())
      .sort(),
    ["config.json", "model.safetensors", "words.txt"],
  );
  writeFileSync(path.join(w, "PROVENANCE.md"), "# edited");
  assert.is(key().key, a.key, "a doc edit changes no key");
  writeFileSync(path.join(w, "config.json"), '{"layer_norm_eps": 10}');
  const b = key();
  assert.is.not(b.key, a.key, "a config edit is another input");
  writeFileSync(path.join(w, "words.txt"), "b\n");
  assert.is.not(key().key, b.key, "so is a tokenizer edit");
});

test("a weights file is keyed with the config beside it", () => {
  const files = weightFiles(path.join(w, "model.safetensors")).map(([f]) => f);
  assert.equal(files, ["config.json", "model.safetensors", "words.txt"]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
