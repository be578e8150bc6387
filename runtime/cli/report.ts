// `scdx report [RUN]`: one self-contained HTML page of a run — results, sweep plots, training
// curves, provenance and the source as it ran — from the run directory and its cache entries.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { projectDirOf } from "../cache/store.ts";
import { readEvents, resolveRun } from "../runs/run-ref.ts";
import { detachedEvents } from "../exec/slurm-snapshot.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const reportCommand: Command = {
  name: "report",
  help: `Usage: scdx report [RUN] [--out FILE] [--open]

Writes one HTML file (no network requests; opens from file://) for RUN and prints its path:
header (file, backend, host, wall time, trials, cached stages), the results table (sortable; mean ±
standard error over seeds, expandable to the seeds; failed trials with their messages), metric vs
param plots for each swept param, training curves (loss, each term, learning rate) of every train
stage, each stage's cache key fields, and the .scd source as it was run.

RUN is a run directory, a run id or a unique part of one (\`scdx runs\` lists them); default: the
project's latest run. A run still going reports what has finished.

Options:
  --out FILE   where to write (default: RUN/report.html)
  --open       open the file in a browser (xdg-open / open) afterwards
  -h, --help   show this help

Exit codes: 0 written, 2 RUN is not a run or has nothing finished yet.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { out: { type: "string" }, open: { type: "boolean" } });
    if (values.help) {
      io.out(reportCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one RUN");
    const runDir = resolveRun(positionals[0], projectDirOf(io.cwd), io.cwd);
    const { loadReport } = await import("../report/report-data.ts");
    const { sweepCharts, curveCharts, parallelChart } = await import("../report/charts.ts");
    const { reportHtml } = await import("../report/report-html.ts");
    const data = loadReport(runDir, await detachedEvents(runDir, readEvents(runDir)));
    const sweep = [...(await parallelChart(data)), ...(await sweepCharts(data))];
    const { densePanel } = await import("../report/dense-panel.ts");
    const charts = { sweep, curves: await curveCharts(data), curvesLog: await curveCharts(data, true) };
    const html = reportHtml(data, charts, await densePanel(data));
    const out = path.resolve(io.cwd, values.out ?? path.join(runDir, "report.html"));
    try {
      writeFileSync(out, html);
    } catch (e) {
      throw new UsageError(`cannot write ${out}: ${(e as Error).message}`);
    }
    io.out(`${out}\n`);
    if (values.open) {
      const { execa } = await import("execa");
      const opener = process.platform === "darwin" ? "open" : "xdg-open";
      const r = await execa(opener, [out], { reject: false, detached: true });
      if (r.failed)
        io.err(
          `scdx report: could not open it with ${opener} (${(r.shortMessage ?? "failed").split("\n")[0]}); open the file above by hand\n`,
        );
    }
    return EXIT.ok;
  },
};
