// Execution profiles, set once per project (as Nextflow's -profile): scdx.config.json at the project
// root names sets of run settings — executor, sbatch arguments, retries, jobs, threads — that
// `scdx run --profile NAME` applies; flags given on the command line win over the profile.
//   { "profiles": { "gpu": { "executor": "slurm", "sbatch": ["--partition=gpu", "--time=04:00:00"],
//                            "train": ["--gres=gpu:1"], "bench": ["--mem=8G"], "retries": 2, "jobs": 32 } } }
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Ajv } from "ajv";
import { findNodeAtLocation, getNodeValue, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
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

/** The named profile of the project's scdx.config.json; usage errors say file:line:col and what is wrong. */
export function loadProfile(projectDir: string, name: string): Profile {
  const file = path.join(projectDir, CONFIG_FILE);
  if (!existsSync(file)) throw new UsageError(`--profile ${name}: there is no ${file} to define it in`);
  const text = readFileSync(file, "utf8");
  // JSON with comments allowed (as editors' settings files); positions for every error
  const syntax: ParseError[] = [];
  const tree = parseTree(text, syntax, { disallowComments: false, allowTrailingComma: true });
  const at = (offset: number) => {
    const before = text.slice(0, offset).split("\n");
    return `${file}:${before.length}:${before.at(-1)!.length + 1}`;
  };
  if (syntax.length || !tree)
    throw new UsageError(
      syntax.length
        ? syntax.map((e) => `${at(e.offset)}: not valid JSON: ${printParseErrorCode(e.error)}`).join("\n")
        : `${file}: empty`,
    );
  const json = JSON.parse(JSON.stringify(getNodeValue(tree))) as unknown; // plain objects, not null-prototype ones
  if (!validate(json))
    throw new UsageError(
      validate
        .errors!.map((e) => {
          const segs = e.instancePath
            .split("/")
            .slice(1)
            .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
          const extra = e.params && "additionalProperty" in e.params ? String(e.params.additionalProperty) : undefined;
          // the offending key itself for an unknown property, else the value at the path
          const node = extra ? findNodeAtLocation(tree, [...segs, extra])?.parent : findNodeAtLocation(tree, segs);
          return `${at(node?.offset ?? 0)}: ${e.instancePath || "/"} ${e.message}${extra ? ` (\`${extra}\`)` : ""}`;
        })
        .join("\n"),
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
