// `scdx why`: would a stage run, and if so, what changed since it last did.
import * as path from "node:path";
import { explainStage } from "../runs/why-explain.ts";
import { renderWhy } from "../runs/why-render.ts";
import { openSession } from "../plan/session.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";
import { checkStageName, pickStage } from "./stage-arg.ts";

export const whyCommand: Command = {
  name: "why",
  help: `Usage: scdx why FILE STAGE [--trial N] [--set name=value]… [--backend B] [--cache DIR] [--json]

Computes STAGE's cache key as \`scdx run FILE\` with the same options would. If the cache holds it,
says so (nothing would run). Otherwise finds the stage's most recent other key in the cache's run
index and lists, field by field, what changed and why that field is part of the key:

  definition   the stage's op, options, loss terms and the definitions of what it reads, compared
               with the previous run's program: e.g. options.optim.options.lr: 0.0002 → 0.001,
               data train: options.images: 256 → 512 (and the trial's params that changed)
  inputs       an upstream stage's key changed: explained in turn, indented
  components   a component's implementation version, e.g. rla 1 → 2
  files        an external file's content (weights, annotations, images)
  backend      the tfjs backend, e.g. wasm → cpu
  scdx         the scdx version

Also says whether the previous entry is still in the cache. Nothing is computed or changed.

Options:
  --trial N          which trial's STAGE (1-based), needed when trials define STAGE differently
  --set name=value   override a param (or the seed) as \`scdx run\` would; repeatable
  --backend B        the backend to key for (default as \`scdx run\`)
  --threads N        BLAS threads per worker on native, as for \`scdx run\` (keyed: default SCDX_THREADS, else 1)
  --cache DIR        the cache (default: SCDX_CACHE, else .scdx/cache in the project)
  --json             print the explanation as JSON
  -h, --help         show this help

Exit codes: 0 ok (cached or not), 1 the file has errors, 2 usage error.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      trial: { type: "string" },
      set: { type: "string", multiple: true },
      backend: { type: "string" },
      threads: { type: "string" },
      cache: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.out(whyCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError("give a .scd file and a stage name");
    const [file, name] = positionals as [string, string];
    const r = compileFile(file, values.set ?? []);
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    checkStageName(r.study, name, false);
    const s = openSession(r.study, file, {
      backend: values.backend,
      threads: values.threads,
      cache: values.cache,
      only: [name],
      cwd: io.cwd,
    });
    const { stage, trial } = pickStage(r.study, s.plan, name, values.trial);
    const w = explainStage(s, path.resolve(io.cwd, file), stage, trial);
    io.out(values.json ? JSON.stringify(w, null, 2) + "\n" : renderWhy(w, { color: io.color }));
    return EXIT.ok;
  },
};
