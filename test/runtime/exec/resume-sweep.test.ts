// Resuming a half-done sweep is the same command: a 20-trial random-search sweep interrupted with
// Ctrl-C once half its stages are done, then run again, executes exactly the stage keys the first
// run did not finish, and takes the finished ones from the cache. The same on Slurm (8 trials),
// where Ctrl-C cancels the run's jobs after the running ones checkpoint.
import { execa } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

function project(trials: number): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-resume-sweep-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "package.json"), "{}\n");
  const file = path.join(dir, "tiny.scd");
  writeFileSync(
    file,
    readFileSync(path.join(repoRoot, "test/fixtures/runtime/tiny.scd"), "utf8").replace(
      /^sweep .*$/m,
      `sweep random(${trials}, 3, lambda: uniform(0, 4), tau: loguniform(0.05, 0.5))`,
    ),
  );
  return { dir, file };
}

function runs(dir: string): RunEvent[][] {
  const root = path.join(dir, ".scdx", "runs");
  return readdirSync(root)
    .sort()
    .map((id) =>
      readFileSync(path.join(root, id, "events.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as RunEvent),
    );
}
const keysOf = (ev: RunEvent[], type: RunEvent["type"]) =>
  new Set(ev.filter((e) => e.type === type).map((e) => (e as { key: string }).key));

for (const [executor, trials] of [
  ["local", 20],
  ["slurm", 8],
] as const) {
  const name = `${executor}: interrupted at half its stages, the same command executes exactly the missing stage keys`;
  if (executor === "slurm" && !haveSlurm) {
    test(`${name}: SKIPPED — no cluster (tools/slurm-lab.sh up; source its env)`, () => {
      if (process.env["CI"]) assert.unreachable(".ci/run starts a Slurm lab; SLURM_CONF must point at it");
    });
    continue;
  }
  test(name, async () => {
    const { dir, file } = project(trials);
    const args = [BIN, "run", file, "--cache", path.join(dir, "cache"), "--reporter", "json"].concat(
      executor === "local" ? ["--jobs", "2"] : ["--executor", "slurm"],
    );
    const opts = { reject: false, cwd: dir, env: { NODE_OPTIONS: "" } } as const;
    const child = execa("node", args, opts);
    let done = 0,
      total = 0,
      sent = false;
    child.stdout!.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (line.includes('"run-start"')) total = (JSON.parse(line) as { stages: unknown[] }).stages.length;
        if (line.includes('"stage-done"')) done++;
        if (!sent && total && done >= total / 2) {
          sent = true;
          child.kill("SIGINT");
        }
      }
    });
    const first = await child;
    assert.ok(sent, `interrupted (saw ${done} of ${total} stages done)`);
    assert.is(first.exitCode, 130, first.stderr);
    assert.is(total, 2 * trials + 1, "1 shared pretrain + a distill and a bench per trial");

    const again = await execa("node", args, opts);
    assert.is(again.exitCode, 0, again.stderr);
    const [one, two] = runs(dir);
    const all = new Set(
      (one!.find((e) => e.type === "run-start") as { stages: readonly { key: string }[] }).stages.map((s) => s.key),
    );
    const finished = keysOf(one!, "stage-done");
    assert.ok(finished.size >= trials && finished.size < total, `${finished.size} finished before the interrupt`);
    const missing = [...all].filter((k) => !finished.has(k)).sort();
    assert.equal([...keysOf(two!, "stage-started")].sort(), missing, "the rerun starts exactly the missing keys");
    assert.equal([...keysOf(two!, "stage-cached")].sort(), [...finished].sort(), "and serves the finished ones");
  });
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
