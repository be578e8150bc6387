// The study's merged node graph as Graphviz dot or Mermaid. Edges point from input to consumer;
// loss inputs (teachers, correlation sources) are dashed.
import type { IrNode, Study, Trial } from "../../core/ir.ts";

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly loss: boolean;
}

function edges(study: Study): Edge[] {
  const out: Edge[] = [];
  for (const n of Object.values(study.nodes)) {
    for (const [name, r] of Object.entries(n.inputs)) out.push({ from: r.key, to: n.key, label: name, loss: false });
    if (n.kind === "train")
      for (const t of n.loss)
        for (const [name, r] of Object.entries(t.inputs))
          out.push({ from: r.key, to: n.key, label: `${t.op}.${name}`, loss: true });
  }
  return out;
}

/** For each stage key, the trials that use it (one pass over the trials, not one per node). */
function trialsByKey(study: Study): Map<string, Trial[]> {
  const m = new Map<string, Trial[]>();
  for (const t of study.trials) for (const k of new Set(Object.values(t.stages))) m.set(k, [...(m.get(k) ?? []), t]);
  return m;
}

function labeller(study: Study): (n: IrNode) => string {
  const users = trialsByKey(study);
  return (n) => {
    const ts = users.get(n.key) ?? [];
    const shared = ts.length > 1 ? ` · ${ts.length} trials` : "";
    const vary = study.swept.filter((p) => n.params.includes(p));
    const values = vary.length
      ? "\n" + vary.map((p) => `${p}=${JSON.stringify(ts[0]?.params[p] ?? null)}`).join(" ")
      : "";
    return `${n.origin.name}\n${n.kind} ${n.op} ${n.key.slice(0, 8)}${shared}${values}`;
  };
}

const shapes: Record<IrNode["kind"], string> = { data: "cylinder", model: "box", train: "box", bench: "note" };

export function toDot(study: Study): string {
  const label = labeller(study);
  const lines = [
    `digraph ${JSON.stringify(study.experiment)} {`,
    "  rankdir=LR;",
    '  node [fontname="Helvetica", fontsize=10];',
  ];
  for (const n of Object.values(study.nodes))
    lines.push(
      `  n${n.key.slice(0, 12)} [label=${JSON.stringify(label(n))}, shape=${shapes[n.kind]}${n.kind === "train" ? ", style=rounded" : ""}];`,
    );
  for (const e of edges(study))
    lines.push(
      `  n${e.from.slice(0, 12)} -> n${e.to.slice(0, 12)} [label=${JSON.stringify(e.label)}${e.loss ? ", style=dashed" : ""}];`,
    );
  lines.push("}");
  return lines.join("\n") + "\n";
}

export function toMermaid(study: Study): string {
  const esc = (s: string) => s.replace(/"/g, "#quot;").replace(/\n/g, "<br/>");
  const open: Record<IrNode["kind"], [string, string]> = {
    data: ["[(", ")]"],
    model: ["[", "]"],
    train: ["(", ")"],
    bench: ["[/", "/]"],
  };
  const label = labeller(study);
  const lines = ["flowchart LR"];
  for (const n of Object.values(study.nodes)) {
    const [a, b] = open[n.kind];
    lines.push(`  n${n.key.slice(0, 12)}${a}"${esc(label(n))}"${b}`);
  }
  for (const e of edges(study))
    lines.push(
      `  n${e.from.slice(0, 12)} ${e.loss ? "-." : "--"} ${e.loss ? `${e.label} .->` : `${e.label} -->`} n${e.to.slice(0, 12)}`,
    );
  return lines.join("\n") + "\n";
}
