// The one table of subcommands. Add a command: a file in this folder and a line here.
// A command's module, and everything it imports, loads only when that command runs: `scdx check`
// should not pay for the language server, Slurm or the report writer (each module loaded through
// tsx costs), and `scdx --help` lists the summaries without loading any.
import type { Command } from "./command.ts";

/** A subcommand as `scdx --help` lists it. */
export interface CommandEntry {
  readonly name: string;
  /** One line for `scdx --help`. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: "check",
    summary: "check .scd files, every trial of their sweeps, without computing anything",
    load: async () => (await import("./check.ts")).check,
  },
  {
    name: "plan",
    summary: "show the stages every trial needs, which are shared, cached or to run, and their memory",
    load: async () => (await import("./plan.ts")).plan,
  },
  {
    name: "run",
    summary: "run a study: every trial's stages that the cache does not already hold",
    load: async () => (await import("./run.ts")).run,
  },
  {
    name: "why",
    summary: "tell whether a stage would run, and what changed since its last result",
    load: async () => (await import("./why.ts")).whyCommand,
  },
  {
    name: "runs",
    summary: "list the project's runs: time, experiment, trials, status, wall time",
    load: async () => (await import("./runs.ts")).runsCommand,
  },
  {
    name: "report",
    summary: "write a self-contained HTML report of a run: results, sweep plots, curves, provenance",
    load: async () => (await import("./report.ts")).reportCommand,
  },
  {
    name: "results",
    summary: "print a run's results: sorted, the top N, as a table, CSV or JSON",
    load: async () => (await import("./results.ts")).resultsCommand,
  },
  {
    name: "status",
    summary: "where a run stands: each stage's state, progress and (on Slurm) job id",
    load: async () => (await import("./status.ts")).statusCommand,
  },
  {
    name: "attach",
    summary: "follow a Slurm run whose driver is gone (--detach, or killed) to its end",
    load: async () => (await import("./attach.ts")).attachCommand,
  },
  {
    name: "cancel",
    summary: "cancel a Slurm run's jobs (running train stages checkpoint first)",
    load: async () => (await import("./cancel.ts")).cancelCommand,
  },
  {
    name: "export",
    summary: "write a train stage's model from the cache as a Hugging Face or open_clip checkpoint",
    load: async () => (await import("./export.ts")).exportCommand,
  },
  {
    name: "cache",
    summary: "list, verify and garbage-collect the cache of stage results",
    load: async () => (await import("./cache.ts")).cacheCommand,
  },
  {
    name: "graph",
    summary: "print the study's dataflow graph (all trials merged) as Graphviz dot or Mermaid",
    load: async () => (await import("./graph.ts")).graph,
  },
  {
    name: "fmt",
    summary: "rewrite .scd files in the canonical layout (comments kept)",
    load: async () => (await import("./fmt.ts")).fmt,
  },
  {
    name: "doc",
    summary: "describe a component: signature, inputs, options with types and defaults",
    load: async () => (await import("./doc.ts")).doc,
  },
  {
    name: "data",
    summary: "show what a dataset of a study holds: counts, and preview images with annotations drawn",
    load: async () => (await import("./data.ts")).data,
  },
  {
    name: "embed",
    summary: "load a CLIP checkpoint and print L2-normalised embeddings of images, texts or token ids",
    load: async () => (await import("./embed.ts")).embedCommand,
  },
  {
    name: "doctor",
    summary: "show the backend, BLAS library and thread policy a run would use, and check they work",
    load: async () => (await import("./doctor.ts")).doctor,
  },
  {
    name: "lsp",
    summary: "language server for editors (Language Server Protocol on stdin/stdout)",
    load: async () => (await import("./lsp.ts")).lspCommand,
  },
];
