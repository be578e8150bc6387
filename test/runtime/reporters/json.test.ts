import { test } from "uvu";
import * as assert from "uvu/assert";
import { jsonReporter } from "../../../runtime/reporters/json.ts";
import { fullScript } from "./script.ts";

test("one JSON object per line, each exactly its event", () => {
  let out = "";
  const r = jsonReporter((s) => void (out += s));
  const events = fullScript();
  for (const e of events) r.event(e);
  assert.ok(out.endsWith("\n"));
  const lines = out.slice(0, -1).split("\n");
  assert.is(lines.length, events.length);
  assert.equal(
    lines.map((l) => JSON.parse(l)),
    events,
  );
});

test.run();
