// `scdx why`. The diff logic (runtime/runs/why.ts) on hand-built key fields and IR nodes, checked against
// changes written out by hand; the text (why-render.ts) on a hand-built explanation; and one CLI run
// on a real cache: a one-step pretrain of examples/shapes/ci.scd, then `--set pretrain_steps=2`.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { IrNode, JsonObject, NodeKey } from "../../../core/ir.ts";
import type { KeyFields } from "../../../runtime/cache/store.ts";
import { EXIT, UsageError } from "../../../runtime/cli/command.ts";
import { whyCommand } from "../../../runtime/cli/why.ts";
import { diffJson, diffKeyFields, diffNodes, diffParams, formatChange, pairInputs } from "../../../runtime/runs/why.ts";
import type { StageWhy } from "../../../runtime/runs/why-explain.ts";
import { renderWhy } from "../../../runtime/runs/why-render.ts";
import { scdx } from "../../support/cli.ts";
import { repoRoot } from "../../support/golden.ts";

test("diffJson: dotted paths into objects, element paths into equal-length arrays, whole arrays otherwise", () => {
  const optim = (lr: number, betas: number[]) => ({ op: "adamw", options: { lr, betas, eps: 1e-8 } });
  assert.equal(
    diffJson(
      { steps: 3, optim: optim(0.0002, [0.9, 0.999]) },
      { steps: 3, optim: optim(0.001, [0.9, 0.99]) },
      "options",
    ),
    [
      { path: "options.optim.options.betas[1]", before: 0.999, after: 0.99 },
      { path: "options.optim.options.lr", before: 0.0002, after: 0.001 },
    ],
  );
  assert.equal(diffJson({ grid: [1, 2] }, { grid: [1, 2, 3] }), [{ path: "grid", before: [1, 2], after: [1, 2, 3] }]);
  assert.equal(diffJson({ pool: ["box", "mask"] }, { pool: ["crop", "roi"] }), [
    { path: "pool", before: ["box", "mask"], after: ["crop", "roi"] },
  ]);
  assert.equal(diffJson({ a: 1 }, { b: 1 }), [
    { path: "a", before: 1 },
    { path: "b", after: 1 },
  ]);
  assert.equal(diffJson({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }), []);
  assert.equal(diffJson({ x: { k: 1 } }, { x: 5 }), [{ path: "x", before: { k: 1 }, after: 5 }]);
  assert.is(
    formatChange({ path: "options.optim.options.lr", before: 0.0002, after: 0.001 }),
    "options.optim.options.lr: 0.0002 → 0.001",
  );
  assert.is(formatChange({ path: "grid", before: [1, 2], after: [1, 2, 3] }), "grid: [1, 2] → [1, 2, 3]");
  assert.is(formatChange({ path: "loss.scd", after: { weight: 0.5 } }), "loss.scd: absent → {weight: 0.5}");
});

const field = (value: KeyFields[string]["value"], why = "why") => ({ value, why });
function fields(
  o: {
    definition?: string;
    inputs?: Record<string, string>;
    components?: Record<string, string>;
    files?: Record<string, string>;
    backend?: string;
    scdx?: string;
  } = {},
): KeyFields {
  return {
    definition: field(o.definition ?? "d1", "the definition"),
    inputs: field(o.inputs ?? {}, "upstream keys"),
    components: field(o.components ?? { "runner:train": "1", rla: "1" }, "versions"),
    files: field(o.files ?? { "/data/ann.json": "aa" }, "file contents"),
    backend: field(o.backend ?? "wasm", "backends differ"),
    scdx: field(o.scdx ?? "0.1.0", "releases differ"),
  };
}

