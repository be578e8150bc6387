// What `scdx run` costs beyond the stages themselves, against the floor of starting the CLI at all
// (`scdx --version`, measured in the same run): a fully cached rerun of a 9-stage sweep, a
// cached `--dry-run`, and how long after the start of a run its first stage starts in a worker.
//   node --import tsx perf/run-overhead.ts
import { execa } from "execa";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "bin", "scdx.js");
const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-perf-"));
const file = path.join(dir, "tiny.scd");
copyFileSync(path.join(root, "test/fixtures/runtime/tiny.scd"), file);
const cache = path.join(dir, "cache");

async function time(args: string[], reps = 5, cmd = ["node", bin]): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    const r = await execa(cmd[0]!, [...cmd.slice(1), ...args], { reject: false, cwd: root });
    if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

try {
  process.stdout.write("filling the cache (tiny.scd, 9 stages, 1 job)… ");
  const fill = await execa("node", [bin, "run", file, "--cache", cache, "--reporter", "json", "--jobs", "1"]);
  const events = fill.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; t: number });
  const firstStart = events.find((e) => e.type === "stage-started")!.t;
  console.log(`${(events.at(-1)!.t / 1000).toFixed(1)} s`);
  const node = await time(["-e", "0"], 5, ["node"]);
  const floor = await time(["--version"]);
  const rerun = await time(["run", file, "--cache", cache, "--reporter", "plain"]);
  const dry = await time(["run", file, "--cache", cache, "--dry-run"]);
  // README's quickstart says `npx scdx`: npm's own start-up comes on top of everything here.
  const npx = await time(["run", file, "--cache", cache, "--reporter", "plain"], 5, ["npx", "scdx"]);
  console.log(`node -e 0                     ${node.toFixed(0)} ms`);
  console.log(`scdx --version (floor)        ${floor.toFixed(0)} ms`);
  console.log(`cached rerun, 9 stages        ${rerun.toFixed(0)} ms   ${(rerun / floor).toFixed(2)}× the floor`);
  console.log(`the same through npx scdx     ${npx.toFixed(0)} ms`);
  console.log(`cached --dry-run              ${dry.toFixed(0)} ms   ${(dry / floor).toFixed(2)}× the floor`);
  console.log(
    `first stage started after     ${firstStart.toFixed(0)} ms (plan + lookups + worker process: tsx, tfjs-wasm init, model init)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
