// `scdx cache`: look into the stage cache, check it, and free space. The cache verifies entries on
// every read anyway; `verify` is for a user who wants to know now (after a disk problem, or before
// sharing a cache), and `gc` is the only thing that ever deletes a good entry.
import { didYouMean } from "../../core/diagnostics.ts";
import { Cache, projectDirOf, resolveCacheRoot, type EntrySummary } from "../cache/store.ts";
import { EXIT, parseCommandArgs, UsageError, type Command, type Io } from "./command.ts";

const SUBCOMMANDS = ["ls", "verify", "gc", "path"] as const;
type Sub = (typeof SUBCOMMANDS)[number];
/** Which options each subcommand takes, so `scdx cache ls --dry-run` is an error rather than ignored. */
const ALLOWED: Record<Sub, readonly string[]> = {
  ls: ["json"],
  verify: ["json"],
  gc: ["older-than", "dry-run", "json"],
  path: [],
};

const DEFAULT_GC_DAYS = 30;

export const cacheCommand: Command = {
  name: "cache",
  help: `Usage: scdx cache ls     [--cache DIR] [--json]
       scdx cache verify [--cache DIR] [--json]
       scdx cache gc     [--cache DIR] [--older-than DAYS] [--dry-run] [--json]
       scdx cache path   [--cache DIR]

Every stage result of \`scdx run\` is a cache entry named by a key that hashes everything the
result depends on. Entries are checked on every read, and a damaged one is recomputed.

Subcommands:
  ls       list the entries: key (first 12 hex digits), stage name and kind, size, when it was
           created and last used, and the total
  verify   re-hash every file of every entry; damaged entries are listed and removed so that
           the next run recomputes them
  gc       remove entries not used for DAYS days (default ${DEFAULT_GC_DAYS}; 0 removes every entry),
           and temp dirs and locks left by processes that died
  path     print the cache folder

Options:
  --cache DIR         the cache folder (default: $SCDX_CACHE if set, else .scdx/cache in the
                      project: the nearest folder above the current one with package.json or .git)
  --older-than DAYS   gc: how long unused entries are kept (fractions allowed)
  --dry-run           gc: print what would be removed, remove nothing
  --json              print the result as JSON
  -h, --help          show this help

Exit codes: 0 ok, 1 verify found damaged entries, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      cache: { type: "string" },
      json: { type: "boolean" },
      "older-than": { type: "string" },
      "dry-run": { type: "boolean" },
    });
    if (values.help) {
      io.out(cacheCommand.help + "\n");
      return EXIT.ok;
    }
    const [sub, ...extra] = positionals;
    if (sub === undefined) throw new UsageError(`give a subcommand: ${SUBCOMMANDS.join(", ")}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
      const guess = didYouMean(sub, SUBCOMMANDS);
      throw new UsageError(
        `unknown subcommand \`${sub}\`${guess ? `; did you mean \`${guess}\`?` : ""} (one of ${SUBCOMMANDS.join(", ")})`,
      );
    }
    if (extra.length) throw new UsageError(`unexpected argument \`${extra[0]}\``);
    const s = sub as Sub;
    for (const opt of ["json", "older-than", "dry-run"] as const) {
      if (values[opt] !== undefined && !ALLOWED[s].includes(opt))
        throw new UsageError(`--${opt} does not apply to \`cache ${s}\``);
    }
    const root = resolveCacheRoot({
      flag: values.cache,
      env: process.env,
      projectDir: projectDirOf(io.cwd),
      cwd: io.cwd,
    });
    const cache = new Cache(root);
    const json = !!values.json;
    switch (s) {
      case "path": {
        io.out(root + "\n");
        return EXIT.ok;
      }
      case "ls":
        return ls(cache, json, io);
      case "verify":
        return verify(cache, json, io);
      case "gc":
        return gc(cache, days(values["older-than"]), !!values["dry-run"], json, io);
    }
  },
};

function days(v: string | undefined): number {
  if (v === undefined) return DEFAULT_GC_DAYS;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--older-than takes a number of days ≥ 0, got \`${v}\``);
  return n;
}

