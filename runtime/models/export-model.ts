// What `scdx export` writes: a train stage's model out of its cache entry as a checkpoint directory
// other tools load (Hugging Face or OpenAI/open_clip layout), its tokenizer, for a CLIP∘Refiner the
// Refiner's blocks (scdx's own format), and where it came from. Loaded back by loadStageModel, so
// `scdx embed` and later studies (`clip(weights: …)`) take it like any checkpoint.
import { copyFileSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Json } from "../../core/ir.ts";
import { saveClip, type ClipLayout } from "../../stdlib/models/load-clip.ts";
import { refinerShapes } from "../../stdlib/models/refiner.ts";
import { writeSafetensors } from "../../stdlib/io/safetensors.ts";
import type { KeyFields } from "../cache/store.ts";
import { MODEL_JSON, REFINER_FILE, saveTokenizer, type LoadedModel } from "./model-files.ts";

export const PROVENANCE_JSON = "provenance.json";
export const PROVENANCE_MD = "PROVENANCE.md";

/** Every name an export may write, in any layout: what --force replaces (and nothing else). */
export const EXPORT_FILES = [
  "config.json",
  "model.safetensors",
  "open_clip_config.json",
  "open_clip_model.safetensors",
  REFINER_FILE,
  MODEL_JSON,
  "words.txt",
  "vocab.json",
  "merges.txt",
  "tokenizer.json",
  PROVENANCE_JSON,
  PROVENANCE_MD,
];

export interface Provenance {
  readonly format: 1;
  /** Absolute path of the study's main file. */
  readonly study: string;
  readonly experiment: string;
  readonly stage: string;
  /** 1-based, as `scdx plan` numbers trials. */
  readonly trial: number;
  readonly params: Readonly<Record<string, Json>>;
  readonly key: string;
  readonly fields: KeyFields;
  readonly scdx: string;
  readonly backend: string;
  readonly layout: ClipLayout;
  readonly family: "clip" | "refiner";
  /** ISO time of the export. */
  readonly exported: string;
  /** The cache entry: when and where it was made, and what the stage recorded (steps, final loss…). */
  readonly entry: {
    readonly dir: string;
    readonly created: string;
    readonly host: string;
    readonly seconds: number | null;
    readonly meta: Json;
  };
  /** The command that rebuilds the entry. */
  readonly rerun: string;
}

/** Empty, absent, or holding only files an export writes (then --force may replace them). */
export function outState(dir: string): "absent" | "empty" | "not-dir" | "not-empty" {
  if (!existsSync(dir)) return "absent";
  if (!statSync(dir).isDirectory()) return "not-dir";
  return readdirSync(dir).length ? "not-empty" : "empty";
}

/** Removes an earlier export's files from `dir`; other files stay. */
export function clearExport(dir: string): void {
  for (const f of EXPORT_FILES) rmSync(join(dir, f), { force: true });
}

/** Writes the model, tokenizer and provenance into `dir` (created if needed); returns the file names. */
export function writeExport(
  dir: string,
  m: LoadedModel,
  entryDir: string,
  layout: ClipLayout,
  prov: Provenance,
): string[] {
  // Every safetensors header names its origin, so a file that travels alone still says where it came from.
  const meta = {
    scdx_version: prov.scdx,
    scdx_stage: prov.stage,
    scdx_key: prov.key,
    scdx_experiment: prov.experiment,
  };
  const files = saveClip(dir, m.model.arch, m.model.params, layout, meta).map((f) => basename(f));
  if (m.model.refiner) {
    const shapes = refinerShapes(m.model.refiner);
    const tensors = Object.fromEntries(
      Object.entries(shapes).map(([k, shape]) => [
        k,
        { dtype: "F32" as const, shape, data: Float32Array.from(m.model.params[k]!.dataSync() as Float32Array) },
      ]),
    );
    writeSafetensors(join(dir, REFINER_FILE), tensors, { format: "pt", ...meta });
    // model.json says how the Refiner sits on the CLIP; the entry's copy is the one loadStageModel wrote and reads.
    copyFileSync(join(entryDir, MODEL_JSON), join(dir, MODEL_JSON));
    files.push(REFINER_FILE, MODEL_JSON);
  }
  const before = new Set(readdirSync(dir));
  saveTokenizer(dir, { tokenizer: m.tokenizer, files: m.tokenizerFiles });
  files.push(
    ...readdirSync(dir)
      .filter((f) => !before.has(f))
      .sort(),
  );
  writeFileSync(join(dir, PROVENANCE_JSON), JSON.stringify(prov, null, 2) + "\n");
  writeFileSync(join(dir, PROVENANCE_MD), provenanceMarkdown(prov, files));
  files.push(PROVENANCE_JSON, PROVENANCE_MD);
  return files;
}

function provenanceMarkdown(p: Provenance, files: readonly string[]): string {
  const meta = p.entry.meta && typeof p.entry.meta === "object" && !Array.isArray(p.entry.meta) ? p.entry.meta : {};
  const row = (k: string, v: string) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`;
  const lines = [
    `# ${p.stage} (${p.experiment}, trial ${p.trial})`,
    "",
    `Exported by scdx ${p.scdx} on ${p.exported} from the cache entry of stage \`${p.stage}\` of \`${p.study}\`.`,
    "",
    "| | |",
    "|---|---|",
    row("study", p.study),
    row("stage", `${p.stage} (trial ${p.trial})`),
    row(
      "params",
      Object.entries(p.params)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(", ") || "none",
    ),
    row("model", p.family === "refiner" ? "CLIP∘Refiner" : "CLIP"),
    row(
      "layout",
      p.layout === "hf"
        ? "Hugging Face (config.json + model.safetensors)"
        : "OpenAI/open_clip (open_clip_model.safetensors + open_clip_config.json)",
    ),
    row("cache key", `\`${p.key}\``),
    row("backend", p.backend),
    row(
      "entry created",
      `${p.entry.created} on ${p.entry.host}${p.entry.seconds !== null ? ` in ${p.entry.seconds} s` : ""}`,
    ),
    ...["steps", "loss"]
      .filter((k) => meta[k] !== undefined && meta[k] !== null)
      .map((k) => row(k === "loss" ? "final loss" : k, String(meta[k]))),
    "",
    "## Files",
    "",
    ...files.map((f) => `- \`${f}\``),
    ...(p.family === "refiner"
      ? [
          "",
          `\`${REFINER_FILE}\` holds the Refiner's blocks and \`${MODEL_JSON}\` how they sit on the CLIP; both are scdx's own format (no other library loads a Refiner). The CLIP alone loads anywhere.`,
        ]
      : []),
    "",
    "## Rebuild",
    "",
    "```sh",
    p.rerun,
    "```",
    "",
    "## Cache key fields",
    "",
    "Every input of the cache key, with why it is one (all of it is in `provenance.json`):",
    "",
    ...Object.entries(p.fields).map(([k, f]) => `- **${k}**: \`${JSON.stringify(f.value)}\` — ${f.why}`),
    "",
  ];
  return lines.join("\n");
}