test("diffKeyFields: only the fields that differ, in key order, one change per component or file, with the field's why", () => {
  assert.equal(diffKeyFields(fields(), fields()), []);
  const d = diffKeyFields(
    fields({
      components: { "runner:train": "1", rla: "1", scd: "1" },
      files: { "/data/ann.json": "aa", "/w/clip": "bb" },
    }),
    fields({
      backend: "cpu",
      scdx: "0.2.0",
      components: { "runner:train": "1", rla: "2", adamw: "1" },
      files: { "/data/ann.json": "cc", "/w/clip": "bb" },
    }),
  );
  assert.equal(
    d.map((x) => x.field),
    ["components", "files", "backend", "scdx"],
  );
  assert.equal(d[0]!.changes, [
    { path: "adamw", after: "1" },
    { path: "rla", before: "1", after: "2" },
    { path: "scd", before: "1" },
  ]);
  assert.equal(d[1]!.changes, [{ path: "/data/ann.json", before: "aa", after: "cc" }], "a path's dots are not nesting");
  assert.equal(d[2], {
    field: "backend",
    why: "backends differ",
    changes: [{ path: "", before: "wasm", after: "cpu" }],
  });
  assert.equal(d[3]!.changes, [{ path: "", before: "0.1.0", after: "0.2.0" }]);
  // A field only one side has (another scdx version's key) still shows.
  const extra = diffKeyFields(fields(), { ...fields(), seed_policy: field("x", "new") });
  assert.equal(extra, [{ field: "seed_policy", why: "new", changes: [{ path: "", after: "x" }] }]);
});

test("pairInputs: upstream stages paired by name (their node keys change with them); unchanged ones left out", () => {
  const names: Record<string, string> = { n1: "pretrain", n2: "refine", m1: "pretrain", m2: "refine", m3: "extra" };
  const name = (n: string) => names[n]!;
  assert.equal(pairInputs({ n1: "k1", n2: "k2" }, { m1: "k9", n2: "k2", m3: "k3" }, name, name), [
    { name: "extra", after: { node: "m3", key: "k3" } },
    { name: "pretrain", before: { node: "n1", key: "k1" }, after: { node: "m1", key: "k9" } },
  ]);
});

const K = (s: string) => s as NodeKey;
function node(
  key: string,
  kind: IrNode["kind"],
  op: string,
  name: string,
  options: JsonObject,
  inputs: Record<string, string> = {},
  extra: Partial<IrNode> = {},
): IrNode {
  return {
    key: K(key),
    kind,
    op,
    options,
    inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, { key: K(v) }])),
    params: [],
    files: [],
    origin: { name, file: "x.scd" },
    ...(kind === "model" || kind === "train" ? { facts: {} } : {}),
    ...(kind === "train" ? { loss: [], exec: {} } : {}),
    ...extra,
  } as IrNode;
}
const opt = (lr: number) => ({ op: "adamw", options: { lr, weight_decay: 0.1 } });
const term = (op: string, weight: number, options: JsonObject, inputs: Record<string, string> = {}) => ({
  op,
  weight,
  options,
  inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, { key: K(v) }])),
});

/** Before: distill reads data `train` (256 images) and a refiner on stage `pretrain`; after: 512 images, lr, λ and a new term, pretrain redefined. */
function study(after: boolean) {
  const v = after ? "2" : "1";
  const nodes: IrNode[] = [
    node(`data${v}`, "data", "shapes", "train", { images: after ? 512 : 256, size: 64 }),
    node(`pre${v}`, "train", "train", "pretrain", { steps: after ? 4 : 3 }),
    node(`ref${v}`, "model", "refiner", "refine", { depth: 2 }, { base: `pre${v}` }),
    node(
      `dist${v}`,
      "train",
      "train",
      "distill",
      { steps: 20, optim: opt(after ? 0.001 : 0.0002) },
      { base: `ref${v}`, data: `data${v}` },
      {
        loss: [
          term("rla", 1, { grid: [1, 2, 3, 4] }, { teacher: `pre${v}` }),
          term("scd", after ? 0.5 : 0.25, { tau: 0.2 }),
          ...(after ? [term("scd", 1, { tau: 0.1 })] : []),
        ],
      } as Partial<IrNode>,
    ),
  ];
  return Object.fromEntries(nodes.map((n) => [n.key, n]));
}

