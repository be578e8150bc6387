// Performance harness for the Slurm executor at scale (not a test: it only reports). Needs a
// cluster: `tools/slurm-lab.sh up; source /tmp/scdx-slurm-lab/env` (MaxArraySize ≥ 1001 for one
// array per wave; a smaller one shows the split).
//   (a) plan + submit a 1,000-trial random sweep (2,001 stages: a shared pretrain, then a distill
//       and a bench per trial): wall time of `scdx run --executor slurm --detach`, from command
//       start to its exit right after the last sbatch returned                     target ≤ 2 s
//       next to one `sbatch --wrap true` and `scdx --version`, measured in the same run (floors)
//   (b) the driver following those 2,001 stages (`scdx attach`, almost all pending): its peak
//       memory (VmHWM) over 20 s                                                     target < 300 MB
// Then it cancels every job it submitted.
// Run: node --import tsx perf/slurm-submit.ts [--trials N] [--follow-seconds S]
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(root, "bin", "scdx.js");
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TRIALS = arg("--trials", 1000),
  FOLLOW_S = arg("--follow-seconds", 20);

if (spawnSync("sinfo", ["-h"]).status !== 0) {
  console.error("perf/slurm-submit: no Slurm cluster answers (tools/slurm-lab.sh up; source its env)");
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-perf-slurm-"));
fs.writeFileSync(path.join(dir, "package.json"), "{}\n");
const tiny = fs.readFileSync(path.join(root, "test/fixtures/runtime/tiny.scd"), "utf8");
const study = tiny.replace(
  /^sweep .*$/m,
  `sweep random(${TRIALS}, 1, lambda: uniform(0, 4), tau: loguniform(0.05, 0.5))`,
);
if (study === tiny) throw new Error("tiny.scd has no `sweep …` line to replace");
fs.writeFileSync(path.join(dir, "sweep.scd"), study);
const env = { ...process.env, NODE_OPTIONS: "" };

// the floor: one submission of nothing
const sb: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const r = spawnSync("sbatch", ["--parsable", "-o", "/dev/null", "--hold", "--wrap", "true"], { encoding: "utf8" });
  sb.push(performance.now() - t0);
  spawnSync("scancel", [r.stdout.trim()]);
}
const sbatchMs = sb.sort((a, b) => a - b)[2]!;

// the CLI's own floor: starting scdx at all
const floor: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  spawnSync("node", [BIN, "--version"], { env });
  floor.push(performance.now() - t);
}
const floorMs = floor.sort((a, b) => a - b)[1]!;

const t0 = performance.now();
const sub = spawnSync(
  "node",
  [BIN, "run", "sweep.scd", "--executor", "slurm", "--detach", "--cache", path.join(dir, "cache")],
  { cwd: dir, env, encoding: "utf8" },
);
const submitMs = performance.now() - t0;
if (sub.status !== 0) throw new Error(`scdx run failed: ${sub.stderr}${sub.stdout}`);
const line = sub.stdout.split("\n").find((l) => l.includes("submitted")) ?? "";
const runId = line.split(":")[0]!;

// follow: attach, sample, then detach (SIGINT) and cancel
const att = spawn("node", [BIN, "attach", runId, "--reporter", "json"], {
  cwd: dir,
  env,
  stdio: ["ignore", "ignore", "pipe"],
});
let peakKb = 0;
const sample = setInterval(() => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${att.pid}/status`, "utf8"));
    if (m) peakKb = Math.max(peakKb, Number(m[1]));
  } catch {
    // not started yet, or gone
  }
}, 200);
await new Promise((r) => setTimeout(r, FOLLOW_S * 1000));
clearInterval(sample);
att.kill("SIGINT");
await new Promise((r) => att.on("exit", r));
spawnSync("node", [BIN, "cancel", runId], { cwd: dir, env });
const dag = JSON.parse(fs.readFileSync(path.join(dir, ".scdx", "runs", runId, "slurm", "dag.json"), "utf8")) as {
  sbatchCalls: number;
  stages: unknown[];
};
const stateCounts = spawnSync("squeue", ["-h", "-r", "-t", "all", "-o", "%T"], { encoding: "utf8" }).stdout;
console.log(`Slurm executor at scale: ${TRIALS} random-sweep trials → ${dag.stages.length} stages submitted`);
console.log(
  `(a) plan + submit (scdx run --detach, whole command): ${(submitMs / 1000).toFixed(2)} s in ${dag.sbatchCalls} sbatch calls   target ≤ 2 s`,
);
console.log(
  `    one sbatch --wrap true: ${sbatchMs.toFixed(0)} ms → the submission costs ${(submitMs / sbatchMs).toFixed(1)}× one sbatch call`,
);
console.log(`    scdx --version (the CLI's start-up floor): ${(floorMs / 1000).toFixed(2)} s`);
console.log(
  `(b) driver following them (scdx attach, ${FOLLOW_S} s): peak RSS ${(peakKb / 1024).toFixed(0)} MB   target < 300 MB`,
);
console.log(
  `    queue afterwards: ${new Set(stateCounts.split("\n").filter(Boolean)).size} states (all cancelled or done)`,
);
fs.rmSync(dir, { recursive: true, force: true });
