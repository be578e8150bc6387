// `scdx run --executor slurm` on the real lab cluster (tools/slurm-lab.sh, started by .ci/run):
// the tiny 2×2 sweep gives the local executor's keys, models (bit for bit) and metrics in a number
// of sbatch calls bounded by waves × kinds (arrays split at MaxArraySize); a rerun submits nothing;
// time-limit warnings requeue and resume bit-identically; a worker killed outright is requeued
// (--retries) or reported with its signal; a job cancelled by someone else fails its stage and the
// same command resumes it; a killed driver loses nothing (scdx attach); --detach + scdx cancel; a
// second driver on another host adopts the first one's jobs.
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
const dag = (run: string) =>
  JSON.parse(readFileSync(path.join(run, "slurm", "dag.json"), "utf8")) as {
    sbatchCalls: number;
    arrays: string[];
    stages: { job: string; events: string; log: string; adopted?: boolean }[];
  };
const scdx = (p: { dir: string }, args: string[], env: Record<string, string> = {}) =>
  execa("node", [BIN, ...args], { reject: false, cwd: p.dir, env: { NODE_OPTIONS: "", ...env } });
const cacheArgs = (p: { dir: string }) => ["--cache", path.join(p.dir, "cache")];
/** Resolves once `pred` holds (polled), or fails after `ms`. */
async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !pred(); ) {
    if (Date.now() > end) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
/** Lines of a stage's worker messages so far (its events file in RUN/slurm/). */
const workerLines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
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
    assert.is(
      dag(lastRun(slurm.dir)).stages.length,
      9,
      "one task per distinct stage: 1 pretrain + 4 distills + 4 benches",
    );
    // three waves of one kind each (pretrain; 4 distills; 4 benches), arrays split at MaxArraySize
    const max = Number(/MaxArraySize\s*=\s*(\d+)/.exec((await execa("scontrol", ["show", "config"])).stdout)![1]);
    assert.is(dag(lastRun(slurm.dir)).sbatchCalls, 1 + 2 * Math.ceil(4 / max), `MaxArraySize ${max}`);
    const status = await execa("node", [BIN, "status", "--json"], { cwd: slurm.dir, env: { NODE_OPTIONS: "" } });
    const st = JSON.parse(status.stdout) as { stages: { state: string; job?: string; queue?: string }[] };
    assert.ok(
      st.stages.every((s) => s.state === "done" && /^\d+_\d+$/.test(s.job ?? "") && s.queue === "COMPLETED"),
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

  test("a worker killed outright (as by the OOM killer): requeued with --retries 1, else reported with its signal", async () => {
    const run = async (retries: string[]) => {
      const p = project();
      const child = scdx(p, [
        "run",
        p.file,
        "--only",
        "pretrain",
        "--set",
        "steps=120",
        "--executor",
        "slurm",
        ...retries,
        ...cacheArgs(p),
        "--reporter",
        "json",
      ]);
      let killed = 0;
      const watch = (async () => {
        await until(
          () =>
            existsSync(path.join(p.dir, ".scdx", "runs")) && existsSync(path.join(lastRun(p.dir), "slurm", "dag.json")),
          60_000,
          "the DAG",
        );
        const events = dag(lastRun(p.dir)).stages[0]!.events;
        await until(() => workerLines(events).some((m) => m["type"] === "checkpoint"), 90_000, "a checkpoint");
        killed = workerLines(events).find((m) => m["type"] === "ready")!["pid"] as number;
        process.kill(killed, "SIGKILL"); // the batch script outlives it, as it outlives an OOM kill
      })();
      const [r] = await Promise.all([child, watch]);
      return { p, r, killed };
    };
    const [retried, reported] = await Promise.all([run(["--retries", "1"]), run([])]);
    assert.ok(retried.killed && reported.killed, "killed a worker");
    assert.is(retried.r.exitCode, 0, retried.r.stderr + retried.r.stdout.slice(-2000));
    const log = readFileSync(dag(lastRun(retried.p.dir)).stages[0]!.log, "utf8");
    assert.match(
      log,
      /requeueing job \d+ \(the worker died \(signal KILL: killed, e\.g\. by the kernel for memory\); retry 1 of 1\)/,
    );
    assert.match(log, /attempt 2/);
    const starts = events(lastRun(retried.p.dir)).filter((e) => e.type === "stage-started") as { resumedAt?: number }[];
    assert.ok(
      starts.some((x) => (x.resumedAt ?? 0) >= 2),
      "the second attempt resumed from the checkpoint",
    );

    assert.is(reported.r.exitCode, 3, reported.r.stderr);
    const failed = events(lastRun(reported.p.dir)).find((e) => e.type === "stage-failed") as { message: string };
    assert.match(
      failed.message,
      /the worker of Slurm job \d+ died without a result \(signal KILL: killed, e\.g\. by the kernel for memory\)/,
    );
  });

  test("a job cancelled by someone else: its stage fails with the job id, the others finish; the same command resumes it", async () => {
    const p = project();
    const args = ["run", p.file, "--set", "steps=200", "--executor", "slurm", ...cacheArgs(p), "--reporter", "json"];
    const child = scdx(p, args);
    let cancelled = "";
    child.stdout!.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n"))
        if (!cancelled && line.includes('"stage-checkpoint"')) {
          const start = events(lastRun(p.dir)).find((e) => e.type === "stage-started") as
            | { worker: number }
            | undefined;
          if (start) {
            cancelled = String(start.worker);
            void execa("scancel", [cancelled], { reject: false });
          }
        }
    });
    const r = await child;
    assert.ok(cancelled, "saw a running job");
    assert.is(r.exitCode, 3, r.stderr);
    const ev = events(lastRun(p.dir));
    const failed = ev.find((e) => e.type === "stage-failed") as { message: string } | undefined;
    assert.match(
      failed!.message,
      new RegExp(
        `Slurm job \\d+_\\d+ (\\(job ${cancelled}\\) was ended by Slurm or someone else|ended without a result \\(CANCELLED)`,
      ),
    );
    const again = await scdx(p, args);
    assert.is(again.exitCode, 0, again.stderr);
    const starts = events(lastRun(p.dir)).filter((e) => e.type === "stage-started") as { resumedAt?: number }[];
    assert.ok(
      starts.some((x) => (x.resumedAt ?? 0) >= 2),
      `resumed from its checkpoint: ${JSON.stringify(starts)}`,
    );
  });

  test("a driver killed with SIGKILL loses nothing: scdx attach follows the run to its end", async () => {
    const p = project();
    const child = scdx(p, [
      "run",
      p.file,
      "--set",
      "steps=30",
      "--executor",
      "slurm",
      ...cacheArgs(p),
      "--reporter",
      "json",
    ]);
    await until(
      // The run directory exists a moment before its events file does.
      () =>
        existsSync(path.join(p.dir, ".scdx", "runs")) &&
        existsSync(path.join(lastRun(p.dir), "events.jsonl")) &&
        events(lastRun(p.dir)).some((e) => e.type === "stage-progress"),
      90_000,
      "progress",
    );
    child.kill("SIGKILL");
    await child;
    const run = lastRun(p.dir);
    assert.not.ok(existsSync(path.join(run, "results.json")));
    const a = await scdx(p, ["attach", "--reporter", "plain"]);
    assert.is(a.exitCode, 0, a.stderr + a.stdout);
    const out = a.stdout.replace(/\x1b\[[0-9;]*m/g, "");
    assert.match(out, /done in [\d.]+s: 9 executed, 0 cached, 0 failed/, out.slice(-3000));
    const res = results(run);
    assert.is(res.trials.length, 4);
    assert.ok(
      res.trials.every((t) => typeof (t.metrics as Record<string, unknown>)["spatial.miou"] === "number"),
      JSON.stringify(res.trials),
    );
    const done = events(run).filter((e) => e.type === "stage-done").length;
    assert.is(done, 9, "each stage ends once in the run's events, whoever followed it");
    const again = await scdx(p, ["attach"]);
    assert.is(again.exitCode, 2);
    assert.match(again.stderr, /has ended: see scdx results/);
  });

  test("--detach returns at once; scdx cancel lets the train stage checkpoint; scdx run resumes it", async () => {
    const p = project();
    const args = ["run", p.file, "--only", "pretrain", "--set", "steps=400", "--executor", "slurm", ...cacheArgs(p)];
    const t0 = Date.now();
    const d = await scdx(p, [...args, "--detach"]);
    assert.is(d.exitCode, 0, d.stderr);
    assert.ok(Date.now() - t0 < 15_000, "returned without waiting for the jobs");
    const id = /^(\S+): submitted 1 stage in 1 sbatch call/m.exec(d.stdout)?.[1];
    assert.ok(id, d.stdout);
    const run = lastRun(p.dir);
    const stage = dag(run).stages[0]!;
    await until(() => workerLines(stage.events).some((m) => m["type"] === "checkpoint"), 90_000, "a checkpoint");
    const st = await scdx(p, ["status", id!, "--json"]);
    assert.match(st.stdout, /"state": "running"/);
    const c = await scdx(p, ["cancel", id!]);
    assert.is(c.exitCode, 0, c.stderr);
    const q = await execa("squeue", ["-h", "-r", "-j", stage.job.split("_")[0]!, "-o", "%T"], { reject: false });
    assert.is(q.stdout.trim(), "", "nothing of the run left in the queue");
    const last = workerLines(stage.events)
      .filter((m) => m["type"] === "result")
      .pop()!;
    assert.is(last["interrupted"], true, "the worker ended on SIGINT, after a checkpoint");
    const again = await scdx(p, [...args, "--reporter", "json"]);
    assert.is(again.exitCode, 0, again.stderr);
    const starts = events(lastRun(p.dir)).filter((e) => e.type === "stage-started") as { resumedAt?: number }[];
    assert.ok(
      starts.some((x) => (x.resumedAt ?? 0) >= 2),
      `resumed: ${JSON.stringify(starts)}`,
    );
  });

  test("a job reaching its time limit is warned, checkpoints, requeues itself and resumes to the end", async () => {
    const p = project();
    // --time is in minutes: 1 minute. Slurm's warning (scdx asks for it 90 s ahead) comes at its first
    // check; the job reads its real time left and trains until 30 s before the limit, checkpoints and
    // requeues; each attempt advances, until the 500 steps are done
    const r = await scdx(p, [
      "run",
      p.file,
      "--only",
      "pretrain",
      "--set",
      "steps=500",
      "--executor",
      "slurm",
      "--sbatch-arg=--time=1",
      ...cacheArgs(p),
      "--reporter",
      "json",
    ]);
    assert.is(r.exitCode, 0, r.stderr + r.stdout.slice(-2000));
    const stage = dag(lastRun(p.dir)).stages[0]!;
    const log = readFileSync(stage.log, "utf8");
    assert.match(log, /requeueing job \d+ \(warned of its time limit at step \d+: resumes from its checkpoint\)/);
    const starts = events(lastRun(p.dir)).filter((e) => e.type === "stage-started") as { resumedAt?: number }[];
    assert.ok(
      starts.some((x) => (x.resumedAt ?? 0) > 0),
      `resumed: ${JSON.stringify(starts)}`,
    );
  });

  test("two drivers on two hosts, one study, one cache: the second adopts the first's jobs, nothing runs twice", async () => {
    const p = project();
    const args = ["run", p.file, "--set", "steps=20", "--executor", "slurm", ...cacheArgs(p), "--reporter", "json"];
    const a = scdx(p, args, { SCDX_HOSTNAME: "login-a" });
    await until(
      () => existsSync(path.join(p.dir, ".scdx", "runs")) && existsSync(path.join(lastRun(p.dir), "slurm", "dag.json")),
      60_000,
      "A's DAG",
    );
    const runA = lastRun(p.dir);
    const b = scdx(p, args, { SCDX_HOSTNAME: "login-b" });
    const [ra, rb] = await Promise.all([a, b]);
    assert.is(ra.exitCode, 0, ra.stderr);
    assert.is(rb.exitCode, 0, rb.stderr);
    const runB = lastRun(p.dir);
    assert.is.not(runB, runA);
    const bd = existsSync(path.join(runB, "slurm", "dag.json")) ? dag(runB) : { sbatchCalls: 0, stages: [] };
    assert.is(bd.sbatchCalls, 0, "B submitted nothing");
    assert.ok(bd.stages.every((s) => s.adopted));
    // every stage was computed by exactly one job: A's
    const computed = dag(runA).stages.filter((s) => workerLines(s.events).some((m) => m["type"] === "started"));
    assert.is(computed.length, 9);
    assert.equal(
      results(runB).trials.map((t) => t.metrics),
      results(runA).trials.map((t) => t.metrics),
    );
  });
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