test("diffNodes: op, options, loss terms, then input slots recursively; upstream stages are referred, not entered", () => {
  const before = study(false),
    after = study(true);
  assert.is(diffNodes(before, "dist1", before, "dist1"), null);
  const d = diffNodes(before, "dist1", after, "dist2")!;
  assert.equal(d.changes, [
    { path: "options.optim.options.lr", before: 0.0002, after: 0.001 },
    { path: "loss.scd.weight", before: 0.25, after: 0.5 },
    { path: "loss.scd#2", after: { weight: 1, op: "scd", options: { tau: 0.1 } } },
  ]);
  assert.equal(d.inputs, [
    {
      slot: "base",
      diff: {
        kind: "model",
        name: "refine",
        changes: [],
        inputs: [{ slot: "base", stage: "pretrain", before: "pre1", after: "pre2" }],
      },
    },
    {
      slot: "data",
      diff: { kind: "data", name: "train", changes: [{ path: "options.images", before: 256, after: 512 }], inputs: [] },
    },
    { slot: "loss.rla.teacher", stage: "pretrain", before: "pre1", after: "pre2" },
  ]);
  // A slot that appears or goes away, and a node the old program lacks.
  const gone = diffNodes(
    { a: node("a", "bench", "b", "x", {}, { model: "m" }), m: node("m", "model", "clip", "base", {}) },
    "a",
    { c: node("c", "bench", "b", "x", {}) },
    "c",
  )!;
  assert.equal(gone.inputs, [{ slot: "model", removed: "model base (clip)" }]);
  assert.equal(diffNodes({}, "zz", after, "dist2")!.changes, [{ path: "definition", after: "dist2" }]);
  assert.equal(
    diffParams({ lambda: 0, steps: 3, other: 1 }, { lambda: 0.5, steps: 3, other: 2 }, ["steps", "lambda"]),
    [{ path: "lambda", before: 0, after: 0.5 }],
  );
});

test("renderWhy: the verdict, each changed field with its why, node diffs and upstream stages indented", () => {
  const before = study(false),
    after = study(true);
  const pre: StageWhy = {
    stage: "pretrain",
    trial: 2,
    key: "c3d4".padEnd(64, "0"),
    cached: null,
    plannedBefore: null,
    previous: { key: "a1b2".padEnd(64, "0"), time: "2026-01-02T03:04:05Z", runDir: "/r", inCache: false },
    fields: [
      {
        ...diffKeyFields(fields({ definition: "pre1" }), fields({ definition: "pre2" }))[0]!,
        definition: {
          params: [{ path: "pretrain_steps", before: 3, after: 4 }],
          node: diffNodes(before, "pre1", after, "pre2"),
        },
      },
    ],
  };
  const w: StageWhy = {
    stage: "distill",
    trial: 2,
    key: "f".repeat(64),
    cached: null,
    plannedBefore: null,
    previous: { key: "e".repeat(64), time: "2026-01-02T03:04:05Z", runDir: "/r", inCache: true },
    fields: [
      ...diffKeyFields(
        fields({ definition: "dist1", backend: "wasm", scdx: "0.1.0" }),
        fields({
          definition: "dist2",
          backend: "cpu",
          scdx: "0.2.0",
          components: { "runner:train": "1", rla: "2" },
          files: { "/data/ann.json": "zz" },
        }),
      ).map((f) =>
        f.field === "definition"
          ? { ...f, definition: { params: [], node: diffNodes(before, "dist1", after, "dist2") } }
          : f,
      ),
      {
        field: "inputs",
        why: "upstream keys",
        changes: [],
        inputs: [
          {
            name: "pretrain",
            before: { node: "pre1", key: pre.previous!.key },
            after: { node: "pre2", key: pre.key },
            explain: pre,
          },
        ],
      },
    ],
  };
  const text = renderWhy(w, { color: false });
  for (const line of [
    "distill (trial 2) would run: its key ffffffffffff… is not in the cache.",
    "that entry is still in the cache). Changed since:",
    "  definition: changed",
    "    options.optim.options.lr: 0.0002 → 0.001",
    "    loss.scd.weight: 0.25 → 0.5",
    "    model refine (as base):\n      base: stage pretrain changed (see inputs)",
    "    data train: options.images: 256 → 512",
    "    loss.rla.teacher: stage pretrain changed (see inputs)",
    "    (keyed because: the definition)",
    "  components: rla 1 → 2",
    "  files: /data/ann.json changed content",
    "  backend: wasm → cpu\n    (keyed because: backends differ)",
    "  scdx: 0.1.0 → 0.2.0",
    "  inputs: stage pretrain changed (key a1b200000000… → c3d400000000…)",
    "    pretrain (trial 2): key c3d400000000…, not in the cache.",
    "that entry is no longer in the cache). Changed since:",
    "      definition: changed\n        params: pretrain_steps 3 → 4\n        options.steps: 3 → 4",
  ])
    assert.ok(text.includes(line), `missing ${JSON.stringify(line)} in\n${text}`);
  assert.is(
    text.split("(keyed because: the definition)").length,
    2,
    "a field's reason is given once, under its first showing",
  );
  const cached = renderWhy(
    { ...w, cached: { created: "2026-01-02T03:04:05Z" }, previous: null, fields: [] },
    { color: false },
  );
  assert.match(
    cached,
    /^distill \(trial 2\): cached \(key ffffffffffff…, created 2026-01-0\d \d\d:\d\d:05\); it would not run\.\n$/,
  );
  assert.match(renderWhy({ ...w, previous: null, fields: [] }, { color: false }), "It was never run with this cache.");
  assert.match(
    renderWhy({ ...w, previous: null, fields: [], plannedBefore: "2026-01-02T03:04:05Z" }, { color: false }),
    "planned this same key but left no entry",
  );
});

