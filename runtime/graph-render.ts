// The study's merged node graph as Graphviz dot or Mermaid. Edges point from input to consumer;
// loss inputs (teachers, correlation sources) are dashed.
import type { IrNode, Study } from "../lang/ir.ts";

interface Edge { readonly from: string; readonly to: string; readonly label: string; readonly loss: boolean }

function edges(study: Study): Edge[] {
  const out: Edge[] = [];
  for (const n of Object.values(study.nodes)) {
    for (const [name, r] of Object.entries(n.inputs)) out.push({ from: r.key, to: n.key, label: name, loss: false });
    if (n.kind === "train") for (const t of n.loss) for (const [name, r] of Object.entries(t.inputs)) out.push({ from: r.key, to: n.key, label: `${t.op}.${name}`, loss: true });
  }
  return out;
}

function label(n: IrNode, study: Study): string {
  const trials = study.trials.filter((t) => Object.values(t.stages).includes(n.key)).length;
  const shared = n.kind === "train" || n.kind === "bench" ? (trials > 1 ? ` · ${trials} trials` : "") : "";
  const vary = study.swept.filter((p) => n.params.includes(p));
  const values = vary.length ? "\n" + vary.map((p) => `${p}=${JSON.stringify(study.trials.find((t) => Object.values(t.stages).includes(n.key))?.params[p] ?? null)}`).join(" ") : "";
  return `${n.origin.name}\n${n.kind} ${n.op} ${n.key.slice(0, 8)}${shared}${values}`;
}

const shapes: Record<IrNode["kind"], string> = { data: "cylinder", model: "box", train: "box", bench: "note" };

export function toDot(study: Study): string {
  const lines = [`digraph ${JSON.stringify(study.experiment)} {`, "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];'];
  for (const n of Object.values(study.nodes))
    lines.push(`  n${n.key.slice(0, 12)} [label=${JSON.stringify(label(n, study))}, shape=${shapes[n.kind]}${n.kind === "train" ? ", style=rounded" : ""}];`);
  for (const e of edges(study)) lines.push(`  n${e.from.slice(0, 12)} -> n${e.to.slice(0, 12)} [label=${JSON.stringify(e.label)}${e.loss ? ", style=dashed" : ""}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

export function toMermaid(study: Study): string {
  const esc = (s: string) => s.replace(/"/g, "#quot;").replace(/\n/g, "<br/>");
  const open: Record<IrNode["kind"], [string, string]> = { data: ["[(", ")]"], model: ["[", "]"], train: ["(", ")"], bench: ["[/", "/]"] };
  const lines = ["flowchart LR"];
  for (const n of Object.values(study.nodes)) {
    const [a, b] = open[n.kind];
    lines.push(`  n${n.key.slice(0, 12)}${a}"${esc(label(n, study))}"${b}`);
  }
  for (const e of edges(study)) lines.push(`  n${e.from.slice(0, 12)} ${e.loss ? "-." : "--"} ${e.loss ? `${e.label} .->` : `${e.label} -->`} n${e.to.slice(0, 12)}`);
  return lines.join("\n") + "\n";
}
