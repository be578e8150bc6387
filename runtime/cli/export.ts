// `scdx export`: a train stage's model out of the cache into a checkpoint directory, with its
// tokenizer and provenance. Only reads the cache: a stage that is not there is not computed here.
import * as path from "node:path";
import { existsSync } from "node:fs";
import { BACKENDS, keyedBackend } from "../../stdlib/tensor/backend-name.ts";
import type { Study } from "../../core/ir.ts";
import { scdxVersion } from "../cache/manifest.ts";
import { planRun } from "../plan/run-plan.ts";
import { openSession, type Session } from "../plan/session.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";
import { checkStageName, pickStage, shellWord } from "./stage-arg.ts";

export const exportCommand: Command = {
  name: "export",
  help: `Usage: scdx export FILE STAGE --out DIR [--layout hf|openai] [--trial N] [--set name=value]…
                   [--backend B] [--cache DIR] [--force]

Finds the cache entry of train stage STAGE of FILE — the one \`scdx run FILE\` with the same
--set, --backend and --cache made or would make — and writes its model to DIR:

  hf       config.json + model.safetensors: transformers' CLIPModel.from_pretrained(DIR) loads it
  openai   open_clip_model.safetensors + open_clip_config.json (open_clip's hub layout; the
           state dict is OpenAI CLIP's)

plus the tokenizer the text tower was trained with (vocab.json + merges.txt, or words.txt for the
toy world), and PROVENANCE.md / provenance.json: the study, stage, trial params, cache key and its
fields, scdx version, backend, and what the stage recorded (steps, final loss). For a
CLIP∘Refiner, refiner.safetensors (the Refiner's blocks) and model.json (how they sit on the CLIP)
are added: those two are scdx-specific; the CLIP files alone load in any CLIP library. \`scdx embed
--model DIR\` and \`clip(weights: "DIR")\` in a study take the CLIP in DIR as it is.

Nothing is computed: a stage that is not in the cache is an error that prints the run command.

Options:
  --out DIR          where to write (created if needed); must be empty unless --force
  --layout L         hf (default) or openai
  --trial N          which trial's STAGE (1-based, as \`scdx plan\` numbers them), needed when
                     trials define STAGE differently
  --set name=value   override a param (or the seed) as the run did; repeatable
  --backend B        the backend the run used (default as \`scdx run\`); results are cached per backend
  --threads N        BLAS threads per worker on native, as for \`scdx run\` (keyed: default SCDX_THREADS, else 1)
  --cache DIR        the cache (default: SCDX_CACHE, else .scdx/cache in the project)
  --force            write into a non-empty DIR, replacing an earlier export's files there
  -h, --help         show this help

Exit codes: 0 ok, 1 the file has errors or the stage is not in the cache, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: "string" },
      layout: { type: "string" },
      trial: { type: "string" },
      set: { type: "string", multiple: true },
      backend: { type: "string" },
      threads: { type: "string" },
      cache: { type: "string" },
      force: { type: "boolean" },
    });
    if (values.help) {
      io.out(exportCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError("give a .scd file and a stage name");
    const [file, name] = positionals as [string, string];
    if (!values.out) throw new UsageError("--out DIR is required");
    const layout = values.layout ?? "hf";
    if (layout !== "hf" && layout !== "openai")
      throw new UsageError(`--layout must be hf or openai, got \`${layout}\``);
    const { outState, clearExport, writeExport } = await import("../models/export-model.ts");
    const out = path.resolve(io.cwd, values.out);
    const state = outState(out);
    if (state === "not-dir") throw new UsageError(`--out ${values.out} is a file, not a directory`);
    if (state === "not-empty" && !values.force)
      throw new UsageError(`--out ${values.out} is not empty; pass --force to replace an earlier export there`);

    const r = compileFile(file, values.set ?? [], { checkFiles: true });
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    checkStageName(r.study, name, true);
    const s = openSession(r.study, file, {
      backend: values.backend,
      threads: values.threads,
      cache: values.cache,
      only: [name],
      cwd: io.cwd,
    });
    const { stage, trial } = pickStage(r.study, s.plan, name, values.trial);
    const key = stage.info.key;
    const rerun = [
      "scdx",
      "run",
      file,
      "--only",
      name,
      ...(values.set ?? []).flatMap((x) => ["--set", x]),
      ...(values.backend ? ["--backend", values.backend] : []),
      ...(values.threads ? ["--threads", values.threads] : []),
      ...(values.cache ? ["--cache", values.cache] : []),
    ]
      .map(shellWord)
      .join(" ");
    const hit = await s.cache.lookup(key);
    if (hit.status !== "hit") {
      const why = hit.status === "damaged" ? ` (its entry was damaged — ${hit.reason} — and has been removed)` : "";
      io.err(
        `scdx export: stage ${name} of trial ${trial} is not in the cache (key ${key.slice(0, 12)}…)${why}: run \`${rerun}\` first${otherBackends(r.study, s, name, trial)}\n`,
      );
      return EXIT.errors;
    }

    const { initBackend } = await import("../../stdlib/tensor/backend.ts");
    const { loadStageModel } = await import("../models/model-files.ts");
    const tf = await import("@tensorflow/tfjs");
    await initBackend("cpu"); // export only moves numbers: any backend gives the same bytes
    const loaded = loadStageModel(hit.dir);
    try {
      if (state === "not-empty") clearExport(out);
      const m = hit.manifest;
      const files = writeExport(out, loaded, hit.dir, layout, {
        // Paths relative to the project and the cache: provenance committed with a checkpoint
        // must not carry one machine's folders.
        format: 1,
        study: path.relative(s.projectDir, path.resolve(io.cwd, file)) || path.basename(file),
        experiment: r.study.experiment,
        stage: name,
        trial,
        params: r.study.trials[trial - 1]!.params,
        key,
        fields: stage.fields,
        scdx: scdxVersion(),
        backend: s.backend,
        layout,
        family: loaded.model.family,
        exported: new Date().toISOString(),
        entry: {
          dir: path.relative(s.cache.root, hit.dir),
          created: m.created,
          host: m.host,
          seconds: m.seconds ?? null,
          meta: m.meta,
        },
        rerun,
      });
      io.out(
        `exported ${name} (trial ${trial}, ${loaded.model.family === "refiner" ? "CLIP∘Refiner" : "CLIP"}, ${layout} layout) to ${out}:\n${files.map((f) => `  ${f}`).join("\n")}\n`,
      );
    } finally {
      tf.dispose(Object.values(loaded.model.params));
    }
    return EXIT.ok;
  },
};

/** A hint when the stage is cached for another backend than the one asked for. */
function otherBackends(study: Study, s: Session, name: string, trial: number): string {
  const found: string[] = [];
  for (const b of BACKENDS) {
    if (b === s.backend) continue;
    const plan = planRun(
      study,
      { backend: keyedBackend(b, s.threads), scdxVersion: scdxVersion(), fingerprint: s.fingerprints.fingerprint },
      [name],
    );
    const node = study.trials[trial - 1]!.stages[name]!;
    const key = plan.stages.get(node)!.info.key;
    if (existsSync(path.join(s.cache.entryDir(key), "manifest.json"))) found.push(b);
  }
  return found.length
    ? `\n(it is cached for the ${found.join(" and ")} backend${found.length > 1 ? "s" : ""}: add --backend ${found[0]} to export that one)`
    : "";
}
