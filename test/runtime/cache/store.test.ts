// The cache on real files: a round trip, every kind of damage (each a miss-with-reason and the
// entry gone), concurrent writers of one key, gc of old entries and abandoned temp dirs, and the
// cache root's resolution. Keys are checked against sha256 of canonical JSON written out by hand.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Cache, cacheKey, projectDirOf, resolveCacheRoot, type KeyFields } from "../../../runtime/cache/store.ts";
import { acquireLock } from "../../../runtime/cache/lock.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-cache-"));
let n = 0;
const freshRoot = () => path.join(tmp, `c${n++}`);
const fieldsOf = (name: string): KeyFields => ({
  definition: { value: name, why: "test" },
  backend: { value: "cpu", why: "test" },
});
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** An entry with a top-level file and one in a subfolder. */
async function put(cache: Cache, name: string, bytes = 1000) {
  const fields = fieldsOf(name);
  const key = cacheKey(fields);
  const body = Buffer.alloc(bytes, 0);
  for (let i = 0; i < bytes; i++) body[i] = (i * 31 + name.length) & 255;
  const r = await cache.write(key, fields, async (dir) => {
    fs.writeFileSync(path.join(dir, "weights.bin"), body);
    fs.mkdirSync(path.join(dir, "ckpt"));
    fs.writeFileSync(path.join(dir, "ckpt", "step.json"), '{"step":3}');
    return { name, kind: "train", metrics: { loss: 0.5 } };
  });
  return { key, fields, body, ...r };
}

test("cacheKey is sha256 of the canonical JSON of the values; `why` is not hashed", () => {
  const f: KeyFields = { b: { value: [1, "x"], why: "one" }, a: { value: { z: null, y: true }, why: "two" } };
  assert.is(cacheKey(f), sha('{"a":{"y":true,"z":null},"b":[1,"x"]}'));
  assert.is(
    cacheKey({ a: { value: { y: true, z: null }, why: "other" }, b: { value: [1, "x"], why: "" } }),
    cacheKey(f),
  );
  assert.is.not(cacheKey({ ...f, b: { value: [1, "y"], why: "one" } }), cacheKey(f));
});

test("write then lookup: a hit with the files, their checksums and the stage's meta", async () => {
  const cache = new Cache(freshRoot());
  const e = await put(cache, "distill", 5000);
  assert.is(e.dir, path.join(cache.root, "entries", e.key.slice(0, 2), e.key));
  const r = await cache.lookup(e.key);
  assert.is(r.status, "hit");
  if (r.status !== "hit") return;
  assert.equal(fs.readFileSync(path.join(r.dir, "weights.bin")), e.body);
  assert.equal(r.manifest.files, {
    "ckpt/step.json": { size: 10, sha256: sha('{"step":3}') },
    "weights.bin": { size: 5000, sha256: sha(e.body) },
  });
  assert.equal(r.manifest.meta, { name: "distill", kind: "train", metrics: { loss: 0.5 } });
  assert.equal(r.manifest.fields, e.fields);
  assert.is(r.manifest.key, e.key);
  assert.is(r.manifest.host, os.hostname());
  assert.equal(JSON.parse(fs.readFileSync(path.join(r.dir, "manifest.json"), "utf8")), r.manifest);
  assert.equal(fs.readdirSync(path.join(cache.root, "tmp")), [], "no temp dir left");
  assert.is((await cache.lookup(cacheKey(fieldsOf("other")))).status, "miss");
});

test("write refuses a key that its fields do not hash to, and leaves nothing when produce throws", async () => {
  const cache = new Cache(freshRoot());
  await rejects(() => cache.write(cacheKey(fieldsOf("a")), fieldsOf("b"), async () => {}), /does not match its fields/);
  const key = cacheKey(fieldsOf("a"));
  await rejects(
    () =>
      cache.write(key, fieldsOf("a"), async (d) => {
        fs.writeFileSync(path.join(d, "x"), "1");
        throw new Error("stage blew up");
      }),
    /stage blew up/,
  );
  assert.is((await cache.lookup(key)).status, "miss");
  assert.equal(fs.readdirSync(path.join(cache.root, "tmp")), []);
  await rejects(
    () => cache.write(key, fieldsOf("a"), async (d) => fs.writeFileSync(path.join(d, "manifest.json"), "{}")),
    /manifest\.json/,
  );
});

