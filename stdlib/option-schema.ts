// Option schemas compiled once, by one ajv: the checker validates a call's options with them
// (lang/options.ts maps the errors to spans), and a component's implementation fills in the defaults
// of options nobody wrote. Metadata half: no tfjs here.
import { Ajv, type ValidateFunction } from "ajv";
import type { JsonObject } from "../core/ir.ts";
import type { OptionSchema } from "./component.ts";

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const compiled = new WeakMap<OptionSchema, ValidateFunction>();

/** The compiled validator of a schema: all errors at once, defaults filled in place. */
export function validator(schema: OptionSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  return v;
}

const defaultsCache = new WeakMap<OptionSchema, JsonObject>();

/** The options a component gets when none are written: its schema's defaults, filled by ajv. */
export function defaultOptions(schema: OptionSchema): JsonObject {
  let d = defaultsCache.get(schema);
  if (!d) {
    d = {};
    validator(schema)(d);
    defaultsCache.set(schema, d);
  }
  return structuredClone(d);
}
