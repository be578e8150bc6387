// `scdx run` end to end on real processes, files and tensors (test/fixtures/runtime/tiny.scd: a
// shared pretrain and a 2×2 λ/τ sweep of RLA + λ·SCD with a bench per trial, in seconds):
// executions equal distinct keys, a rerun executes nothing, a SIGKILL mid-training resumes to a
// bit-identical result, a flipped byte is detected and recomputed, two concurrent runs on one
// cache compute once, and a NaN stops its stage naming the step and the term.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { scdx } from "../../support/cli.ts";
import { repoRoot } from "../../support/golden.ts";
import { NATIVE_UNAVAILABLE } from "../../support/backends.ts";
import type { RunEvent } from "../../../runtime/events/events.ts";
import { readSafetensors } from "../../../stdlib/io/safetensors.ts";

const BIN = path.join(repoRoot, "bin", "scdx.js");
const dirs: string[] = [];

/** A study copied into a fresh folder (its own project: run dirs land there, not in the repo). */
function project(): { dir: string; file: string; cache: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-run-"));
  dirs.push(dir);
  const file = path.join(dir, "tiny.scd");
  copyFileSync(path.join(repoRoot, "test/fixtures/runtime/tiny.scd"), file);
  return { dir, file, cache: path.join(dir, "cache") };
}

