// `scdx run`: compile, check every trial, plan, execute what the cache lacks, report.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fanOut, type Reporter, type RunEvent } from "../events/events.ts";
import { execute, type ExecuteResult, runTally } from "../exec/executor.ts";
import { renderRunPlan } from "../plan/run-plan-render.ts";
import {
  createRunDir,
  environment,
  eventLog,
  runId,
  writeProgram,
  writeResults,
  writeSources,
} from "../runs/run-dir.ts";
import { indexRun } from "../runs/run-index.ts";
import { hasEntry, openSession, type Session } from "../plan/session.ts";
import { WorkerPool, type StagePool } from "../exec/worker-pool.ts";
import { checkSbatchArgs } from "../exec/slurm-check.ts";
import { executeSlurm } from "../exec/slurm-executor.ts";
import { loadProfile } from "../exec/profiles.ts";
import { projectDirOf } from "../cache/store.ts";
import { threadPolicy } from "../exec/thread-policy.ts";
import { nativeUnavailable } from "../../stdlib/tensor/native/probe.ts";
import { plainReporter } from "../reporters/plain.ts";
import { jsonReporter } from "../reporters/json.ts";
import { scdxVersion } from "../cache/manifest.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileFile, printDiagnostics } from "./diagnose.ts";

export const run: Command = {
  name: "run",
  help: `Usage: scdx run FILE [--set name=value]… [--backend B] [--jobs N] [--threads N] [--executor local|slurm]
                [--sbatch-arg A]… [--retries N] [--detach] [--profile NAME] [--cache DIR] [--no-cache]
                [--dry-run] [--only STAGE]… [--reporter ink|plain|json] [--sort METRIC [--asc]]

Checks FILE and every trial of its sweep, plans the stages (a stage that several trials define the
same way runs once), serves what it can from the cache, runs the rest in worker processes, and
ends with a results table (one row per trial; mean ± standard error where trials differ only in
seed). Train stages checkpoint as they go: after a crash or Ctrl-C, the same command resumes.

Options:
  --set name=value   override a param (or the seed) in every trial; repeatable
  --backend B        tensorflow, native, wasm or cpu (default: SCDX_BACKEND, else tensorflow if
                     @tensorflow/tfjs-node-gpu is installed, else native when OpenBLAS loads, else
                     wasm); results are cached per backend
  --jobs N           worker processes running stages in parallel (default: the CPUs ÷ --threads,
                     CPUs being SLURM_CPUS_PER_TASK if set, else the machine's; 1 on tensorflow)
  --threads N        BLAS threads per worker on native (default: SCDX_THREADS, else 1); results are
                     cached per thread count, as the last bits of a matMul depend on it
  --executor E       local (default: worker processes here) or slurm (every stage the cache lacks is
                     queued at once, one job array per dependency wave and stage kind, with Slurm
                     dependencies; the cache and the project must be on a filesystem the nodes see;
                     --jobs N then caps the running tasks of each array)
  --sbatch-arg A     an extra sbatch argument for every job, e.g. --sbatch-arg=--partition=gpu;
                     repeatable; checked with sbatch --test-only before anything is submitted
  --retries N        slurm: requeue a job up to N times when its worker dies without a result (an
                     OOM kill, a crash); it resumes from its last checkpoint (default 0)
  --detach           slurm: submit the whole run and return at once, printing its id; follow it
                     with scdx attach RUN, scdx status RUN, scdx results RUN; stop it with
                     scdx cancel RUN
  --profile NAME     take executor, sbatch arguments, retries, jobs and threads from the profile NAME
                     of scdx.config.json at the project root; flags given here win
  --cache DIR        the cache (default: SCDX_CACHE, else .scdx/cache in the project)
  --no-cache         compute everything afresh in a throw-away cache (the shared cache is untouched)
  --dry-run          print the plan — what would run, what is cached, what is shared, memory — and stop
  --only STAGE       run only this stage (and what it needs); repeatable
  --reporter R       ink (default on a terminal, unless every stage is cached), plain (default
                     otherwise), json (one event per line)
  --sort METRIC      how the live view of a large sweep ranks its best trials so far, e.g.
                     --sort spatial.miou (default: the first metric reported), highest first
  --asc              with --sort: lowest first (a loss, an error rate)
  -h, --help         show this help

Every run writes a run directory (.scdx/runs/<time>-<experiment>-<pid>/): the resolved program,
events.jsonl, results.json/.csv, the backend and versions, and links to the cache entries.

Exit codes: 0 ok, 1 the file has errors or a stage cannot fit the backend, 2 usage error,
3 a stage failed (the others finished), 130 interrupted (checkpoints kept: run again to resume).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      set: { type: "string", multiple: true },
      backend: { type: "string" },
      jobs: { type: "string" },
      threads: { type: "string" },
      executor: { type: "string" },
      "sbatch-arg": { type: "string", multiple: true },
      retries: { type: "string" },
      detach: { type: "boolean" },
      profile: { type: "string" },
      cache: { type: "string" },
      "no-cache": { type: "boolean" },
      "dry-run": { type: "boolean" },
      only: { type: "string", multiple: true },
      reporter: { type: "string" },
      sort: { type: "string" },
      asc: { type: "boolean" },
    });
    if (values.help) {
      io.out(run.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one .scd file");
    // a profile from scdx.config.json fills in what the command line leaves out
    const profile = values.profile
      ? loadProfile(projectDirOf(path.resolve(io.cwd, positionals[0]!)), values.profile)
      : {};
    values.executor ??= profile.executor;
    if (profile.sbatch && !values["sbatch-arg"]) values["sbatch-arg"] = [...profile.sbatch];
    if (profile.retries !== undefined) values.retries ??= String(profile.retries);
    if (profile.jobs !== undefined) values.jobs ??= String(profile.jobs);
    if (profile.threads !== undefined) values.threads ??= String(profile.threads);
    const jobsFlag = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobsFlag !== undefined && (!Number.isInteger(jobsFlag) || jobsFlag < 1))
      throw new UsageError(`--jobs must be a positive whole number, got \`${values.jobs}\``);
    if (values.reporter !== undefined && !["ink", "plain", "json"].includes(values.reporter))
      throw new UsageError(`--reporter must be ink, plain or json, got \`${values.reporter}\``);
    if (values["no-cache"] && values.cache) throw new UsageError("--no-cache and --cache exclude each other");
    const executor = values.executor ?? "local";
    if (executor !== "local" && executor !== "slurm")
      throw new UsageError(`--executor must be local or slurm, got \`${executor}\``);
    if (values["sbatch-arg"] && executor !== "slurm") throw new UsageError("--sbatch-arg needs --executor slurm");
    const retries = values.retries === undefined ? 0 : Number(values.retries);
    if (!(Number.isInteger(retries) && retries >= 0 && retries <= 20))
      throw new UsageError(`--retries must be a whole number from 0 to 20, got \`${values.retries}\``);
    if (values.retries !== undefined && executor !== "slurm") throw new UsageError("--retries needs --executor slurm");
    if (values.detach && executor !== "slurm") throw new UsageError("--detach needs --executor slurm");
    const file = positionals[0]!;

    const r = compileFile(file, values.set ?? [], { checkFiles: true });
    if (printDiagnostics(r, io, "pretty") || !r.study) return EXIT.errors;
    const study = r.study;
    const names = new Set(study.trials.flatMap((t) => Object.keys(t.stages)));
    for (const o of values.only ?? [])
      if (!names.has(o))
        throw new UsageError(`--only ${o}: the study has no stage or bench \`${o}\` (it has ${[...names].join(", ")})`);

    if (values.asc && !values.sort) throw new UsageError("--asc needs --sort METRIC");
    if (values.sort !== undefined && !names.has(values.sort.split(".")[0]!))
      throw new UsageError(
        `--sort ${values.sort}: a metric is STAGE.METRIC, and the study has no stage or bench \`${values.sort.split(".")[0]}\` (it has ${[...names].join(", ")})`,
      );
    const throwaway = values["no-cache"] ? mkdtempSync(path.join(os.tmpdir(), "scdx-nocache-")) : undefined;
    const s = openSession(study, file, {
      backend: values.backend,
      threads: values.threads,
      cache: values.cache,
      cacheRoot: throwaway,
      only: values.only,
      cwd: io.cwd,
    });
    // One process per BLAS thread budget on native/wasm/cpu; one on tensorflow, where several
    // processes would each start CUDA on the same device.
    const threads = threadPolicy({
      blasThreads: s.threads,
      ...(jobsFlag !== undefined && { jobs: jobsFlag }),
      stages: s.plan.stages.size,
      oneProcess: s.backend === "tensorflow",
    });
    if (s.plan.refused.length) {
      io.err(
        `scdx run: ${s.plan.refused.length} stage${s.plan.refused.length === 1 ? "" : "s"} cannot fit the ${s.backend} backend; nothing was run:\n${s.plan.refused.map((x) => `  ${x}`).join("\n")}\n`,
      );
      return EXIT.errors;
    }
    if (s.backend === "native") {
      const why = nativeUnavailable();
      if (why) throw new UsageError(`the native backend cannot run here: ${why} (use --backend wasm)`);
    }
    if (s.backendNote && [...s.plan.stages.keys()].some((k) => !hasEntry(s, k))) io.err(`scdx: ${s.backendNote}\n`);
    if (values["dry-run"]) {
      io.out(renderRunPlan(s, { color: io.color }));
      if (throwaway) rmSync(throwaway, { recursive: true, force: true });
      return EXIT.ok;
    }

    // before anything is written or submitted: Slurm's own verdict on the job arguments
    if (executor === "slurm") {
      const all = values["sbatch-arg"] ?? [];
      const bad =
        (await checkSbatchArgs([...all, ...(profile.train ?? [])])) ??
        (profile.bench ? await checkSbatchArgs([...all, ...profile.bench]) : undefined);
      if (bad) throw new UsageError(`Slurm would refuse these jobs: ${bad}`);
    }
    const id = runId(study.experiment);
    const runDir = createRunDir(path.join(s.projectDir, ".scdx", "runs"), id);
    writeSources(runDir, [r.loaded.main, ...[...r.loaded.files.values()].filter((f) => !f.isMain)]);
    writeProgram(
      runDir,
      study,
      environment(
        scdxVersion(),
        s.keyedBackend,
        tfjsVersion(),
        throwaway ? "(none: --no-cache)" : s.cache.root,
        argv,
        threads,
      ),
    );
    const ui = await makeReporter(
      values.reporter ?? defaultReporter(s),
      io,
      values.sort ? { metric: values.sort, asc: values.asc } : undefined,
    );
    const reporter = fanOut([eventLog(runDir), ui]);
    const t0 = Date.now();
    const emit = (e: Record<string, unknown>) => reporter.event({ ...e, t: Date.now() - t0 } as RunEvent);

    const stop = new AbortController();
    const pool: StagePool | undefined =
      executor === "slurm" ? undefined : new WorkerPool(threads.jobs, s.backend, s.threads, s.keyedBackend);
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts === 1) {
        stop.abort();
        pool?.stop();
      } else pool?.kill();
    };
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigint);
    let result: ExecuteResult;
    try {
      emit({
        type: "run-start",
        runId: id,
        experiment: study.experiment,
        file,
        backend: s.backend,
        jobs: pool?.size ?? jobsFlag ?? s.plan.stages.size,
        swept: study.swept,
        trials: s.plan.trials,
        stages: [...s.plan.stages.values()].map((x) => x.info),
      });
      indexRun(s.cache.root, path.resolve(io.cwd, file), study.experiment, runDir, s.plan);
      const common = { study, plan: s.plan, cache: s.cache, emit: emit as never, signal: stop.signal };
      if (pool) result = await execute({ ...common, pool, batchThreads: threads.batchThreads });
      else {
        const r = await executeSlurm({
          ...common,
          runDir,
          batchThreads: threads.batchThreads,
          detach: !!values.detach,
          t0,
          submit: {
            backend: s.backend,
            keyed: s.keyedBackend,
            threads: s.threads,
            sbatch: {
              all: values["sbatch-arg"] ?? [],
              train: profile.train ?? [],
              bench: profile.bench ?? [],
            },
            retries,
            throttle: jobsFlag,
          },
        });
        if ("detached" in r) {
          await reporter.close?.();
          const tasks = r.detached.stages.filter((x) => !x.adopted).length;
          io.out(
            `${id}: submitted ${tasks} stage${tasks === 1 ? "" : "s"} in ${r.detached.sbatchCalls} sbatch call${r.detached.sbatchCalls === 1 ? "" : "s"} (arrays ${r.detached.arrays.join(", ")})\n` +
              `  follow it: scdx attach ${id}   ·   scdx status ${id}   ·   scdx results ${id}   ·   stop it: scdx cancel ${id}\n`,
          );
          return EXIT.ok;
        }
        result = r;
      }
    } finally {
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigint);
      await pool?.close();
    }
    writeResults(runDir, study, s.plan, result.outcomes, result.trialMetrics, { links: !throwaway });
    if (throwaway) rmSync(throwaway, { recursive: true, force: true });
    const tally = runTally({ ...result, interrupted: result.interrupted });
    const { failed, interrupted } = tally;
    emit({ type: "run-done", ...tally, seconds: (Date.now() - t0) / 1000, runDir });
    await reporter.close?.();
    return interrupted ? EXIT.interrupted : failed ? EXIT.stageFailed : EXIT.ok;
  },
};