/** Damages an entry with `harm`; the lookup must say damaged (with `reason`), the entry must be gone. */
async function expectDamaged(harm: (dir: string) => void, reason: RegExp, before?: (dir: string) => void) {
  const cache = new Cache(freshRoot());
  const e = await put(cache, "bench", 4096);
  before?.(e.dir);
  assert.is((await cache.lookup(e.key)).status, "hit"); // also fills the in-process memo
  harm(e.dir);
  const r = await cache.lookup(e.key);
  assert.is(r.status, "damaged");
  if (r.status === "damaged") assert.match(r.reason, reason);
  assert.not.ok(fs.existsSync(e.dir), "the damaged entry is moved out of entries/");
  assert.is((await cache.lookup(e.key)).status, "miss");
  // And it can be written again.
  assert.is((await put(cache, "bench", 4096)).dir, e.dir);
  assert.is((await cache.lookup(e.key)).status, "hit");
}

// A whole-second mtime can be put back exactly, so only the ctime in the memo's stamp catches this edit.
const T = new Date("2024-01-01T00:00:00Z");
test("one flipped byte (same size, mtime put back) is damage, although this process verified the file before", () =>
  expectDamaged(
    (dir) => {
      const f = path.join(dir, "weights.bin"),
        b = fs.readFileSync(f);
      b[2000] ^= 1;
      fs.writeFileSync(f, b);
      fs.utimesSync(f, T, T);
    },
    /weights\.bin` does not match its checksum/,
    (dir) => fs.utimesSync(path.join(dir, "weights.bin"), T, T),
  ));

test("a truncated file is damage", () =>
  expectDamaged((dir) => fs.truncateSync(path.join(dir, "weights.bin"), 100), /has 100 bytes, the manifest says 4096/));
test("a missing file is damage", () =>
  expectDamaged((dir) => fs.rmSync(path.join(dir, "ckpt", "step.json")), /ckpt\/step\.json` is missing/));
test("a missing manifest is damage", () =>
  expectDamaged((dir) => fs.rmSync(path.join(dir, "manifest.json")), /manifest\.json is missing/));
test("a corrupt manifest is damage", () =>
  expectDamaged((dir) => fs.writeFileSync(path.join(dir, "manifest.json"), '{"format":1,'), /not JSON/));
test("a manifest whose key fields were edited is damage", () =>
  expectDamaged((dir) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    m.fields.backend.value = "wasm";
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m));
  }, /do not hash to its key/));
test("a manifest whose meta (a bench's metrics) was edited is damage", () =>
  expectDamaged((dir) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    m.meta = { ...m.meta, metrics: { miou: 0.99 } };
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m));
  }, /does not match its own digest/));
test("a manifest naming a path outside the entry is damage", () =>
  expectDamaged((dir) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    m.files["../../x"] = { size: 1, sha256: "0".repeat(64) };
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m));
  }, /unsafe path/));

test("two concurrent writes of one key: both return the same verified entry, one exists", async () => {
  const cache = new Cache(freshRoot());
  const fields = fieldsOf("race"),
    key = cacheKey(fields);
  const produce = (tag: string) => async (dir: string) => {
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(path.join(dir, "out.txt"), "same result");
    return { writer: tag };
  };
  const [a, b] = await Promise.all([cache.write(key, fields, produce("a")), cache.write(key, fields, produce("b"))]);
  assert.is(a.dir, b.dir);
  assert.equal(a.manifest.meta, b.manifest.meta, "the loser returns the winner's manifest");
  assert.equal(fs.readdirSync(path.join(cache.root, "entries", key.slice(0, 2))), [key]);
  assert.equal(fs.readdirSync(path.join(cache.root, "tmp")), [], "the loser's temp dir is gone");
  assert.is((await cache.lookup(key)).status, "hit");
});

test("ls sums file sizes and shows name and kind; verify re-hashes and removes damaged entries", async () => {
  const cache = new Cache(freshRoot());
  const a = await put(cache, "distill", 3000),
    b = await put(cache, "regions", 2000);
  const ls = await cache.ls();
  assert.is(ls.length, 2);
  for (const e of [a, b]) {
    const s = ls.find((x) => x.key === e.key)!;
    assert.is(s.bytes, e.body.length + 10 + fs.statSync(path.join(e.dir, "manifest.json")).size);
    assert.is(s.name, e.manifest.meta && (e.manifest.meta as { name: string }).name);
    assert.is(s.kind, "train");
  }
  const f = path.join(b.dir, "weights.bin"),
    buf = fs.readFileSync(f);
  buf[0] ^= 255;
  fs.writeFileSync(f, buf);
  const v = await cache.verify();
  assert.equal(v.ok, [a.key]);
  assert.equal(
    v.damaged.map((d) => d.key),
    [b.key],
  );
  assert.not.ok(fs.existsSync(b.dir));
  assert.equal((await cache.verify()).damaged, []);
});

