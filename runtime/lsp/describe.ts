// What `scdx doc` prints about a component or the `train` built-in, and what hover shows in an
// editor: one text, read from the same registry the checker uses.
import { Chalk } from "chalk";
import type { JsonObject } from "../../core/ir.ts";
import { defaultOptions } from "../../stdlib/option-schema.ts";
import { showJson } from "../../lang/values.ts";
import { trainFields, typedFields } from "../../lang/stage.ts";
import { builtins } from "../../stdlib/registry.ts";
import type { ComponentMeta } from "../../stdlib/component.ts";
import { table } from "../plan/stage-sharing-render.ts";

export function schemaType(p: JsonObject): string {
  if (p["enum"]) return (p["enum"] as string[]).join(" | ");
  if (p["type"] === "array") {
    const it = (p["items"] ?? {}) as JsonObject;
    return `[${it["enum"] ? (it["enum"] as string[]).join(" | ") : String(it["type"] ?? "any")}]`;
  }
  const bounds: string[] = [];
  if (p["minimum"] !== undefined) bounds.push(`≥ ${p["minimum"]}`);
  if (p["exclusiveMinimum"] !== undefined) bounds.push(`> ${p["exclusiveMinimum"]}`);
  if (p["maximum"] !== undefined) bounds.push(`≤ ${p["maximum"]}`);
  if (p["exclusiveMaximum"] !== undefined) bounds.push(`< ${p["exclusiveMaximum"]}`);
  return `${String(p["type"] ?? "any")}${bounds.length ? ` ${bounds.join(", ")}` : ""}`;
}

function optionRows(props: Readonly<Record<string, JsonObject>>, required: readonly string[] = []): string[][] {
  return Object.entries(props).map(([k, p]) => [
    k,
    schemaType(p),
    p["default"] !== undefined ? showJson(p["default"]) : required.includes(k) ? "required" : "—",
    String(p["description"] ?? ""),
  ]);
}

export function describeComponent(m: ComponentMeta, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  let s = `${c.bold(m.name)} — ${m.kind}, version ${m.version}\n  ${m.signature}\n\n${m.doc}\n`;
  if (m.notes?.length) s += "\n" + m.notes.map((n) => `  ${n}`).join("\n") + "\n";
  if (m.inputs.length)
    s +=
      `\n${c.bold("Inputs")} (positional, in this order, or by name)\n` +
      table(m.inputs.map((i) => ["  " + i.name, i.type, i.doc]));
  const rows = optionRows(m.options.properties, m.options.required);
  if (rows.length)
    s +=
      `\n${c.bold("Options")}\n` +
      table([["  name", "type", "default", ""].map((h) => c.dim(h)), ...rows.map((r) => ["  " + r[0], ...r.slice(1)])]);
  if (m.fileOptions?.length)
    s += `\nFile options (resolved against the .scd file, fingerprinted by content): ${m.fileOptions.join(", ")}\n`;
  if (m.seeded) s += "Depends on the study's `seed` param.\n";
  if (m.metrics) s += `Metrics (default options): ${m.metrics(defaultOptions(m.options)).join(", ")}\n`;
  return s;
}

export function describeTrain(color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  let s = `${c.bold("train")} — stage\n  ${builtins["train"]!.signature}\n\n${builtins["train"]!.doc}\n\n${c.bold("Fields")}\n`;
  s += table([
    ["  name", "type", "default", ""].map((h) => c.dim(h)),
    ...Object.entries(typedFields).map(([k, d]) => [
      "  " + k,
      k === "trainable" ? "group | [group]" : k,
      k === "data" || k === "loss" ? "required" : "—",
      d,
    ]),
    ...optionRows(trainFields.properties, trainFields.required).map((r) => ["  " + r[0], ...r.slice(1)]),
  ]);
  return s;
}