// ---- the CLI on a real cache ----

const root = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-why-"));
const file = path.join(root, "study", "ci.scd"),
  cache = path.join(root, "cache");
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

async function why(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let o = "",
    e = "";
  try {
    const code = await whyCommand.run([file, ...argv, "--cache", cache], {
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

test("scdx why after a run: cached; a changed param shows as options.steps; another backend; a collected entry", async () => {
  fs.mkdirSync(path.dirname(file));
  fs.copyFileSync(path.join(repoRoot, "examples/shapes/ci.scd"), file);
  assert.match((await why("pretrain", "--backend", "wasm")).out, "It was never run with this cache.");
  const r = await scdx(
    "run",
    file,
    "--only",
    "pretrain",
    "--set",
    "pretrain_steps=1",
    "--backend",
    "wasm",
    "--cache",
    cache,
    "--reporter",
    "plain",
    "--jobs",
    "1",
  );
  assert.is(r.code, 0, r.err + r.out);
  const key = JSON.parse(fs.readFileSync(path.join(/^run dir (.+)$/m.exec(r.out)![1]!, "results.json"), "utf8"))
    .stages[0].key as string;

  const cached = await why("pretrain", "--set", "pretrain_steps=1", "--backend", "wasm");
  assert.is(cached.code, 0, cached.err);
  assert.match(cached.out, `pretrain (trial 1): cached (key ${key.slice(0, 12)}…, created `);

  const changed = await why("pretrain", "--set", "pretrain_steps=2", "--backend", "wasm");
  assert.is(changed.code, 0, changed.err);
  assert.match(changed.out, `Last built with key ${key.slice(0, 12)}…`);
  assert.match(changed.out, "that entry is still in the cache");
  assert.match(changed.out, "\n    params: pretrain_steps 1 → 2\n    options.steps: 1 → 2\n");
  const j = JSON.parse(
    (await why("pretrain", "--set", "pretrain_steps=2", "--backend", "wasm", "--json")).out,
  ) as StageWhy;
  assert.is(j.previous!.key, key);
  assert.equal(
    j.fields.map((f) => f.field),
    ["definition"],
  );
  assert.equal(j.fields[0]!.definition!.node!.changes, [{ path: "options.steps", before: 1, after: 2 }]);

  const backend = await why("pretrain", "--set", "pretrain_steps=1", "--backend", "cpu");
  assert.match(backend.out, "  backend: wasm → cpu\n");
  assert.not.match(backend.out, "definition");
  // native results are keyed with the kernel set and the BLAS thread count (their last bits differ)
  const native = await why("pretrain", "--set", "pretrain_steps=1", "--backend", "native", "--threads", "2");
  assert.match(native.out, "  backend: wasm → native/kernels-1/threads-2\n");
  // Downstream of a changed stage: refine was never run, so there is nothing to compare with.
  assert.match(
    (await why("refine", "--set", "pretrain_steps=2", "--backend", "wasm")).out,
    "It was never run with this cache.",
  );

  fs.rmSync(path.join(cache, "entries", key.slice(0, 2), key), { recursive: true });
  assert.match(
    (await why("pretrain", "--set", "pretrain_steps=2", "--backend", "wasm")).out,
    "that entry is no longer in the cache",
  );
  const usage = await why("distill");
  assert.is(usage.code, EXIT.usage);
  assert.match(usage.err, "--trial 2");
});

test.run();
