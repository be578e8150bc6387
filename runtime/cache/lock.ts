// Per-key locks, so that a second run (or a Slurm task on another host) that needs a stage being
// computed waits and then hits the cache instead of computing it twice. The lock is a file created
// with O_EXCL; its holder keeps its mtime fresh (the heartbeat). A lock is stale when the heartbeat
// is older than staleMs, or at once when its holder is a dead process on this host.
//
// Locks save work; they do not guard correctness. Cache writes are atomic renames, so in the rare
// races below (a stealer displacing a fresh lock while a third waiter slips in) two processes may
// compute the same stage, and the cache still ends with one verified entry.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly started: string;
  /** ISO time of the last heartbeat (the file's mtime). */
  readonly heartbeat: string;
  /** Random per acquisition: tells our lock from a later one at the same path. */
  readonly token: string;
}

export interface Lock {
  readonly key: string;
  readonly file: string;
  readonly info: LockInfo;
  /** True once a heartbeat found another file at our path (we were judged stale and replaced). */
  readonly lost: boolean;
  /** Removes the lock file if it is still ours; stops the heartbeat. Idempotent. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** A heartbeat older than this means the holder is gone (default 30 s). */
  readonly staleMs?: number;
  /** How often the holder refreshes its heartbeat (default 2 s). */
  readonly heartbeatMs?: number;
  /** How often a waiter looks again (default 250 ms). */
  readonly pollMs?: number;
  /** Called once, when we find the lock held and start waiting. */
  readonly onWait?: (holder: LockInfo) => void;
  readonly signal?: AbortSignal;
}

/** This process's host as locks name it; SCDX_HOSTNAME overrides it (tests play a second host with it). */
const HOST = process.env["SCDX_HOSTNAME"] || os.hostname();
/**
 * Clocks of hosts sharing a filesystem may disagree, so a holder on another host is judged by its
 * heartbeat *changing* while we watch (our clock only); its mtime is compared with our clock only
 * beyond this much skew, so that a lock left by a dead host long ago does not cost a full wait.
 */
const CLOCK_SLACK_MS = 10 * 60_000;
const NAME = /^[A-Za-z0-9._-]+$/;

export function lockFile(root: string, key: string): string {
  if (!NAME.test(key)) throw new Error(`not a lock key: \`${key}\``);
  return path.join(root, "locks", `${key}.lock`);
}

/** `pid 123 on host` — how a holder is shown (stage-waiting events, `scdx cache`). */
export function describeHolder(h: LockInfo): string {
  return `pid ${h.pid} on ${h.host}, since ${h.started}`;
}

/** Is a process alive? EPERM means it exists but belongs to someone else. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface Seen {
  readonly info: LockInfo | undefined;
  /** Identity of the file we read, to check that the file we later rename is the same one. */
  readonly id: string;
  readonly mtimeMs: number;
}

/** Reads the lock through open+fstat: on NFS, open revalidates attributes, a path stat may be cached. */
export async function readLock(file: string): Promise<Seen | undefined> {
  let h: fs.promises.FileHandle;
  try {
    h = await fs.promises.open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const st = await h.stat();
    let info: LockInfo | undefined;
    try {
      const j = JSON.parse(await h.readFile("utf8")) as Omit<LockInfo, "heartbeat">;
      if (typeof j.pid === "number" && typeof j.host === "string" && typeof j.token === "string") {
        info = {
          pid: j.pid,
          host: j.host,
          started: String(j.started),
          token: j.token,
          heartbeat: st.mtime.toISOString(),
        };
      }
    } catch {
      // Empty or partial: its creator is between open and write (or died there); the mtime decides.
    }
    return { info, id: `${st.ino}:${info?.token ?? st.mtimeMs}`, mtimeMs: st.mtimeMs };
  } finally {
    await h.close();
  }
}

/**
 * Stale: a dead process on this host; a heartbeat older than staleMs on this host's clock (our own
 * host's writes); or, for another host, a heartbeat that has not moved for staleMs while we watched
 * (`watched`: when we first saw this heartbeat, our clock) or is beyond any plausible clock skew.
 */
function isStale(s: Seen, staleMs: number, now = Date.now(), watched?: number): boolean {
  const here = s.info === undefined || s.info.host === HOST;
  if (here) return now - s.mtimeMs > staleMs || (s.info !== undefined && !pidAlive(s.info.pid));
  if (watched !== undefined && now - watched > staleMs) return true;
  return Math.abs(now - s.mtimeMs) > staleMs + CLOCK_SLACK_MS;
}

/** Removes the stale lock we saw. Renaming first makes the removal race-safe: of two waiters, one
 * rename succeeds; and if the path meanwhile holds a newer lock than the one we judged, we put it back. */
