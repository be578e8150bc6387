// scdx.config.json profiles: the named profile is read and checked against its schema; mistakes are
// usage errors naming the file and what is wrong; `scdx run --profile` applies one (flags win).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UsageError } from "../../../core/usage-error.ts";
import { loadProfile } from "../../../runtime/exec/profiles.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-profiles-"));
const write = (v: unknown) =>
  writeFileSync(path.join(dir, "scdx.config.json"), typeof v === "string" ? v : JSON.stringify(v));
const fails = (name: string, re: RegExp) =>
  assert.throws(
    () => loadProfile(dir, name),
    (e: Error) => e instanceof UsageError && re.test(e.message),
  );

test("a profile is read as written", () => {
  write({ profiles: { gpu: { executor: "slurm", sbatch: ["--partition=gpu"], retries: 2, jobs: 8, threads: 2 } } });
  assert.equal(loadProfile(dir, "gpu"), {
    executor: "slurm",
    sbatch: ["--partition=gpu"],
    retries: 2,
    jobs: 8,
    threads: 2,
  });
});

test("mistakes name the file and what is wrong", () => {
  write({ profiles: { gpu: { executor: "slurm" } } });
  fails("cpu", /--profile cpu: .*scdx\.config\.json defines `gpu`/);
  write(`{
  // comments are fine
  "profiles": {
    "gpu": {
      "executor": "lsf",
      "retry": 1
    }
  }
}`);
  // file:line:col of the value, and of an unknown key
  fails("gpu", /scdx\.config\.json:5:19: \/profiles\/gpu\/executor must be equal to one of the allowed values/);
  fails("gpu", /scdx\.config\.json:6:7: \/profiles\/gpu must NOT have additional properties \(`retry`\)/);
  write('{ "profiles": { "gpu": { "train": "--gres=gpu:1" } } }');
  fails("gpu", /scdx\.config\.json:1:35: \/profiles\/gpu\/train must be array/);
  write("{ profiles: ");
  fails("gpu", /scdx\.config\.json:1:3: not valid JSON: InvalidSymbol/);
  rmSync(path.join(dir, "scdx.config.json"));
  fails("gpu", /there is no .*scdx\.config\.json to define it in/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
