// `scdx run --dry-run` and `scdx plan` print the same plan; with a session it also says, per node,
// whether the cache holds it (manifest present: a dry run neither verifies nor repairs) and its
// estimated memory.
import { makePlan } from "./stage-sharing.ts";
import { renderPlan } from "./stage-sharing-render.ts";
import { hasEntry, type Session } from "./session.ts";

export function renderRunPlan(s: Session, opts: { color: boolean; maxTrials?: number }): string {
  return renderPlan(makePlan(s.study), {
    ...opts,
    state: {
      backend: s.backend,
      cached: (node) => hasEntry(s, node),
      memory: (node) => s.plan.stages.get(node)?.info.memory,
      key: (node) => s.plan.stages.get(node)?.info.key,
    },
  });
}
