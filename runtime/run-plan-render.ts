// `scdx run --dry-run` and `scdx plan` print the same plan; with a session it also says, per node,
// whether the cache holds it (manifest present: a dry run neither verifies nor repairs) and its
// estimated memory.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { makePlan } from "./plan.ts";
import { renderPlan } from "./plan-render.ts";
import type { Session } from "./session.ts";

export function renderRunPlan(s: Session, opts: { color: boolean; maxTrials?: number }): string {
  const cached = (node: string) => {
    const p = s.plan.stages.get(node);
    return !!p && existsSync(path.join(s.cache.entryDir(p.info.key), "manifest.json"));
  };
  return renderPlan(makePlan(s.study), { ...opts, state: { backend: s.backend, cached, memory: (node) => s.plan.stages.get(node)?.info.memory, key: (node) => s.plan.stages.get(node)?.info.key } });
}
