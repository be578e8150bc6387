// `scdx cache` run as main() would run it (usage errors → exit 2), on a cache built with Cache:
// the table against the entries' own sizes and times, verify's exit code and removal, gc's ages
// and --dry-run, where the cache is, and usage errors.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Cache, cacheKey } from "../../../runtime/cache/store.ts";
import { cacheCommand, formatBytes, formatTime } from "../../../runtime/cli/cache.ts";
import { UsageError } from "../../../runtime/cli/command.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-cli-cache-"));
let n = 0;

async function scdxCache(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "",
    err = "";
  try {
    const code = await cacheCommand.run(argv, {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      color: false,
      cwd,
    });
    return { code, out, err };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, out, err: err + e.message };
    throw e;
  }
}

/** A cache with two entries of known sizes: `distill` (train, 3 MiB) and `regions` (bench, 2 KiB). */
async function populated() {
  const root = path.join(tmp, `c${n++}`);
  const cache = new Cache(root);
  const put = async (name: string, kind: string, bytes: number) => {
    const fields = { definition: { value: name, why: "test" } };
    const key = cacheKey(fields);
    const w = await cache.write(
      key,
      fields,
      async (d) => (fs.writeFileSync(path.join(d, "out.bin"), Buffer.alloc(bytes, 7)), { name, kind }),
    );
    return {
      key,
      dir: w.dir,
      bytes: bytes + fs.statSync(path.join(w.dir, "manifest.json")).size,
      created: w.manifest.created,
    };
  };
  return { root, cache, distill: await put("distill", "train", 3 << 20), regions: await put("regions", "bench", 2048) };
}

test("ls: one row per entry with key prefix, name, kind, size, times; then the total", async () => {
  const { root, distill, regions } = await populated();
  const r = await scdxCache(tmp, "ls", "--cache", root);
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n");
  assert.match(lines[0]!, /^KEY\s+NAME\s+KIND\s+SIZE\s+CREATED\s+LAST USED$/);
  for (const [e, name, kind] of [
    [distill, "distill", "train"],
    [regions, "regions", "bench"],
  ] as const) {
    const row = lines.find((l) => l.startsWith(e.key.slice(0, 12)));
    assert.ok(row, `a row for ${name}`);
    const t = formatTime(e.created);
    assert.match(
      row!,
      new RegExp(
        `^${e.key.slice(0, 12)}\\s+${name}\\s+${kind}\\s+${formatBytes(e.bytes).replace(".", "\\.")}\\s+${t}\\s+\\d{4}-`,
      ),
    );
  }
  assert.is(formatBytes(distill.bytes), "3.0 MiB");
  assert.is(formatBytes(2048 + 1023), "3.0 KiB");
  assert.is(formatBytes(500), "500 B");
  assert.is(lines.at(-1), `2 entries, ${formatBytes(distill.bytes + regions.bytes)} in ${root}`);
  const j = JSON.parse((await scdxCache(tmp, "ls", "--cache", root, "--json")).out);
  assert.equal(j.entries.map((e: { key: string }) => e.key).sort(), [distill.key, regions.key].sort());
  assert.is(j.entries.find((e: { key: string }) => e.key === distill.key).bytes, distill.bytes);
});

test("ls of a cache that does not exist says so and creates nothing", async () => {
  const root = path.join(tmp, "none");
  const r = await scdxCache(tmp, "ls", "--cache", root);
  assert.is(r.code, 0);
  assert.is(r.out, `no entries in ${root}\n`);
  assert.not.ok(fs.existsSync(root));
});

test("verify: exit 0 when all is well; exit 1 listing a damaged entry, which is removed", async () => {
  const { root, distill, regions } = await populated();
  let r = await scdxCache(tmp, "verify", "--cache", root);
  assert.is(r.code, 0);
  assert.is(r.out, "2 entries verified: 2 ok\n");
  const f = path.join(regions.dir, "out.bin"),
    b = fs.readFileSync(f);
  b[100] = 8;
  fs.writeFileSync(f, b);
  r = await scdxCache(tmp, "verify", "--cache", root);
  assert.is(r.code, 1);
  assert.match(
    r.out,
    new RegExp(`^damaged  ${regions.key.slice(0, 12)}  regions  \`out.bin\` does not match its checksum — removed\n`),
  );
  assert.match(r.out, /2 entries verified: 1 ok, 1 damaged \(removed; the next run recomputes it\)\n$/);
  assert.not.ok(fs.existsSync(regions.dir));
  assert.ok(fs.existsSync(distill.dir));
  r = await scdxCache(tmp, "verify", "--cache", root, "--json");
  assert.is(r.code, 0);
  assert.equal(JSON.parse(r.out).ok, [distill.key]);
});

