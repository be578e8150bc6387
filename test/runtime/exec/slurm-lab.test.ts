// The Slurm the executor's tests run against is real (tools/slurm-lab.sh, started by .ci/run): a
// job array is scheduled concurrently, runs Node, and finishes COMPLETED with its outputs; a failing
// task is FAILED with its exit code. Three tasks, because CI's lab sets MaxArraySize=3 (indices 0-2). Skipped, saying why, where no cluster is configured — never in CI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const conf = process.env["SLURM_CONF"];
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });

if (!conf || !existsSync(conf) || sh("sbatch", ["--version"]).status !== 0) {
  test("Slurm: SKIPPED — no cluster (run `tools/slurm-lab.sh up` and `source /tmp/scdx-slurm-lab/env`)", () => {
    if (process.env["CI"]) assert.unreachable(".ci/run starts a Slurm lab; SLURM_CONF must point at it");
  });
} else {
  test("an array of Node jobs runs on the lab cluster: COMPLETED with outputs, a failing task FAILED 7", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-slurm-"));
    try {
      const script = `console.log(process.env.SLURM_ARRAY_TASK_ID); process.exit(process.env.SLURM_ARRAY_TASK_ID === "1" ? 7 : 0)`;
      const sub = sh("sbatch", [
        "--parsable",
        "--array=0-2",
        "-J",
        "scdx-lab-test",
        "-o",
        path.join(dir, "%A_%a.out"),
        "--wrap",
        `${process.execPath} -e '${script}'`,
      ]);
      assert.is(sub.status, 0, sub.stderr);
      const job = sub.stdout.trim().split(";")[0]!;
      let states: string[] = [];
      for (let i = 0; i < 300; i++) {
        const q = sh("squeue", ["-h", "-t", "all", "-j", job, "-o", "%i|%T"]);
        states = q.stdout.trim().split("\n").filter(Boolean);
        if (states.length === 3 && states.every((l) => /\|(COMPLETED|FAILED)$/.test(l))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(states.sort(), [`${job}_0|COMPLETED`, `${job}_1|FAILED`, `${job}_2|COMPLETED`]);
      for (const t of [0, 2]) assert.is(readFileSync(path.join(dir, `${job}_${t}.out`), "utf8").trim(), String(t));
      const show = sh("scontrol", ["-o", "show", "job", `${job}_1`]);
      assert.match(show.stdout, "ExitCode=7:0");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
