// Option values meet their JSON Schema here. ajv validates (all errors at once, defaults filled
// in); each ajv error is mapped back to the span of the offending option, or of the list item.
import type { ErrorObject } from "ajv";
import type { Fix, Span } from "../core/diagnostics.ts";
import type { Json, JsonObject } from "../core/ir.ts";
import { didYouMean, listed, replaceSymbol } from "../core/diagnostics.ts";
import type { OptionSchema } from "../stdlib/component.ts";
import { validator } from "../stdlib/option-schema.ts";
import { addOptionFix, type CallSite, placeholder, sourceOf } from "./option-fix.ts";
import { showJson, type Value } from "./values.ts";

/** Options for people to read: in the order the schema documents them (that of `scdx doc`), then
 * any others (the study seed a seeded component gets) as they come. The IR holds options with
 * their keys sorted (every node key is computed from them), which is no order to read them in. */
export function optionsInOrder(schema: OptionSchema | undefined, options: JsonObject): [string, Json][] {
  const out: [string, Json][] = [];
  const props = schema?.properties ?? {};
  for (const k in props) if (options[k] !== undefined) out.push([k, options[k]!]);
  for (const k in options) if (!(k in props) && options[k] !== undefined) out.push([k, options[k]!]);
  return out;
}

/** Enumeration values an option accepts as bare words: its own `enum`, or its items' `enum`. */
export function enumOf(schema: OptionSchema, option: string): readonly string[] | undefined {
  const p = schema.properties[option];
  if (!p) return undefined;
  const e = (p["enum"] ?? (p["items"] as JsonObject | undefined)?.["enum"]) as Json[] | undefined;
  return e?.filter((x): x is string => typeof x === "string");
}

export interface OptionIssue {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly label?: string;
  readonly help?: string;
  readonly fixes?: readonly Fix[];
  readonly notes?: string[];
}

function describeSchemaType(p: JsonObject): string {
  if (p["enum"]) return `one of ${(p["enum"] as Json[]).map(showJson).join(", ")}`;
  switch (p["type"]) {
    case "integer":
      return "an integer";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "string":
      return "a string";
    case "array":
      return "a list";
    default:
      return "a value";
  }
}

/** Validates `values` (already plain JSON) in place, filling defaults; returns one issue per problem.
 * `site`: the call as written, where a missing option's fix can insert it. */
export function validateOptions(
  component: string,
  schema: OptionSchema,
  values: JsonObject,
  optionValues: ReadonlyMap<string, Value>,
  callSpan: Span,
  site?: CallSite,
): OptionIssue[] {
  const v = validator(schema);
  if (v(values)) return [];
  const issues: OptionIssue[] = [];
  const seen = new Set<string>();
  const errors = v.errors ?? [];
  // Every missing required option is one issue on the call, with one fix that adds them all: they
  // would share the call's span, and one diagnostic per code and span is what reaches the user.
  const topRequired = (e: ErrorObject) => e.keyword === "required" && e.schemaPath === "#/required";
  const missing = errors.filter(topRequired).map((e) => (e.params as { missingProperty: string }).missingProperty);
  for (const err of errors) {
    const issue = topRequired(err)
      ? missingOptions(component, schema, missing, callSpan, site)
      : mapError(component, schema, err, optionValues, callSpan);
    const id = `${issue.code}:${issue.span.start}:${issue.span.end}`;
    // With allErrors, an enum-or-type failure reports several keywords for one value; keep the first.
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

/** SCD2007 for the required options `names` the call leaves out, with a fix inserting a placeholder
 * for each that has one. */
function missingOptions(
  component: string,
  schema: OptionSchema,
  names: readonly string[],
  callSpan: Span,
  site: CallSite | undefined,
): OptionIssue {
  const ticked = listed(names.map((n) => `\`${n}\``));
  const described = names.flatMap((n) => {
    const d = schema.properties[n]?.["description"];
    return d ? [`${n}: ${d as string}`] : [];
  });
  const items = names.flatMap((n): [string, string][] => {
    const p = schema.properties[n];
    const value = p && placeholder(p);
    return value === undefined ? [] : [[n, sourceOf(value, enumOf(schema, n))]];
  });
  return {
    code: "SCD2007",
    message: `\`${component}\` needs the option${names.length > 1 ? "s" : ""} ${ticked}.`,
    span: callSpan,
    label: `missing ${ticked}`,
    help: names.length === 1 ? described[0] : undefined,
    notes: names.length > 1 && described.length ? described : undefined,
    fixes: site ? addOptionFix(site, items) : undefined,
  };
}

function mapError(
  component: string,
  schema: OptionSchema,
  err: ErrorObject,
  optionValues: ReadonlyMap<string, Value>,
  callSpan: Span,
): OptionIssue {
  const parts = err.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const option = parts[0];
  if (!option)
    return {
      code: "SCD2006",
      message: `Invalid options for \`${component}\`: ${err.message ?? "invalid"}.`,
      span: callSpan,
    };
  const top = optionValues.get(option);
  let span = top?.span ?? callSpan;
  const index = parts[1] !== undefined ? Number(parts[1]) : undefined;
  if (top?.type === "list" && index !== undefined && top.items[index]) span = top.items[index]!.span;
  // A fix may only replace the value itself, never the whole call the span falls back to.
  const spanIsValue = index === undefined ? top !== undefined : top?.type === "list" && !!top.items[index];
  const where = `Option \`${option}\` of \`${component}\``;
  const p = schema.properties[option] ?? {};
  const itemSchema = index !== undefined ? ((p["items"] as JsonObject | undefined) ?? {}) : p;
  const got = err.data === undefined ? "" : `, got ${showJson(err.data as Json)}`;
  const prm = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "enum": {
      const allowed = (prm["allowedValues"] as Json[]).map(showJson);
      const guess = typeof err.data === "string" ? didYouMean(err.data, allowed) : undefined;
      return {
        code: "SCD2006",
        message: `${where} must be one of ${allowed.join(", ")}${got}.`,
        span,
        label: "not a known value",
        help: guess ? `did you mean \`${guess}\`?` : undefined,
        fixes:
          typeof err.data === "string" && spanIsValue
            ? replaceSymbol(span, err.data, didYouMean(err.data, prm["allowedValues"] as string[]))
            : undefined,
      };
    }
    case "type":
      return {
        code: "SCD2006",
        message: `${where} must be ${describeSchemaType(itemSchema)}${got}.`,
        span,
        label: `expected ${describeSchemaType(itemSchema)}`,
      };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const cmp = (prm["comparison"] as string) ?? "";
      return {
        code: "SCD2006",
        message: `${where} must be ${cmp} ${String(prm["limit"])}${got}.`,
        span,
        label: `must be ${cmp} ${String(prm["limit"])}`,
      };
    }
    case "minItems":
    case "maxItems":
      return {
        code: "SCD2006",
        message: `${where} must have ${err.keyword === "minItems" ? "at least" : "at most"} ${String(prm["limit"])} item(s)${got}.`,
        span,
      };
    case "uniqueItems":
      return { code: "SCD2006", message: `${where} lists a value twice${got}.`, span };
    case "minLength":
      return { code: "SCD2006", message: `${where} must not be empty.`, span };
    default:
      return { code: "SCD2006", message: `${where} ${err.message ?? "is invalid"}${got}.`, span };
  }
}
