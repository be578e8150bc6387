// The content-addressed store of stage results. An entry is built under tmp/, checksummed, given
// its manifest last, fsynced and renamed into entries/ in one step, so a reader sees a complete
// entry or none. Reads verify sizes and sha256 of every file: a damaged entry is moved aside and
// reported, so it is recomputed and never returned. Locks (lock.ts) are separate: they avoid
// computing twice; this file alone keeps results right.
//
//   <root>/entries/<key[0..2]>/<key>/{…files, manifest.json}   complete entries
//   <root>/tmp/<key>~<pid>~<host>~<rand>/                      entries being written
//   <root>/trash/                                             damaged or collected, being deleted
//   <root>/locks/<key>.lock                                   see lock.ts
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Json } from "../../core/ir.ts";
import { lockHeld, pidAlive, removeStaleLocks } from "./lock.ts";
import {
  cacheKey,
  checkFile,
  duBytes,
  fsyncPath,
  hashFile,
  isCacheKey,
  listFiles,
  MANIFEST,
  manifestDigest,
  parseManifest,
  scdxVersion,
  type FileRecord,
  type KeyFields,
  type Manifest,
} from "./manifest.ts";

export { cacheKey, type KeyField, type KeyFields, type Manifest } from "./manifest.ts";

export type Lookup =
  | { readonly status: "hit"; readonly dir: string; readonly manifest: Manifest }
  | { readonly status: "miss" }
  | { readonly status: "damaged"; readonly reason: string };

export interface EntrySummary {
  readonly key: string;
  readonly dir: string;
  /** Bytes of the entry's files and manifest. */
  readonly bytes: number;
  readonly created: string;
  /** ISO time of the last hit (the entry directory's mtime, set by `touch`). */
  readonly lastUsed: string;
  readonly name?: string;
  readonly kind?: string;
  /** Set when the manifest cannot be read; `verify` would remove the entry. */
  readonly problem?: string;
}

export interface GcOptions {
  /** Remove entries not used for this many days (0: all); without it, age removes nothing. */
  readonly olderThanDays?: number;
  /** Entries to keep whatever their age; with no `olderThanDays`, every entry not kept is removed. */
  readonly keep?: (key: string) => boolean;
  readonly dryRun?: boolean;
}

export interface GcResult {
  readonly removed: string[];
  readonly freedBytes: number;
  /** Names of abandoned temp dirs and stale lock files removed. */
  readonly tmpRemoved: string[];
  readonly locksRemoved: string[];
}

const HOST = process.env["SCDX_HOSTNAME"] || os.hostname(); // as lock.ts names it
const TMP_STALE_MS = 3_600_000;

/** Folder of the nearest ancestor of `p` (a file, or a folder) holding package.json or .git; else p's own folder. */
export function projectDirOf(p: string): string {
  const abs = path.resolve(p);
  const start = fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() ? abs : path.dirname(abs);
  for (let d = start; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "package.json")) || fs.existsSync(path.join(d, ".git"))) return d;
    if (path.dirname(d) === d) return start;
  }
}

