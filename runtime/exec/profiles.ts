// Execution profiles, set once per project (as Nextflow's -profile): scdx.config.json at the project
// root names sets of run settings — executor, sbatch arguments, retries, jobs, threads — that
// `scdx run --profile NAME` applies; flags given on the command line win over the profile.
//   { "profiles": { "gpu": { "executor": "slurm", "sbatch": ["--partition=gpu", "--time=04:00:00"],
//                            "train": ["--gres=gpu:1"], "bench": ["--mem=8G"], "retries": 2, "jobs": 32 } } }
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Ajv } from "ajv";
import { UsageError } from "../../core/usage-error.ts";

export interface Profile {
  readonly executor?: "local" | "slurm";
  readonly sbatch?: readonly string[];
  /** sbatch arguments for train stages only (e.g. a GPU), and for benches only. */
  readonly train?: readonly string[];
  readonly bench?: readonly string[];
  readonly retries?: number;
  readonly jobs?: number;
  readonly threads?: number;
}

export const CONFIG_FILE = "scdx.config.json";

const schema = {
  type: "object",
  properties: {
    profiles: {
      type: "object",
      additionalProperties: {
        type: "object",
        properties: {
          executor: { enum: ["local", "slurm"] },
          sbatch: { type: "array", items: { type: "string" } },
          train: { type: "array", items: { type: "string" } },
          bench: { type: "array", items: { type: "string" } },
          retries: { type: "integer", minimum: 0, maximum: 20 },
          jobs: { type: "integer", minimum: 1 },
          threads: { type: "integer", minimum: 1, maximum: 256 },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

const validate = new Ajv({ allErrors: true }).compile(schema);

/** The named profile of the project's scdx.config.json; usage errors name the file and what is wrong. */
export function loadProfile(projectDir: string, name: string): Profile {
  const file = path.join(projectDir, CONFIG_FILE);
  if (!existsSync(file)) throw new UsageError(`--profile ${name}: there is no ${file} to define it in`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!validate(json))
    throw new UsageError(
      `${file}: ${validate.errors!.map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (\`${e.params.additionalProperty}\`)` : ""}`).join("; ")}`,
    );
  const profiles = (json as { profiles?: Record<string, Profile> }).profiles ?? {};
  const p = profiles[name];
  if (!p)
    throw new UsageError(
      `--profile ${name}: ${file} defines ${
        Object.keys(profiles)
          .map((n) => `\`${n}\``)
          .join(", ") || "no profiles"
      }`,
    );
  return p;
}
