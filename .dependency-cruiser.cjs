// The import rules of scdx, checked by `npm test` (`npm run deps`) with dependency-cruiser.
//
// Data flows one way: source → AST → checked IR → plan → executor → runners → events → reporters and
// run directory. The layers, bottom to top, and what each may import:
//
//   core/      nothing of the project: IR types, value facts, diagnostics as data, usage errors
//   stdlib/    core; its metadata half (registry, component types, option schemas, *.meta.ts) no tfjs
//   lang/      core and stdlib's metadata half
//   runtime/   core, lang, stdlib; inside it, rooms in this order (each may import those before it):
//                events, cache          (leaves: the event union; the content-addressed store and keys)
//                models → cache         (checkpoint folders, export, embed)
//                runners → models       (one stage's computation; never events, cache or plan)
//                plan → cache, events   (stage sharing, run plan with cache keys, memory, session)
//                exec → plan, cache, events, runners   (executor, worker processes)
//                runs → exec, plan, cache, events      (run directory, run index, why)
//                reporters → events     (consume the event stream, nothing else)
//                report → runs, events  (the HTML report of a finished or running run directory)
//                data-tools             (dataset stats and previews; stdlib only)
//                lsp → plan             (the language server over lang/; plan only for its text table)
//                cli → everything       (one file per subcommand); nothing imports cli but bin/
//
// Type-only imports count (the parser sees TypeScript before types are erased): a cycle through a
// type is still a cycle for a reader. Dynamic imports count too.
const room = (name, allowed) => ({
  name: `runtime-${name}-imports-only-${allowed.length ? allowed.join("-") : "itself"}`,
  comment: `runtime/${name}/ may import runtime rooms ${allowed.length ? allowed.join(", ") : "none"} (see the order at the top of .dependency-cruiser.cjs)`,
  severity: "error",
  from: { path: `^runtime/${name}/` },
  to: { path: "^runtime/", pathNot: `^runtime/(${[name, ...allowed].join("|")})/` },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "Files that import each other (also through types) cannot be read or moved one at a time.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-nothing-of-the-project",
      comment: "core/ is the vocabulary below every layer; it may import only node: built-ins.",
      severity: "error",
      from: { path: "^core/" },
      to: { path: "^(lang|stdlib|runtime|bin|tools)/" },
    },
    {
      name: "stdlib-not-lang",
      comment:
        "stdlib is below lang: lang checks against stdlib's metadata, never the other way round. Shared types go in core/.",
      severity: "error",
      from: { path: "^stdlib/" },
      to: { path: "^lang/" },
    },
    {
      name: "stdlib-not-runtime",
      comment: "stdlib computes; the runtime schedules, caches and reports around it.",
      severity: "error",
      from: { path: "^stdlib/" },
      to: { path: "^runtime/" },
    },
    {
      name: "lang-only-stdlib-metadata",
      comment:
        "The checker reads the registry, component types and option schemas; implementations (tfjs) stay out of `scdx check`.",
      severity: "error",
      from: { path: "^lang/" },
      to: { path: "^stdlib/", pathNot: "^stdlib/(registry|component|option-schema)\\.ts$|\\.meta\\.ts$" },
    },
    {
      name: "lang-not-runtime",
      comment: "The compiler never sees the plan, the cache or processes.",
      severity: "error",
      from: { path: "^lang/" },
      to: { path: "^runtime/" },
    },
    {
      name: "stdlib-metadata-without-tfjs",
      comment: "The metadata half is loaded by every check; it must not load TensorFlow.js, even indirectly.",
      severity: "error",
      from: { path: "^stdlib/(registry|component|option-schema)\\.ts$|^stdlib/.*\\.meta\\.ts$" },
      to: { path: "@tensorflow/", reachable: true },
    },
    {
      name: "nothing-imports-cli",
      comment:
        "The CLI is the top floor: only bin/ starts it. What the runtime needs from it (UsageError) lives in core/.",
      severity: "error",
      from: { pathNot: "^(runtime/cli/|bin/)" },
      to: { path: "^runtime/cli/" },
    },
    {
      name: "runtime-files-live-in-rooms",
      comment: "Every runtime file belongs to a room (a folder named for its concern); none at runtime/'s root.",
      severity: "error",
      from: { path: "^runtime/[^/]+$" },
      to: { path: "^(core|lang|stdlib|runtime)/" },
    },
    room("events", []),
    room("cache", []),
    room("models", ["cache"]),
    room("runners", ["models"]),
    room("plan", ["cache", "events"]),
    room("exec", ["plan", "cache", "events", "runners"]),
    room("runs", ["exec", "plan", "cache", "events"]),
    room("reporters", ["events"]),
    room("report", ["runs", "events"]),
    room("data-tools", []),
    room("lsp", ["plan"]),
  ],
  // Canaries. Without a TypeScript parser dependency-cruiser sees no imports in .ts files and every
  // rule above passes vacuously (seen: "7 modules, 6 dependencies cruised"); without
  // tsPreCompilationDeps it drops `import type`. These two imports always exist, the second is type-only.
  required: [
    {
      name: "canary-typescript-is-parsed",
      severity: "error",
      comment:
        "runtime/cli/main.ts imports cli/commands.ts; if that is not seen, TypeScript was not parsed (run through tools/depcruise.mjs).",
      module: { path: "^runtime/cli/main\\.ts$" },
      to: { path: "^runtime/cli/commands\\.ts$" },
    },
    {
      name: "canary-type-only-imports-count",
      severity: "error",
      comment:
        "lang/stage.ts has only `import type` from lang/decl-context.ts; if that is not seen, type-only edges are dropped.",
      module: { path: "^lang/stage\\.ts$" },
      to: { path: "^lang/decl-context\\.ts$" },
    },
  ],
  options: {
    // Parse TypeScript before compilation so `import type` edges are seen.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    moduleSystems: ["es6", "cjs"],
  },
};