/** `--cache DIR` > SCDX_CACHE > <projectDir>/.scdx/cache. Relative paths resolve against cwd. */
export function resolveCacheRoot(o: {
  flag?: string;
  env?: NodeJS.ProcessEnv;
  projectDir: string;
  cwd?: string;
}): string {
  const cwd = o.cwd ?? process.cwd();
  if (o.flag) return path.resolve(cwd, o.flag);
  const env = (o.env ?? process.env)["SCDX_CACHE"];
  if (env) return path.resolve(cwd, env);
  return path.join(path.resolve(cwd, o.projectDir), ".scdx", "cache");
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

export class Cache {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  entryDir(key: string): string {
    if (!isCacheKey(key)) throw new Error(`not a cache key: \`${key}\``);
    return path.join(this.root, "entries", key.slice(0, 2), key);
  }

  /** A verified entry, a miss, or damaged (then the entry is gone, so the next lookup misses).
   * A hit counts as a use. */
  async lookup(key: string): Promise<Lookup> {
    const r = await this.check(key, true);
    if (r.status === "hit") await this.touch(key);
    return r;
  }

  private async check(key: string, memo: boolean): Promise<Lookup> {
    const dir = this.entryDir(key);
    let text: string;
    try {
      text = await fs.promises.readFile(path.join(dir, MANIFEST), "utf8");
    } catch (e) {
      if (errCode(e) !== "ENOENT" && errCode(e) !== "ENOTDIR") throw e;
      if (!fs.existsSync(dir)) return { status: "miss" };
      return this.damaged(key, "manifest.json is missing");
    }
    const m = parseManifest(text, key);
    if (typeof m === "string") return this.damaged(key, m);
    for (const [rel, want] of Object.entries(m.files)) {
      const problem = await checkFile(path.join(dir, rel), rel, want, memo);
      if (problem) {
        // Removed under us (gc, or another reader that found it damaged): that is a miss, not damage.
        if (!fs.existsSync(dir)) return { status: "miss" };
        return this.damaged(key, problem);
      }
    }
    return { status: "hit", dir, manifest: m };
  }

  private async damaged(key: string, reason: string): Promise<Lookup> {
    // If it cannot be moved (another user's entry in a shared cache), it is still never returned.
    await this.discard(this.entryDir(key)).catch(() => undefined);
    return { status: "damaged", reason };
  }

  /** Renames a directory into trash/ (atomic: readers see it or not), then deletes it. */
  private async discard(dir: string): Promise<void> {
    const trash = path.join(this.root, "trash");
    await fs.promises.mkdir(trash, { recursive: true });
    const aside = path.join(trash, `${path.basename(dir)}~${randomBytes(4).toString("hex")}`);
    try {
      await fs.promises.rename(dir, aside);
    } catch (e) {
      if (errCode(e) === "ENOENT") return; // someone else moved it first
      throw e;
    }
    await fs.promises.rm(aside, { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * Builds the entry of `key`: `produce` writes files into a fresh temp dir and may return the
   * manifest's `meta`. If another process completed the same key first, its entry is returned and ours dropped.
   */
  async write(
    key: string,
    fields: KeyFields,
    // biome-ignore lint/suspicious/noConfusingVoidType: producers with nothing to record are `async () => {}`
    produce: (tmpDir: string) => Promise<Json | void>,
    opts: { seconds?: number } = {},
  ): Promise<{ dir: string; manifest: Manifest }> {
    const computed = cacheKey(fields);
    if (computed !== key)
      throw new Error(`cache write: key ${key.slice(0, 12)}… does not match its fields (${computed.slice(0, 12)}…)`);
    const target = this.entryDir(key);
    await this.ensureRoot();
    const tmp = path.join(this.root, "tmp", `${key}~${process.pid}~${safeHost()}~${randomBytes(4).toString("hex")}`);
    await fs.promises.mkdir(tmp, { recursive: true });
    try {
      const t0 = performance.now();
      const meta = await produce(tmp);
      const seconds = opts.seconds ?? (performance.now() - t0) / 1000;
      const rels = await listFiles(tmp);
      if (rels.includes(MANIFEST))
        throw new Error(`cache write: the stage wrote its own ${MANIFEST}; that name is the cache's`);
      const files: Record<string, FileRecord> = {};
      for (const rel of rels) {
        files[rel] = await hashFile(path.join(tmp, rel));
        await fsyncPath(path.join(tmp, rel));
      }
      const body: Omit<Manifest, "digest"> = {
        format: 1,
        key,
        fields,
        created: new Date().toISOString(),
        scdx: scdxVersion(),
        host: HOST,
        seconds: Math.round(seconds * 1000) / 1000,
        files,
        meta: meta ?? {},
      };
      const manifest: Manifest = { ...body, digest: manifestDigest(body) };
      const mh = await fs.promises.open(path.join(tmp, MANIFEST), "wx");
      try {
        await mh.writeFile(JSON.stringify(manifest, null, 2) + "\n");
        await mh.sync();
      } finally {
        await mh.close();
      }
      for (const d of new Set(rels.map((r) => path.dirname(path.join(tmp, r))).concat(tmp))) await fsyncPath(d);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      for (let attempt = 0; ; attempt++) {
        try {
          await fs.promises.rename(tmp, target);
          await fsyncPath(path.dirname(target));
          return { dir: target, manifest };
        } catch (e) {
          if (errCode(e) !== "ENOTEMPTY" && errCode(e) !== "EEXIST") throw e;
        }
        // Another writer won the race. Its entry is as good as ours if it verifies;
        // if not, it is moved aside and we retry.
        const other = await this.check(key, true);
        if (other.status === "hit") {
          await fs.promises.rm(tmp, { recursive: true, force: true });
          return { dir: other.dir, manifest: other.manifest };
        }
        if (attempt >= 3)
          throw new Error(
            `cache write: could not place entry ${key.slice(0, 12)}… (${other.status === "damaged" ? other.reason : "it keeps changing"})`,
          );
      }
    } catch (e) {
      await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
  }

  /** Records a use for gc: the entry directory's mtime (no file of the entry changes). Best effort:
   * in a shared cache another user's entry may not be ours to touch. */
  async touch(key: string): Promise<void> {
    const now = new Date();
    await fs.promises.utimes(this.entryDir(key), now, now).catch(() => undefined);
  }

  private async ensureRoot(): Promise<void> {
    await fs.promises.mkdir(path.join(this.root, "tmp"), { recursive: true });
    // A project-local cache must not show up in `git status`.
    await fs.promises.writeFile(path.join(this.root, ".gitignore"), "*\n", { flag: "wx" }).catch(() => undefined);
  }

  /** Keys of the entry directories present (complete or damaged); stray names are reported as keys too. */
  private async keys(): Promise<string[]> {
    const entries = path.join(this.root, "entries");
    const out: string[] = [];
    for (const pre of (await fs.promises.readdir(entries).catch(() => [] as string[])).sort()) {
      for (const k of (await fs.promises.readdir(path.join(entries, pre)).catch(() => [] as string[])).sort())
        out.push(`${pre}/${k}`);
    }
    return out;
  }

  async ls(): Promise<EntrySummary[]> {
    const out: EntrySummary[] = [];
    for (const pk of await this.keys()) {
      const [pre, key] = pk.split("/") as [string, string];
      const dir = path.join(this.root, "entries", pre, key);
      const st = await fs.promises.stat(dir).catch(() => undefined);
      if (!st) continue;
      const text = await fs.promises.readFile(path.join(dir, MANIFEST), "utf8").catch(() => undefined);
      const m =
        !isCacheKey(key) || pre !== key.slice(0, 2)
          ? "not a cache entry name"
          : text === undefined
            ? "manifest.json is missing"
            : parseManifest(text, key);
      if (typeof m === "string") {
        out.push({
          key,
          dir,
          bytes: await duBytes(dir),
          created: st.birthtime.toISOString(),
          lastUsed: st.mtime.toISOString(),
          problem: m,
        });
        continue;
      }
      const meta = (m.meta && typeof m.meta === "object" && !Array.isArray(m.meta) ? m.meta : {}) as Record<
        string,
        Json
      >;
      const bytes = Object.values(m.files).reduce((s, f) => s + f.size, Buffer.byteLength(text!));
      out.push({
        key,
        dir,
        bytes,
        created: m.created,
        lastUsed: st.mtime.toISOString(),
        ...(typeof meta["name"] === "string" ? { name: meta["name"] } : {}),
        ...(typeof meta["kind"] === "string" ? { kind: meta["kind"] } : {}),
      });
    }
    return out;
  }

  /** Re-hashes every entry (no memo); damaged ones are removed so that the next run recomputes them. */
  async verify(): Promise<{ ok: string[]; damaged: { key: string; reason: string }[] }> {
    const ok: string[] = [],
      damaged: { key: string; reason: string }[] = [];
    for (const pk of await this.keys()) {
      const [pre, key] = pk.split("/") as [string, string];
      if (!isCacheKey(key) || pre !== key.slice(0, 2)) {
        await this.discard(path.join(this.root, "entries", pre, key));
        damaged.push({ key, reason: "not a cache entry name" });
        continue;
      }
      const r = await this.check(key, false);
      if (r.status === "hit") ok.push(key);
      else if (r.status === "damaged") damaged.push({ key, reason: r.reason });
    }
    return { ok, damaged };
  }

  /** Removes unused entries (see GcOptions), abandoned temp dirs, stale locks and leftover trash. */
  async gc(opts: GcOptions = {}): Promise<GcResult> {
    const removed: string[] = [];
    let freedBytes = 0;
    const cutoff = opts.olderThanDays === undefined ? undefined : Date.now() - opts.olderThanDays * 86_400_000;
    if (cutoff !== undefined || opts.keep) {
      for (const e of await this.ls()) {
        if (opts.keep?.(e.key)) continue;
        if (cutoff !== undefined && Date.parse(e.lastUsed) > cutoff) continue;
        if (!opts.dryRun) await this.discard(e.dir);
        removed.push(e.key);
        freedBytes += e.bytes;
      }
    }
    const tmpRemoved: string[] = [];
    const tmpDir = path.join(this.root, "tmp");
    for (const n of await fs.promises.readdir(tmpDir).catch(() => [] as string[])) {
      if (await this.tmpAbandoned(path.join(tmpDir, n), n)) {
        if (!opts.dryRun) await fs.promises.rm(path.join(tmpDir, n), { recursive: true, force: true });
        tmpRemoved.push(n);
      }
    }
    // Checkpoints of unfinished train stages (work/<key>): kept for resuming, so only removed by age
    // (or when their entry exists: the stage finished), never while their lock is held.
    const workDir = path.join(this.root, "work");
    for (const n of await fs.promises.readdir(workDir).catch(() => [] as string[])) {
      const dir = path.join(workDir, n);
      const st = await fs.promises.stat(dir).catch(() => undefined);
      if (!st || !isCacheKey(n) || (await lockHeld(this.root, n))) continue;
      const finished = fs.existsSync(path.join(this.entryDir(n), MANIFEST));
      if (!finished && (cutoff === undefined || st.mtimeMs > cutoff)) continue;
      if (!opts.dryRun) await fs.promises.rm(dir, { recursive: true, force: true });
      tmpRemoved.push(`work/${n}`);
    }
    const locksRemoved = await removeStaleLocks(this.root, { dryRun: opts.dryRun });
    // Trash is deleted right after the rename; what is left there was interrupted.
    if (!opts.dryRun)
      await fs.promises.rm(path.join(this.root, "trash"), { recursive: true, force: true }).catch(() => undefined);
    return { removed, freedBytes, tmpRemoved, locksRemoved };
  }

  /** A temp dir is abandoned when its writer was a process of this host that is gone, or when it
   * is over an hour old and nobody holds its key's lock (a long stage computes under the lock). */
  private async tmpAbandoned(dir: string, name: string): Promise<boolean> {
    const [key, pid, host] = name.split("~");
    if (host === safeHost() && pid !== undefined && /^\d+$/.test(pid) && !pidAlive(Number(pid))) return true;
    const st = await fs.promises.stat(dir).catch(() => undefined);
    if (!st || Date.now() - st.mtimeMs < TMP_STALE_MS) return false;
    return !(key && isCacheKey(key) && (await lockHeld(this.root, key)));
  }
}

/** The host as it may appear in a file name. */
function safeHost(): string {
  return HOST.replace(/[^A-Za-z0-9.-]/g, "_");
}
