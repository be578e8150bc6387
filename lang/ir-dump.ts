// A stable, reviewable text form of the IR, for golden files and `scdx plan --ir`.
// Nodes in dependency order; keys shortened to 12 hex digits; options as canonical JSON.
import { canonicalJson, reachable, stageRoots, type Study } from "../core/ir.ts";
import { showJson } from "./values.ts";

const short = (k: string) => k.slice(0, 12);

export function dumpStudy(study: Study): string {
  const order = reachable((k) => study.nodes[k], stageRoots(study));
  const lines = [
    `study ${study.experiment}: ${study.trials.length} trial(s)${study.swept.length ? `, swept: ${study.swept.join(", ")}` : ""}`,
    "",
  ];
  for (const n of order) {
    lines.push(
      `${short(n.key)} ${n.kind} ${n.op}  [${n.origin.name}]${n.params.length ? `  params: ${n.params.join(", ")}` : ""}`,
    );
    lines.push(`  options ${canonicalJson(n.options)}`);
    const ins = Object.entries(n.inputs).map(([k, r]) => `${k}=${short(r.key)}`);
    if (ins.length) lines.push(`  inputs ${ins.join(" ")}`);
    if (n.kind === "train")
      for (const t of n.loss) {
        const ti = Object.entries(t.inputs)
          .map(([k, r]) => ` ${k}=${short(r.key)}`)
          .join("");
        lines.push(`  loss ${t.weight} × ${t.op}${ti} ${canonicalJson(t.options)}`);
      }
    for (const f of n.files) lines.push(`  file ${f.option}`);
  }
  lines.push("");
  for (const t of study.trials) {
    const ps = study.swept.map((p) => `${p}=${showJson(t.params[p] ?? null)}`).join(" ");
    lines.push(
      `trial ${t.index + 1}${ps ? ` (${ps})` : ""}: ${Object.entries(t.stages)
        .map(([s, k]) => `${s}=${short(k)}`)
        .join(" ")}`,
    );
  }
  return lines.join("\n") + "\n";
}
