// One JSON object per line per event, exactly the event: the same shape as the run directory's
// events.jsonl, so tools can read a live run and a finished one alike.
import type { Reporter, RunEvent } from "../events/events.ts";

export function jsonReporter(write: (s: string) => void): Reporter {
  return { event: (e: RunEvent) => write(JSON.stringify(e) + "\n") };
}