/**
 * Ink on a terminal, plain otherwise. Also plain when every stage asked for is already cached:
 * nothing will be live, the plain log says the same, and loading Ink costs about a second
 * (tsx-hooked modules) of a rerun that is otherwise 0.8 s. A terminal of 0 rows (`script`, some
 * container ttys) gets plain too: Ink takes every frame as taller than it and clears the
 * scrollback each time.
 */
export function defaultReporter(
  s: Session,
  out: { readonly isTTY?: boolean; readonly rows?: number } = process.stdout,
): "ink" | "plain" {
  if (!out.isTTY || !((out.rows ?? 0) > 0)) return "plain";
  return [...s.plan.roots].every((node) => hasEntry(s, node)) ? "plain" : "ink";
}

async function makeReporter(
  name: string,
  io: Parameters<Command["run"]>[1],
  sort?: { metric: string; asc?: boolean },
): Promise<Reporter> {
  if (name === "json") return jsonReporter(io.out);
  if (name === "plain")
    return plainReporter(io.out, { color: io.color, width: process.stdout.isTTY ? process.stdout.columns : undefined });
  const { inkReporter } = await import("../reporters/ink.tsx");
  return inkReporter({ color: io.color, sort });
}

/** The installed tfjs version, for the run's provenance (read without loading tfjs). */
function tfjsVersion(): string {
  try {
    const req = createRequire(import.meta.url);
    const main = req.resolve("@tensorflow/tfjs");
    const pkg =
      main.slice(0, main.lastIndexOf("node_modules/@tensorflow/tfjs/") + "node_modules/@tensorflow/tfjs/".length) +
      "package.json";
    return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
