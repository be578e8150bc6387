import { Chalk } from "chalk";
import { didYouMean } from "../../core/diagnostics.ts";
import type { JsonObject } from "../../core/ir.ts";
import { defaultOptions } from "../../stdlib/option-schema.ts";
import { showJson } from "../../lang/values.ts";
import { trainFields, typedFields } from "../../lang/stage.ts";
import { builtins, components, registry } from "../../stdlib/registry.ts";
import type { ComponentMeta } from "../../stdlib/component.ts";
import { table } from "../plan/stage-sharing-render.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

function schemaType(p: JsonObject): string {
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

function describeTrain(color: boolean): string {
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

export const doc: Command = {
  name: "doc",
  summary: "describe a component: signature, inputs, options with types and defaults",
  help: `Usage: scdx doc [NAME]

Without NAME, lists every component and built-in. With NAME (e.g. scd, clip, train), prints its
signature, inputs, options (type, default, meaning) and notes — read from the same registry the
checker uses.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (values.help) {
      io.out(doc.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError("give at most one name");
    const name = positionals[0];
    if (!name) {
      const rows = [
        ["name", "kind", "what it is"],
        ...components.map((m) => [m.name, m.kind, m.doc]),
        ...Object.entries(builtins).map(([k, b]) => [k, "built-in", b.doc]),
      ];
      io.out(table(rows));
      return EXIT.ok;
    }
    if (name === "train") {
      io.out(describeTrain(io.color));
      return EXIT.ok;
    }
    const m = registry.get(name);
    if (m) {
      io.out(describeComponent(m, io.color));
      return EXIT.ok;
    }
    const b = builtins[name];
    if (b) {
      io.out(`${name} — built-in\n  ${b.signature}\n\n${b.doc}\n`);
      return EXIT.ok;
    }
    const guess = didYouMean(name, [...registry.keys(), ...Object.keys(builtins)]);
    throw new UsageError(
      `no component named \`${name}\`${guess ? `; did you mean \`${guess}\`?` : ""} (\`scdx doc\` lists them)`,
    );
  },
};
