// `scdx run --executor slurm` on the real lab cluster (tools/slurm-lab.sh, started by .ci/run):
// the tiny 2×2 sweep gives the local executor's keys, models (bit for bit) and metrics; a rerun
// submits nothing; a job cancelled by someone else fails its stage with the job id and state while
// the stages that do not need it finish.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunEvent } from "../../../runtime/events/events.ts";
import { repoRoot } from "../../support/golden.ts";

const BIN = path.join(repoRoot, "bin", "scdx.js");
const conf = process.env["SLURM_CONF"];
const haveSlurm = !!conf && existsSync(conf);
const dirs: string[] = [];

function project(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-slurm-run-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "package.json"), "{}\n");
  copyFileSync(path.join(repoRoot, "test/fixtures/runtime/tiny.scd"), path.join(dir, "tiny.scd"));
  return { dir, file: path.join(dir, "tiny.scd") };
}
const lastRun = (dir: string) => {
  const root = path.join(dir, ".scdx", "runs");
  return path.join(root, readdirSync(root).sort().pop()!);
};
const events = (run: string) =>
  readFileSync(path.join(run, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as RunEvent);
const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
type Results = { trials: { metrics: object }[]; stages: { name: string; key: string; entry: string | null }[] };
const results = (run: string) => JSON.parse(readFileSync(path.join(run, "results.json"), "utf8")) as Results;

if (!haveSlurm) {
  test("scdx run --executor slurm: SKIPPED — no cluster (tools/slurm-lab.sh up; source its env)", () => {
    if (process.env["CI"]) assert.unreachable(".ci/run starts a Slurm lab; SLURM_CONF must point at it");
  });
} else {
  test("the tiny sweep through Slurm equals the local run; a rerun submits nothing", async () => {
    const local = project(),
      slurm = project();
    const run = (p: { dir: string; file: string }, ...extra: string[]) =>
      execa("node", [BIN, "run", p.file, "--cache", path.join(p.dir, "cache"), "--reporter", "plain", ...extra], {
        reject: false,
        cwd: p.dir,
        env: { NODE_OPTIONS: "" }, // the test runner's `--import tsx` does not resolve from the project
      });
    const [a, b] = await Promise.all([run(local, "--jobs", "1"), run(slurm, "--executor", "slurm")]);
    assert.is(a.exitCode, 0, a.stderr + a.stdout);
    assert.is(b.exitCode, 0, b.stderr + b.stdout);
    const ra = results(lastRun(local.dir)),
      rb = results(lastRun(slurm.dir));
    assert.equal(
      rb.stages.map((s) => s.key),
      ra.stages.map((s) => s.key),
    );
    assert.equal(
      rb.trials.map((t) => t.metrics),
      ra.trials.map((t) => t.metrics),
    );
    for (const [i, s] of ra.stages.entries()) {
      const model = path.join(s.entry!, "model.safetensors");
      if (existsSync(model)) assert.is(sha(path.join(rb.stages[i]!.entry!, "model.safetensors")), sha(model), s.name);
    }
    const jobs = readdirSync(path.join(lastRun(slurm.dir), "slurm")).filter((f) => f.endsWith(".job.json"));
    assert.is(jobs.length, 9, "one job per distinct stage: 1 pretrain + 4 distills + 4 benches");
    const status = await execa("node", [BIN, "status", "--json"], { cwd: slurm.dir, env: { NODE_OPTIONS: "" } });
    const st = JSON.parse(status.stdout) as { stages: { state: string; job?: string; queue?: string }[] };
    assert.ok(
      st.stages.every((s) => s.state === "done" && /^\d+$/.test(s.job ?? "") && s.queue === "COMPLETED"),
      status.stdout,
    );

    const again = await run(slurm, "--executor", "slurm");
    assert.is(again.exitCode, 0, again.stderr);
    const ev = events(lastRun(slurm.dir));
    assert.is(ev.filter((e) => e.type === "stage-started").length, 0);
    assert.is(ev.filter((e) => e.type === "stage-cached").length, 9, "every stage from the cache");
    const slurmDir = path.join(lastRun(slurm.dir), "slurm");
    assert.ok(!existsSync(slurmDir) || readdirSync(slurmDir).length === 0, "nothing submitted");
  });

  test("bad sbatch arguments: Slurm's own error before anything is written or submitted (exit 2)", async () => {
    const p = project();
    for (const [arg, want] of [
      ["--partition=nope", "invalid partition specified: nope"],
      ["--time=abc", "Invalid --time specification"],
    ] as const) {
      const r = await execa("node", [BIN, "run", p.file, "--executor", "slurm", `--sbatch-arg=${arg}`], {
        reject: false,
        cwd: p.dir,
        env: { NODE_OPTIONS: "" },
      });
      assert.is(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, `Slurm would refuse these jobs: ${want}`);
    }
    // the same through a profile of scdx.config.json: it sets the executor and the sbatch arguments
    writeFileSync(
      path.join(p.dir, "scdx.config.json"),
      JSON.stringify({ profiles: { bad: { executor: "slurm", sbatch: ["--partition=nope"] } } }),
    );
    const viaProfile = await execa("node", [BIN, "run", p.file, "--profile", "bad"], {
      reject: false,
      cwd: p.dir,
      env: { NODE_OPTIONS: "" },
    });
    assert.is(viaProfile.exitCode, 2, viaProfile.stderr);
    assert.match(viaProfile.stderr, "Slurm would refuse these jobs: invalid partition specified: nope");
    assert.not.ok(existsSync(path.join(p.dir, ".scdx", "runs")), "no run directory");
  });

  test("a job warned of its time limit (SIGUSR1) checkpoints, is submitted again and ends bit-identical", async () => {
    const warned = project(),
      whole = project();
    const args = (p: { dir: string; file: string }, ...extra: string[]) => [
      BIN,
      "run",
      p.file,
      "--only",
      "pretrain",
      "--set",
      "steps=120",
      "--cache",
      path.join(p.dir, "cache"),
      "--reporter",
      "json",
      ...extra,
    ];
    const child = execa("node", args(warned, "--executor", "slurm"), {
      reject: false,
      cwd: warned.dir,
      env: { NODE_OPTIONS: "" },
    });
    let job = "";
    child.stdout!.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n"))
        if (!job && line.includes('"stage-checkpoint"')) {
          const start = events(lastRun(warned.dir)).find((e) => e.type === "stage-started") as { worker: number };
          job = String(start.worker);
          // what Slurm sends WARN_SECONDS before a time limit, to the batch step only
          void execa("scancel", ["--signal=USR1", "--batch", job], { reject: false });
        }
    });
    const [r, w] = await Promise.all([
      child,
      execa("node", args(whole, "--jobs", "1"), { reject: false, cwd: whole.dir, env: { NODE_OPTIONS: "" } }),
    ]);
    assert.ok(job, "saw a checkpoint");
    assert.is(r.exitCode, 0, r.stderr);
    assert.is(w.exitCode, 0, w.stderr);
    const ev = events(lastRun(warned.dir));
    const starts = ev.filter((e) => e.type === "stage-started") as { resumedAt?: number }[];
    assert.ok(
      starts.some((s) => (s.resumedAt ?? 0) >= 2),
      `resumed from a checkpoint: ${JSON.stringify(starts)}`,
    );
    const a = results(lastRun(warned.dir)).stages[0]!,
      b = results(lastRun(whole.dir)).stages[0]!;
    assert.is(a.key, b.key);
    assert.is(sha(path.join(a.entry!, "model.safetensors")), sha(path.join(b.entry!, "model.safetensors")));
  });

  test("--retries 1: a job killed outright (no result) is submitted again and finishes", async () => {
    const p = project();
    const child = execa(
      "node",
      [BIN, "run", p.file, "--only", "pretrain", "--set", "steps=120", "--executor", "slurm", "--retries", "1"].concat([
        "--cache",
        path.join(p.dir, "cache"),
        "--reporter",
        "json",
      ]),
      { reject: false, cwd: p.dir, env: { NODE_OPTIONS: "" } },
    );
    let job = "";
    child.stdout!.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n"))
        if (!job && line.includes('"stage-checkpoint"')) {
          const start = events(lastRun(p.dir)).find((e) => e.type === "stage-started") as { worker: number };
          job = String(start.worker);
          void execa("scancel", ["--signal=KILL", "--batch", job], { reject: false }); // as an OOM kill would
        }
    });
    const r = await child;
    assert.ok(job, "saw a checkpoint");
    assert.is(r.exitCode, 0, r.stderr + r.stdout.slice(-2000));
    const starts = events(lastRun(p.dir)).filter((e) => e.type === "stage-started") as { worker: number }[];
    assert.ok(starts.length >= 2 && String(starts.at(-1)!.worker) !== job, "a second job ran it");
  });

  test("a job cancelled by someone else: its stage fails with the job id and state; others finish", async () => {
    const p = project();
    const child = execa(
      "node",
      [
        BIN,
        "run",
        p.file,
        "--set",
        "steps=200",
        "--executor",
        "slurm",
        "--cache",
        path.join(p.dir, "cache"),
        "--reporter",
        "json",
      ],
      { reject: false, cwd: p.dir, env: { NODE_OPTIONS: "" } },
    );
    let cancelled = "";
    child.stdout!.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n"))
        if (!cancelled && line.includes('"stage-progress"')) {
          const run = lastRun(p.dir);
          const start = events(run).find((e) => e.type === "stage-started") as { worker: number } | undefined;
          if (start) {
            cancelled = String(start.worker);
            void execa("scancel", [cancelled], { reject: false });
          }
        }
    });
    const r = await child;
    assert.ok(cancelled, "saw a running job");
    assert.is(r.exitCode, 3, r.stderr);
    const failed = events(lastRun(p.dir)).find((e) => e.type === "stage-failed") as { message: string } | undefined;
    assert.match(
      failed!.message,
      new RegExp(
        `Slurm job ${cancelled} (was ended by Slurm or someone else \\((CANCELLED|COMPLETING)|ended without a result \\(CANCELLED)`,
      ),
    );
  });
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