async function rejects(f: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await f();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a rejection matching ${re}`);
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

test("gc: removes entries unused for N days (a hit counts as use), honours keep and dry-run", async () => {
  const cache = new Cache(freshRoot());
  const old = await put(cache, "old"),
    used = await put(cache, "used"),
    fresh = await put(cache, "fresh"),
    kept = await put(cache, "kept");
  for (const e of [old, used, kept]) fs.utimesSync(e.dir, daysAgo(40), daysAgo(40));
  assert.is((await cache.lookup(used.key)).status, "hit");
  const oldManifest = fs.statSync(path.join(old.dir, "manifest.json")).size;
  const dry = await cache.gc({ olderThanDays: 30, keep: (k) => k === kept.key, dryRun: true });
  assert.equal(dry.removed, [old.key]);
  assert.ok(fs.existsSync(old.dir));
  const r = await cache.gc({ olderThanDays: 30, keep: (k) => k === kept.key });
  assert.equal(r.removed, [old.key]);
  assert.is(r.freedBytes, old.body.length + 10 + oldManifest);
  assert.is(dry.freedBytes, r.freedBytes);
  assert.not.ok(fs.existsSync(old.dir));
  for (const e of [used, fresh, kept]) assert.is((await cache.lookup(e.key)).status, "hit");
  assert.equal((await cache.gc({})).removed, [], "no age and no keep: no entry is removed");
  assert.equal((await cache.gc({ keep: (k) => k === kept.key })).removed.sort(), [used.key, fresh.key].sort());
});

test("gc: removes temp dirs of dead local processes and old unlocked ones; keeps live and locked ones", async () => {
  const cache = new Cache(freshRoot());
  await put(cache, "x");
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, "_");
  const k1 = cacheKey(fieldsOf("t1")),
    k2 = cacheKey(fieldsOf("t2")),
    k3 = cacheKey(fieldsOf("t3"));
  const mk = (name: string, ageH: number) => {
    const d = path.join(cache.root, "tmp", name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, "partial"), "x");
    const t = new Date(Date.now() - ageH * 3_600_000);
    fs.utimesSync(d, t, t);
    return name;
  };
  const deadTmp = mk(`${k1}~${dead}~${host}~aaaa`, 0);
  const liveNew = mk(`${k2}~${process.pid}~${host}~bbbb`, 0);
  const remoteOld = mk(`${k2}~123~elsewhere~cccc`, 2);
  const lockedOld = mk(`${k3}~123~elsewhere~dddd`, 2);
  const lock = await acquireLock(cache.root, k3);
  try {
    const r = await cache.gc({});
    assert.equal(r.tmpRemoved.sort(), [deadTmp, remoteOld].sort());
    assert.equal(fs.readdirSync(path.join(cache.root, "tmp")).sort(), [liveNew, lockedOld].sort());
    assert.equal(r.removed, []);
  } finally {
    await lock.release();
  }
});

test("resolveCacheRoot: --cache beats SCDX_CACHE beats <project>/.scdx/cache; projectDirOf finds package.json or .git", () => {
  const proj = path.join(tmp, "proj"),
    sub = path.join(proj, "studies", "deep");
  fs.mkdirSync(sub, { recursive: true });
  fs.writeFileSync(path.join(proj, "package.json"), "{}");
  const scd = path.join(sub, "s.scd");
  fs.writeFileSync(scd, "");
  assert.is(projectDirOf(scd), proj);
  assert.is(projectDirOf(sub), proj);
  const bare = path.join(tmp, "bare", "x");
  fs.mkdirSync(bare, { recursive: true });
  fs.mkdirSync(path.join(tmp, "bare", ".git"));
  assert.is(projectDirOf(path.join(bare, "a.scd")), path.join(tmp, "bare"));
  // tmpdir has neither above it (normally): the .scd's own folder.
  const lone = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-lone-"));
  if (
    ![lone, ...ancestors(lone)].some(
      (d) => fs.existsSync(path.join(d, "package.json")) || fs.existsSync(path.join(d, ".git")),
    )
  ) {
    assert.is(projectDirOf(path.join(lone, "a.scd")), lone);
  }
  fs.rmSync(lone, { recursive: true });
  assert.is(resolveCacheRoot({ projectDir: proj, env: {} }), path.join(proj, ".scdx", "cache"));
  assert.is(resolveCacheRoot({ projectDir: proj, env: { SCDX_CACHE: "/shared/c" } }), "/shared/c");
  assert.is(resolveCacheRoot({ projectDir: proj, env: { SCDX_CACHE: "/shared/c" }, flag: "rel", cwd: "/w" }), "/w/rel");
  assert.is(resolveCacheRoot({ projectDir: proj, env: { SCDX_CACHE: "" } }), path.join(proj, ".scdx", "cache"));
});

function ancestors(d: string): string[] {
  const out: string[] = [];
  for (let p = path.dirname(d); p !== path.dirname(p); p = path.dirname(p)) out.push(p);
  return out;
}

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