export async function removeStale(file: string, seen: Seen): Promise<boolean> {
  const aside = `${file}.stale~${process.pid}~${randomBytes(4).toString("hex")}`;
  try {
    await fs.promises.rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  const moved = await readLock(aside);
  if (moved && moved.id !== seen.id) {
    // We displaced a fresh lock. link() restores it unless yet another lock appeared
    // (then its holder's heartbeat notices).
    await fs.promises.link(aside, file).catch(() => undefined);
    await fs.promises.unlink(aside).catch(() => undefined);
    return false;
  }
  await fs.promises.unlink(aside).catch(() => undefined);
  return true;
}

const held = new Map<string, string>(); // file → token, released at exit if the process ends holding them
let exitHook = false;
function releaseAllAtExit(): void {
  for (const [file, token] of held) {
    try {
      if ((JSON.parse(fs.readFileSync(file, "utf8")) as { token?: string }).token === token) fs.unlinkSync(file);
    } catch {
      // Gone or unreadable: nothing of ours to remove.
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** Takes the lock of `key`, waiting while a live holder has it. */
export async function acquireLock(root: string, key: string, opts: LockOptions = {}): Promise<Lock> {
  const staleMs = opts.staleMs ?? 30_000,
    heartbeatMs = opts.heartbeatMs ?? 2_000,
    pollMs = opts.pollMs ?? 250;
  const file = lockFile(root, key);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  let waited = false;
  let watch: { id: string; mtimeMs: number; since: number } | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const now = new Date();
    const token = randomBytes(8).toString("hex");
    let h: fs.promises.FileHandle | undefined;
    try {
      h = await fs.promises.open(file, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (h) {
      const body = { pid: process.pid, host: HOST, started: now.toISOString(), heartbeat: now.toISOString(), token };
      try {
        await h.writeFile(JSON.stringify(body) + "\n");
      } catch (e) {
        // An empty lock would block others for staleMs: take it back.
        await h.close().catch(() => undefined);
        await fs.promises.unlink(file).catch(() => undefined);
        throw e;
      }
      return holdLock(key, file, h, { ...body }, heartbeatMs);
    }
    const seen = await readLock(file);
    if (!seen) continue; // released between our create and our read
    if (!watch || watch.id !== seen.id || watch.mtimeMs !== seen.mtimeMs)
      watch = { id: seen.id, mtimeMs: seen.mtimeMs, since: Date.now() };
    if (isStale(seen, staleMs, Date.now(), watch.since)) {
      await removeStale(file, seen);
      continue;
    }
    if (!waited) {
      waited = true;
      opts.onWait?.(
        seen.info ?? {
          pid: 0,
          host: "?",
          started: new Date(seen.mtimeMs).toISOString(),
          heartbeat: new Date(seen.mtimeMs).toISOString(),
          token: "",
        },
      );
    }
    await sleep(pollMs, opts.signal);
  }
}

function holdLock(key: string, file: string, h: fs.promises.FileHandle, info: LockInfo, heartbeatMs: number): Lock {
  let lost = false,
    released = false;
  held.set(file, info.token);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", releaseAllAtExit);
  }
  // The heartbeat touches our open file (not the path), so after a steal it cannot refresh someone else's lock.
  const timer = setInterval(() => {
    const t = new Date();
    h.utimes(t, t).catch(() => undefined);
    fs.promises
      .stat(file)
      .then(
        async (st) => {
          if (st.ino !== (await h.stat()).ino) lost = true;
        },
        () => {
          lost = true;
        },
      )
      .catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return {
    key,
    file,
    info,
    get lost() {
      return lost;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      held.delete(file);
      try {
        const [mine, there] = await Promise.all([h.stat(), fs.promises.stat(file)]);
        if (mine.ino === there.ino) await fs.promises.unlink(file);
      } catch {
        // The path is gone (stolen and released by its new holder): nothing to remove.
      } finally {
        await h.close().catch(() => undefined);
      }
    },
  };
}

/** Removes lock files whose holder is gone, and leftovers of interrupted steals (for `scdx cache gc`). */
export async function removeStaleLocks(
  root: string,
  opts: { staleMs?: number; dryRun?: boolean } = {},
): Promise<string[]> {
  const dir = path.join(root, "locks");
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    if (n.endsWith(".lock")) {
      const seen = await readLock(file);
      if (!seen || !isStale(seen, opts.staleMs ?? 30_000)) continue;
      if (opts.dryRun || (await removeStale(file, seen))) removed.push(n);
    } else if (n.includes(".lock.stale~")) {
      const st = await fs.promises.stat(file).catch(() => undefined);
      // Give a stealer in progress a minute to finish with its aside file.
      if (st && Date.now() - st.mtimeMs > 60_000) {
        if (!opts.dryRun) await fs.promises.unlink(file).catch(() => undefined);
        removed.push(n);
      }
    }
  }
  return removed;
}

/** Is `key`'s lock held by a live holder? (gc keeps the tmp dirs of stages being computed.) */
export async function lockHeld(root: string, key: string, staleMs = 30_000): Promise<boolean> {
  const seen = await readLock(lockFile(root, key));
  return seen !== undefined && !isStale(seen, staleMs);
}
