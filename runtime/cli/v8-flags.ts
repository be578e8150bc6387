// The V8 settings the scdx process runs with, set before any work (main.ts). The perf harnesses
// that time the checker in their own process (perf/check.ts, perf/lsp.ts) apply the same, so they
// measure what a user's `scdx check` and `scdx lsp` get. Stage workers are processes of their own
// (exec/worker-pool.ts) and keep V8's defaults.
import * as v8 from "node:v8";

/**
 * `--no-allocation-site-pretenuring`: V8 notices that the objects made at an allocation site
 * survive (a checked study's AST and IR nodes all do) and then allocates them straight in the old
 * generation, where allocating drives incremental marking: a cold check of the 10,000-line
 * generated study took 98 ms with it and 88 ms without (perf/lsp.ts (c), medians of 40 runs, three
 * alternating pairs); keystroke re-checks were unchanged.
 */
export const V8_FLAGS: readonly string[] = ["--no-allocation-site-pretenuring"];

let applied = false;
/** Sets V8_FLAGS once. V8 reads this flag when it decides on pretenuring (at each GC), so setting it
 * after start-up takes effect; it changes where objects are allocated, never what a program does. */
export function applyV8Flags(): void {
  if (applied) return;
  applied = true;
  for (const f of V8_FLAGS) v8.setFlagsFromString(f);
}
