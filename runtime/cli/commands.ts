// The one table of subcommands. Add a command: a file in this folder and a line here.
import type { Command } from "./command.ts";
import { check } from "./check.ts";
import { doc } from "./doc.ts";
import { fmt } from "./fmt.ts";
import { graph } from "./graph.ts";
import { plan } from "./plan.ts";
import { data } from "./data.ts";
import { embedCommand } from "./embed.ts";
import { run } from "./run.ts";
import { cacheCommand } from "./cache.ts";
import { exportCommand } from "./export.ts";
import { whyCommand } from "./why.ts";
import { doctor } from "./doctor.ts";
import { runsCommand } from "./runs.ts";
import { reportCommand } from "./report.ts";
import { resultsCommand } from "./results.ts";
import { statusCommand } from "./status.ts";
import { attachCommand } from "./attach.ts";
import { cancelCommand } from "./cancel.ts";
import { lspCommand } from "./lsp.ts";

export const commands: readonly Command[] = [
  check,
  plan,
  run,
  whyCommand,
  runsCommand,
  reportCommand,
  resultsCommand,
  statusCommand,
  attachCommand,
  cancelCommand,
  exportCommand,
  cacheCommand,
  graph,
  fmt,
  doc,
  data,
  embedCommand,
  doctor,
  lspCommand,
];