test("gc: entries unused for longer than --older-than go (default 30 days); --dry-run only tells", async () => {
  const { root, distill, regions } = await populated();
  const ago = new Date(Date.now() - 10 * 86_400_000);
  fs.utimesSync(distill.dir, ago, ago);
  let r = await scdxCache(tmp, "gc", "--cache", root);
  assert.is(r.code, 0);
  assert.match(
    r.out,
    /^removed 0 entries not used for 30 days \(0 B\), 0 abandoned temp dirs, 0 stale locks; 2 entries left\n$/,
  );
  r = await scdxCache(tmp, "gc", "--cache", root, "--older-than", "7", "--dry-run");
  assert.match(
    r.out,
    new RegExp(
      `^would remove  ${distill.key.slice(0, 12)}  distill  3\\.0 MiB  last used ${formatTime(ago.toISOString())}\n`,
    ),
  );
  assert.match(r.out, /would remove 1 entry not used for 7 days \(3\.0 MiB\), .*; 2 entries stay\n$/);
  assert.ok(fs.existsSync(distill.dir));
  r = await scdxCache(tmp, "gc", "--cache", root, "--older-than", "7");
  assert.match(r.out, /removed 1 entry not used for 7 days \(3\.0 MiB\), .*; 1 entry left\n$/);
  assert.not.ok(fs.existsSync(distill.dir));
  assert.ok(fs.existsSync(regions.dir));
  r = await scdxCache(tmp, "gc", "--cache", root, "--older-than", "0", "--json");
  assert.equal(JSON.parse(r.out).removed, [regions.key]);
  assert.not.ok(fs.existsSync(regions.dir));
});

test("path: --cache, then SCDX_CACHE, then .scdx/cache in the project of the current folder", async () => {
  const proj = path.join(tmp, "proj"),
    sub = path.join(proj, "a", "b");
  fs.mkdirSync(sub, { recursive: true });
  fs.mkdirSync(path.join(proj, ".git"));
  const saved = process.env["SCDX_CACHE"];
  try {
    delete process.env["SCDX_CACHE"];
    assert.is((await scdxCache(sub, "path")).out, path.join(proj, ".scdx", "cache") + "\n");
    process.env["SCDX_CACHE"] = "/srv/scdx-cache";
    assert.is((await scdxCache(sub, "path")).out, "/srv/scdx-cache\n");
    assert.is((await scdxCache(sub, "path", "--cache", "here")).out, path.join(sub, "here") + "\n");
  } finally {
    if (saved === undefined) delete process.env["SCDX_CACHE"];
    else process.env["SCDX_CACHE"] = saved;
  }
});

test("usage errors exit 2 with a plain message; --help lists every subcommand", async () => {
  for (const [argv, msg] of [
    [[], /give a subcommand: ls, verify, gc, path/],
    [["lss"], /unknown subcommand `lss`; did you mean `ls`\?/],
    [["ls", "extra"], /unexpected argument `extra`/],
    [["ls", "--dry-run"], /--dry-run does not apply to `cache ls`/],
    [["gc", "--older-than", "soon"], /--older-than takes a number of days ≥ 0, got `soon`/],
    [["gc", "--older-than=-1"], /--older-than takes a number of days ≥ 0/],
    [["ls", "--bogus"], /Unknown option '--bogus'/],
  ] as const) {
    const r = await scdxCache(tmp, ...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.match(r.err, msg);
  }
  const h = await scdxCache(tmp, "--help");
  assert.is(h.code, 0);
  for (const s of ["ls", "verify", "gc", "path", "--older-than DAYS", "--dry-run", "--cache DIR", "SCDX_CACHE"])
    assert.ok(h.out.includes(s), s);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