/** Events of the newest run directory of a project. */
function lastEvents(dir: string): RunEvent[] {
  const runs = path.join(dir, ".scdx", "runs");
  const last = readdirSync(runs).sort().pop()!;
  return readFileSync(path.join(runs, last, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as RunEvent);
}

const of = <T extends RunEvent["type"]>(ev: RunEvent[], type: T) =>
  ev.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const entry = (cache: string, key: string) => path.join(cache, "entries", key.slice(0, 2), key);

test("a 2×2 sweep executes each distinct stage once; a rerun executes nothing", async () => {
  const p = project();
  const r = await scdx("run", p.file, "--cache", p.cache, "--reporter", "plain", "--jobs", "2");
  assert.is(r.code, 0, r.err + r.out);
  const ev = lastEvents(p.dir);
  const start = of(ev, "run-start")[0]!;
  // 1 pretrain shared by 4 trials, 4 distills, 4 benches: 9 distinct keys for 12 trial×stage uses.
  assert.is(start.stages.length, 9);
  assert.is(
    start.trials.reduce((n, t) => n + Object.keys(t.stages).length, 0),
    12,
  );
  const done = of(ev, "stage-done").map((e) => e.key);
  assert.equal(new Set(done).size, done.length, "no stage executed twice");
  assert.equal(new Set(done), new Set(start.stages.map((s) => s.key)));
  const trials = of(ev, "trial-done");
  assert.is(trials.length, 4);
  for (const t of trials) assert.ok(t.ok && typeof t.metrics["spatial.miou"] === "number", JSON.stringify(t));
  // λ = 0: τ cannot matter, but τ is in the SCD term's options, so the two are distinct nodes with
  // equal numbers — a free determinism check across two worker processes.
  assert.is(
    trials.find((t) => t.trial === 1)!.metrics["spatial.miou"],
    trials.find((t) => t.trial === 2)!.metrics["spatial.miou"],
  );

  const again = await scdx("run", p.file, "--cache", p.cache, "--reporter", "plain");
  assert.is(again.code, 0);
  const ev2 = lastEvents(p.dir);
  assert.is(of(ev2, "stage-started").length, 0);
  assert.is(of(ev2, "stage-cached").length, 9);
  // trials end in whatever order their stages do: compare by trial number
  const byTrial = (ts: { trial: number; metrics: object }[]) =>
    [...ts].sort((a, b) => a.trial - b.trial).map((t) => t.metrics);
  assert.equal(byTrial(of(ev2, "trial-done")), byTrial(trials));
  const results = JSON.parse(
    readFileSync(
      path.join(
        p.dir,
        ".scdx",
        "runs",
        readdirSync(path.join(p.dir, ".scdx", "runs"))
          .sort()
          .pop()!,
        "results.json",
      ),
      "utf8",
    ),
  );
  assert.is(results.trials.length, 4);

  // The ensemble (0.7) blends what was trained only: frozen tensors stay bit-equal to the teacher's.
  const kinds = new Map(start.stages.map((s) => [s.key, s.name]));
  const pre = start.stages.find((s) => s.name === "pretrain")!.key,
    dist = start.stages.find((s) => s.name === "distill")!.key;
  const teacher = readSafetensors(path.join(entry(p.cache, pre), "model.safetensors")).tensors;
  const student = readSafetensors(path.join(entry(p.cache, dist), "model.safetensors")).tensors;
  for (const k of [
    "visual_projection.weight",
    "vision_model.post_layernorm.weight",
    "text_model.final_layer_norm.bias",
    "vision_model.embeddings.patch_embedding.weight",
  ])
    assert.equal(student.get(k)!.data, teacher.get(k)!.data, `${k} is frozen`);
  assert.not.equal(
    student.get("vision_model.encoder.layers.0.mlp.fc1.weight")!.data,
    teacher.get("vision_model.encoder.layers.0.mlp.fc1.weight")!.data,
  );
  assert.ok(kinds.size === 9);

  // --only distill with every distill cached: the pretrain they consume is not needed, even when
  // its own entry is gone.
  rmSync(entry(p.cache, pre), { recursive: true });
  const only = await scdx("run", p.file, "--only", "distill", "--cache", p.cache, "--reporter", "plain");
  assert.is(only.code, 0, only.out);
  const ev3 = lastEvents(p.dir);
  assert.is(of(ev3, "stage-started").length, 0);
  assert.is(of(ev3, "stage-cached").length, 4);
  assert.match(of(ev3, "stage-skipped").find((e) => e.key === pre)!.reason, /not needed/);
});

test("killed with SIGKILL mid-training, the run resumes from its checkpoint and ends bit-identical", async () => {
  const a = project(),
    b = project();
  const args = (p: { file: string; cache: string }) => [
    BIN,
    "run",
    p.file,
    "--only",
    "pretrain",
    "--cache",
    p.cache,
    "--reporter",
    "plain",
    "--jobs",
    "1",
  ];
  // checkpoint_every = 2: the kill after step 3 loses step 3, which the resumed run redoes.
  const killed = await execa("node", args(a), { reject: false, env: { SCDX_TEST_KILL_AT_STEP: "3" } });
  assert.is(killed.signal, "SIGKILL", `${killed.stdout}\n${killed.stderr}`);
  const resumed = await execa("node", args(a), { reject: false });
  assert.is(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  const ev = lastEvents(a.dir);
  // the default backend: native wherever OpenBLAS is installed (CI installs it)
  assert.is(of(ev, "run-start")[0]!.backend, NATIVE_UNAVAILABLE ? "wasm" : "native");
  assert.ok(
    of(ev, "stage-started").some((e) => e.resumedAt === 2),
    "resumed at the step-2 checkpoint",
  );
  const whole = await execa("node", args(b), { reject: false });
  assert.is(whole.exitCode, 0, whole.stdout + whole.stderr);
  const key = of(ev, "stage-done")[0]!.key;
  assert.is(of(lastEvents(b.dir), "stage-done")[0]!.key, key);
  assert.is(
    sha(path.join(entry(a.cache, key), "model.safetensors")),
    sha(path.join(entry(b.cache, key), "model.safetensors")),
  );
  assert.is(
    readFileSync(path.join(entry(a.cache, key), "train.jsonl"), "utf8"),
    readFileSync(path.join(entry(b.cache, key), "train.jsonl"), "utf8"),
  );
});

test("a cache entry with a flipped byte is detected and recomputed to the same bytes", async () => {
  const p = project();
  const first = await scdx(
    "run",
    p.file,
    "--only",
    "pretrain",
    "--cache",
    p.cache,
    "--reporter",
    "plain",
    "--jobs",
    "1",
  );
  assert.is(first.code, 0, first.err);
  const key = of(lastEvents(p.dir), "stage-done")[0]!.key;
  const file = path.join(entry(p.cache, key), "model.safetensors");
  const good = sha(file);
  const bytes = readFileSync(file);
  bytes[bytes.length - 100] ^= 0x01;
  writeFileSync(file, bytes);
  const again = await scdx(
    "run",
    p.file,
    "--only",
    "pretrain",
    "--cache",
    p.cache,
    "--reporter",
    "plain",
    "--jobs",
    "1",
  );
  assert.is(again.code, 0, again.err);
  const ev = lastEvents(p.dir);
  assert.is(of(ev, "stage-damaged").length, 1);
  assert.match(of(ev, "stage-damaged")[0]!.reason, /model\.safetensors/);
  assert.is(of(ev, "stage-done").length, 1);
  assert.is(sha(file), good);
});

test("two concurrent runs on one cache both succeed with identical results, computing each stage once", async () => {
  const p = project();
  const args = [BIN, "run", p.file, "--only", "pretrain", "--cache", p.cache, "--reporter", "json", "--jobs", "1"];
  const [x, y] = await Promise.all([execa("node", args, { reject: false }), execa("node", args, { reject: false })]);
  assert.is(x.exitCode, 0, x.stderr);
  assert.is(y.exitCode, 0, y.stderr);
  const evs = [x.stdout, y.stdout].map((s) =>
    s
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RunEvent),
  );
  const done = evs.map((ev) => of(ev, "stage-done").length);
  assert.equal(done.sort(), [0, 1], "exactly one of the two computed the stage");
  const other = evs.find((ev) => of(ev, "stage-done").length === 0)!;
  assert.is(of(other, "stage-cached").length, 1);
  assert.equal(
    of(evs[0]!, "trial-done").map((t) => t.metrics),
    of(evs[1]!, "trial-done").map((t) => t.metrics),
  );
});

test("a NaN loss stops the stage before updating, naming the step and term; dependents are skipped; exit 3", async () => {
  const p = project();
  const r = await scdx("run", p.file, "--set", "lr=1e6", "--cache", p.cache, "--reporter", "plain", "--jobs", "1");
  assert.is(r.code, 3, r.out);
  const ev = lastEvents(p.dir);
  const failed = of(ev, "stage-failed");
  assert.is(failed.length, 1);
  assert.is(failed[0]!.term, "clip_contrastive");
  assert.type(failed[0]!.step, "number");
  assert.match(failed[0]!.message, /NaN|Infinity/);
  assert.is(of(ev, "stage-skipped").length, 8);
  assert.match(r.out, new RegExp(`at step ${failed[0]!.step}, in term clip_contrastive`));
  const done = of(ev, "run-done")[0]!;
  assert.equal([done.failed, done.executed, done.ok], [1, 0, false]);
});

test("Ctrl-C: the worker checkpoints and stops, the run exits 130, and the next run resumes", async () => {
  const p = project();
  const args = (steps: string) => [
    BIN,
    "run",
    p.file,
    "--only",
    "pretrain",
    "--set",
    `steps=${steps}`,
    "--cache",
    p.cache,
    "--reporter",
    "json",
    "--jobs",
    "1",
  ];
  const child = execa("node", args("12"), { reject: false, buffer: { stdout: true } });
  let sent = false;
  child.stdout!.on("data", (d: Buffer) => {
    if (!sent && d.toString().includes('"stage-checkpoint"')) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const r = await child;
  assert.ok(sent, "saw a checkpoint");
  assert.is(r.exitCode, 130, r.stderr);
  const ev = (r.stdout as string)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as RunEvent);
  const done = of(ev, "run-done")[0]!;
  assert.ok(done.interrupted && !done.ok);
  const again = await execa("node", args("12"), { reject: false });
  assert.is(again.exitCode, 0, again.stderr);
  const started = of(lastEvents(p.dir), "stage-started");
  assert.ok(
    started.some((e) => (e.resumedAt ?? 0) >= 2),
    JSON.stringify(started),
  );
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