async function ls(cache: Cache, json: boolean, io: Io): Promise<number> {
  const entries = (await cache.ls()).sort((a, b) => b.lastUsed.localeCompare(a.lastUsed));
  if (json) {
    io.out(JSON.stringify({ root: cache.root, entries }, null, 2) + "\n");
    return EXIT.ok;
  }
  if (entries.length === 0) {
    io.out(`no entries in ${cache.root}\n`);
    return EXIT.ok;
  }
  const rows = entries.map((e) => [
    e.key.slice(0, 12),
    e.name ?? "?",
    e.kind ?? "",
    formatBytes(e.bytes),
    formatTime(e.created),
    formatTime(e.lastUsed),
  ]);
  io.out(table(["KEY", "NAME", "KIND", "SIZE", "CREATED", "LAST USED"], rows, [3]));
  for (const e of entries)
    if (e.problem) io.out(`${e.key.slice(0, 12)}: ${e.problem} (scdx cache verify removes it)\n`);
  const total = entries.reduce((n, e) => n + e.bytes, 0);
  io.out(`${plural(entries.length, "entry", "entries")}, ${formatBytes(total)} in ${cache.root}\n`);
  return EXIT.ok;
}

async function verify(cache: Cache, json: boolean, io: Io): Promise<number> {
  const names = new Map((await cache.ls()).map((e) => [e.key, e.name]));
  const r = await cache.verify();
  if (json) io.out(JSON.stringify({ root: cache.root, ...r }, null, 2) + "\n");
  else {
    for (const d of r.damaged)
      io.out(`damaged  ${d.key.slice(0, 12)}  ${names.get(d.key) ?? "?"}  ${d.reason} — removed\n`);
    const n = r.ok.length + r.damaged.length;
    io.out(
      `${plural(n, "entry", "entries")} verified: ${r.ok.length} ok` +
        (r.damaged.length
          ? `, ${r.damaged.length} damaged (removed; the next run recomputes ${r.damaged.length === 1 ? "it" : "them"})`
          : "") +
        "\n",
    );
  }
  return r.damaged.length ? EXIT.errors : EXIT.ok;
}

async function gc(cache: Cache, olderThanDays: number, dryRun: boolean, json: boolean, io: Io): Promise<number> {
  const before = new Map((await cache.ls()).map((e) => [e.key, e]));
  const r = await cache.gc({ olderThanDays, dryRun });
  if (json) {
    io.out(JSON.stringify({ root: cache.root, dryRun, olderThanDays, ...r }, null, 2) + "\n");
    return EXIT.ok;
  }
  const verb = dryRun ? "would remove" : "removed";
  const rows = r.removed
    .map((k) => before.get(k))
    .filter((e): e is EntrySummary => !!e)
    .map((e) => [verb, e.key.slice(0, 12), e.name ?? "?", formatBytes(e.bytes), `last used ${formatTime(e.lastUsed)}`]);
  if (rows.length) io.out(table(null, rows, [3]));
  io.out(
    `${dryRun ? "would remove" : "removed"} ${plural(r.removed.length, "entry", "entries")} not used for ${olderThanDays} day${olderThanDays === 1 ? "" : "s"} ` +
      `(${formatBytes(r.freedBytes)}), ${plural(r.tmpRemoved.length, "abandoned temp dir", "abandoned temp dirs")}, ` +
      `${plural(r.locksRemoved.length, "stale lock", "stale locks")}; ${plural(before.size - (dryRun ? 0 : r.removed.length), "entry", "entries")} ${dryRun ? "stay" : "left"}\n`,
  );
  return EXIT.ok;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** 1024-based, one decimal: what `du -h` users expect. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024,
    i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Local time to the minute: enough to recognise a run, short enough for a table. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "?";
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Left-aligned columns two spaces apart; columns listed in `right` are right-aligned (numbers). */
function table(head: readonly string[] | null, rows: readonly (readonly string[])[], right: readonly number[]): string {
  const all = head ? [head, ...rows] : rows;
  const w = all[0]!.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((x, c) => (right.includes(c) ? x.padStart(w[c]!) : x.padEnd(w[c]!)))
      .join("  ")
      .trimEnd() + "\n";
  return all.map(line).join("");
}
