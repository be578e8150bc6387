// Text of `scdx why`: the verdict on one line, then each changed key field with what changed in it
// and why that field is part of the key; upstream stages nest under `inputs`, indented.
import { Chalk, type ChalkInstance } from "chalk";
import type { Json } from "../../core/ir.ts";
import { formatChange, type NodeDiff } from "./why.ts";
import type { FieldWhy, StageWhy } from "./why-explain.ts";

export const short = (key: string) => `${key.slice(0, 12)}…`;

/** Local time to the second. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** What an output has shown already: a field's reason is given once, an upstream stage explained once. */
interface Seen {
  readonly c: ChalkInstance;
  readonly fields: Set<string>;
  readonly stages: Set<string>;
}

export function renderWhy(w: StageWhy, opts: { color: boolean }): string {
  const seen: Seen = { c: new Chalk({ level: opts.color ? 1 : 0 }), fields: new Set(), stages: new Set() };
  return stageLines(w, seen, "", true).join("\n") + "\n";
}

function stageLines(w: StageWhy, seen: Seen, ind: string, top: boolean): string[] {
  const c = seen.c,
    who = `${c.bold(w.stage)} (trial ${w.trial})`;
  const id = `${w.stage}\0${w.key}\0${w.previous?.key ?? ""}`;
  if (!top && seen.stages.has(id)) return [`${ind}${who}: key ${short(w.key)}, explained above.`];
  seen.stages.add(id);
  if (w.cached && top)
    return [`${who}: cached (key ${short(w.key)}, created ${localTime(w.cached.created)}); it would not run.`];
  const out: string[] = [];
  if (top) out.push(`${who} would run: its key ${short(w.key)} is not in the cache.`);
  else
    out.push(
      `${ind}${who}: key ${short(w.key)}, ${w.cached ? `cached (created ${localTime(w.cached.created)})` : "not in the cache"}.`,
    );
  if (w.computing)
    out.push(
      `${ind}It is being computed right now (${w.computing}); a run started now waits for it and then reads the result.`,
    );
  else if (w.plannedBefore)
    out.push(
      `${ind}The run of ${localTime(w.plannedBefore)} planned this same key but left no entry: it failed or was interrupted, or \`scdx cache gc\` removed it.`,
    );
  if (!w.previous) {
    if (top && !w.plannedBefore) out.push("It was never run with this cache.");
    else if (!top) out.push(`${ind}Its previous key is not known to this cache.`);
    return out;
  }
  const p = w.previous;
  const when = p.time ? `the run of ${localTime(p.time)}` : "an entry the run index does not list";
  out.push(
    `${ind}${top ? "Last built with" : "Previously"} key ${short(p.key)} (${when}; that entry is ${p.inCache ? "still in the cache" : "no longer in the cache"}). Changed since:`,
  );
  if (!w.fields.length) out.push(`${ind}  nothing in the key fields (the key was computed by another scdx)`);
  for (const f of w.fields) out.push(...fieldLines(f, seen, `${ind}  `));
  return out;
}

function fieldLines(f: FieldWhy, seen: Seen, ind: string): string[] {
  const out: string[] = [],
    c = seen.c;
  const name = c.cyan(f.field);
  // The reason a field is keyed goes under its first line, the first time the field shows (claimed
  // before nested stages render, since they print below this one).
  const reason = !seen.fields.has(f.field);
  seen.fields.add(f.field);
  switch (f.field) {
    case "definition": {
      out.push(
        `${ind}${name}: ${f.definition?.unavailable ? `changed; cannot say how: ${f.definition.unavailable}` : "changed"}`,
      );
      const d = f.definition;
      if (d?.params.length)
        out.push(`${ind}  params: ${d.params.map((x) => formatChange(x).replace(": ", " ")).join(", ")}`);
      if (d?.node) out.push(...nodeLines(d.node, `${ind}  `));
      break;
    }
    case "inputs":
      for (const i of f.inputs ?? []) {
        if (!i.before) out.push(`${ind}${name}: stage ${i.name} added`);
        else if (!i.after) out.push(`${ind}${name}: stage ${i.name} removed`);
        else out.push(`${ind}${name}: stage ${i.name} changed (key ${short(i.before.key)} → ${short(i.after.key)})`);
        if (i.explain) out.push(...stageLines(i.explain, seen, `${ind}  `, false));
      }
      break;
    case "components":
      for (const x of f.changes) out.push(`${ind}${name}: ${x.path} ${show(x.before)} → ${show(x.after)}`);
      break;
    case "files":
      for (const x of f.changes)
        out.push(
          `${ind}${name}: ${x.path} ${x.before === undefined ? "added" : x.after === undefined ? "no longer read" : x.after === "missing" ? "is missing" : x.before === "missing" ? "appeared" : "changed content"}`,
        );
      break;
    default:
      for (const x of f.changes) out.push(`${ind}${name}: ${formatChange(x)}`);
  }
  if (reason && out.length) out.splice(1, 0, c.dim(`${ind}  (keyed because: ${f.why})`));
  return out;
}

function nodeLines(n: NodeDiff, ind: string): string[] {
  const out = n.changes.map((x) => `${ind}${formatChange(x)}`);
  for (const s of n.inputs) {
    if ("diff" in s) {
      const d = s.diff,
        label = `${d.kind} ${d.name}${s.slot === d.kind ? "" : ` (as ${s.slot})`}`;
      if (d.changes.length === 1 && !d.inputs.length) out.push(`${ind}${label}: ${formatChange(d.changes[0]!)}`);
      else if (!d.changes.length && !d.inputs.length) out.push(`${ind}${label}: redefined`);
      else out.push(`${ind}${label}:`, ...nodeLines(d, `${ind}  `));
    } else if ("stage" in s) out.push(`${ind}${s.slot}: stage ${s.stage} changed (see inputs)`);
    else
      out.push(
        `${ind}${s.slot}: ${s.added ? `now reads ${s.added}` : ""}${s.added && s.removed ? ", " : ""}${s.removed ? `no longer reads ${s.removed}` : ""}`,
      );
  }
  return out;
}

const show = (v: Json | undefined) => (v === undefined ? "absent" : String(v));
