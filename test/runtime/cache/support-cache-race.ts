// A child process of cache-lock.test.ts: what the runtime does for one stage (lookup → lock →
// lookup → compute → write → release), with a barrier so that two children really overlap.
// argv: root name logFile barrierDir id. Prints one JSON line: { dir, computed, waited }.
import * as fs from "node:fs";
import * as path from "node:path";
import { Cache, cacheKey } from "../../../runtime/cache/store.ts";
import { acquireLock } from "../../../runtime/cache/lock.ts";

const [root, name, log, barrier, id] = process.argv.slice(2) as [string, string, string, string, string];
const fields = { definition: { value: name, why: "race test" } };
const key = cacheKey(fields);
const cache = new Cache(root);

fs.mkdirSync(barrier, { recursive: true });
fs.writeFileSync(path.join(barrier, id), "");
while (fs.readdirSync(barrier).length < 2) await new Promise((r) => setTimeout(r, 10));

let computed = false,
  waited = false;
let r = await cache.lookup(key);
if (r.status !== "hit") {
  const lock = await acquireLock(root, key, { pollMs: 20, onWait: () => (waited = true) });
  try {
    r = await cache.lookup(key);
    if (r.status !== "hit") {
      const w = await cache.write(key, fields, async (dir) => {
        computed = true;
        fs.appendFileSync(log, `${process.pid}\n`);
        await new Promise((res) => setTimeout(res, 300));
        fs.writeFileSync(path.join(dir, "result.txt"), `computed by ${id}`);
        return { by: id };
      });
      r = { status: "hit", ...w };
    }
  } finally {
    await lock.release();
  }
}
if (r.status !== "hit") throw new Error("no entry");
process.stdout.write(
  JSON.stringify({ dir: r.dir, computed, waited, by: (r.manifest.meta as { by: string }).by }) + "\n",
);
