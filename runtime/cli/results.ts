// `scdx results [RUN]`: a run's results table, also for a run still going (the trials finished so
// far, from its events), sorted and cut for large sweeps.
import { projectDirOf } from "../cache/store.ts";
import { formatTable, resultsTable, toCsv, type ResultsTable } from "../events/results.ts";
import { readEvents, resolveRun } from "../runs/run-ref.ts";
import { detachedEvents } from "../exec/slurm-snapshot.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const resultsCommand: Command = {
  name: "results",
  help: `Usage: scdx results [RUN] [--sort METRIC] [--asc] [--top N] [--format table|csv|json]

Prints the results of RUN (a run directory, an id or a unique part of one; default: the project's
latest run): one row per trial, or per group of trials that differ only in seed (mean ± standard
error). A run still going shows the trials finished so far.

Options:
  --sort METRIC   order by this metric's value (mean for groups), highest first
  --asc           lowest first
  --top N         only the first N rows (after sorting)
  --format F      table (default; metrics in %), csv (raw values) or json
  -h, --help      show this help

Exit codes: 0 ok, 2 RUN is not a run, or METRIC is not one of its metrics.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      sort: { type: "string" },
      asc: { type: "boolean" },
      top: { type: "string" },
      format: { type: "string" },
    });
    if (values.help) {
      io.out(resultsCommand.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one RUN");
    const format = values.format ?? "table";
    if (!["table", "csv", "json"].includes(format))
      throw new UsageError(`--format must be table, csv or json, got \`${format}\``);
    const top = values.top === undefined ? undefined : Number(values.top);
    if (top !== undefined && !(Number.isInteger(top) && top >= 1))
      throw new UsageError(`--top must be a positive whole number, got \`${values.top}\``);
    const runDir = resolveRun(positionals[0], projectDirOf(io.cwd), io.cwd);
    const { loadReport } = await import("../report/report-data.ts");
    const d = loadReport(runDir, await detachedEvents(runDir, readEvents(runDir)));
    const metrics = new Map(d.trials.filter((t) => Object.keys(t.metrics).length).map((t) => [t.trial, t.metrics]));
    const infos = d.trials.map((t) => ({ index: t.trial - 1, params: t.params, stages: {} }));
    let table: ResultsTable = resultsTable(infos, d.swept, metrics);
    table = { ...table, rows: table.rows.filter((r) => r.trials.some((t) => metrics.has(t))) };
    if (values.sort !== undefined) {
      const m = values.sort;
      if (!table.metrics.includes(m))
        throw new UsageError(
          `--sort ${m}: the run has no metric \`${m}\` (it has ${table.metrics.join(", ") || "none yet"})`,
        );
      const dir = values.asc ? 1 : -1;
      const key = (r: ResultsTable["rows"][number]) => r.metrics[m]?.mean ?? null;
      table = {
        ...table,
        rows: [...table.rows].sort((a, b) => {
          const x = key(a),
            y = key(b);
          if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1; // missing values last
          return (x - y) * dir;
        }),
      };
    }
    if (top !== undefined) table = { ...table, rows: table.rows.slice(0, top) };
    if (format === "json") io.out(JSON.stringify(table, null, 2) + "\n");
    else if (format === "csv") io.out(toCsv(table));
    else {
      const status =
        d.summary.status === "running" ? ` (still going: ${metrics.size} of ${d.trials.length} trials so far)` : "";
      io.out(
        `${d.summary.id}${status}\n${formatTable(table, { color: io.color, width: process.stdout.columns ?? 100 })}`,
      );
    }
    return EXIT.ok;
  },
};
