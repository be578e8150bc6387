// Runs dependency-cruiser (the rules in .dependency-cruiser.cjs) with the tooling-only TypeScript 5.
//
// dependency-cruiser reads TypeScript through the compiler's JS API, which TypeScript 7 (the one the
// project type-checks with) no longer has. package.json pins TypeScript 5.9 beside it under the name
// `typescript-5`; this launcher makes dependency-cruiser's two look-ups of `typescript` (a require of
// its package.json for the version check, an import of the module) find that copy, and leaves every
// other `typescript` import alone. Arguments are passed on: `node tools/depcruise.mjs --help`.
import Module, { createRequire, register } from "node:module";

const { version } = createRequire(import.meta.url)("typescript-5/package.json");
if (!version.startsWith("5.")) {
  console.error(`tools/depcruise.mjs: typescript-5 is ${version}, expected 5.x (run npm ci)`);
  process.exit(2);
}

const fromCruiser = (parent) => typeof parent === "string" && parent.includes("/node_modules/dependency-cruiser/");
const redirect = (specifier) => specifier.replace(/^typescript(?=$|\/)/, "typescript-5");

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  return resolveFilename.call(this, fromCruiser(parent?.filename) ? redirect(request) : request, parent, ...rest);
};

const hook = `export async function resolve(specifier, context, next) {
  const fromCruiser = (context.parentURL ?? "").includes("/node_modules/dependency-cruiser/");
  return next(fromCruiser ? specifier.replace(/^typescript(?=$|\\/)/, "typescript-5") : specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

await import(new URL("../node_modules/dependency-cruiser/bin/dependency-cruise.mjs", import.meta.url).href);
