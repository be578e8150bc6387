// Per-key locks on real files: waiting (timed against the release), stale heartbeats and dead
// holders taken over, two waiters stealing one stale lock (one wins), a steal that would displace a
// fresh lock puts it back, the heartbeat, abort, and two processes racing for one stage.
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  acquireLock,
  lockFile,
  pidAlive,
  readLock,
  removeStale,
  removeStaleLocks,
  type LockInfo,
} from "../../../runtime/cache/lock.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scdx-lock-"));
let n = 0;
const freshRoot = () => path.join(tmp, `r${n++}`);
const KEY = "ab".repeat(32);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes a lock file as another holder would have, with its mtime (heartbeat) `ageMs` ago. */
function fakeLock(root: string, holder: { pid: number; host: string }, ageMs: number): string {
  const file = lockFile(root, KEY);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({
      ...holder,
      started: new Date().toISOString(),
      heartbeat: new Date().toISOString(),
      token: "feedfeed",
    }),
  );
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
  return file;
}

test("a second acquire waits until the holder releases, and onWait is told who holds it", async () => {
  const root = freshRoot();
  const first = await acquireLock(root, KEY);
  const info = JSON.parse(fs.readFileSync(first.file, "utf8")) as LockInfo;
  assert.is(info.pid, process.pid);
  assert.is(info.host, os.hostname());
  const waits: LockInfo[] = [];
  let releasedAt = 0;
  const second = acquireLock(root, KEY, { pollMs: 20, onWait: (h) => waits.push(h) }).then((l) => ({
    l,
    at: performance.now(),
  }));
  await sleep(250);
  assert.is(waits.length, 1, "onWait once");
  assert.is(waits[0]!.pid, process.pid);
  assert.is(waits[0]!.token, first.info.token);
  releasedAt = performance.now();
  await first.release();
  const { l, at } = await second;
  assert.ok(at >= releasedAt, `acquired ${at - releasedAt} ms after the release`);
  assert.is(waits.length, 1, "onWait is not called again while waiting");
  assert.is(JSON.parse(fs.readFileSync(l.file, "utf8")).token, l.info.token);
  await l.release();
  assert.not.ok(fs.existsSync(l.file));
});

test("a lock on this host whose heartbeat is older than staleMs is taken over at once", async () => {
  const root = freshRoot();
  fakeLock(root, { pid: process.ppid, host: os.hostname() }, 5_000); // alive, but its heartbeat stopped
  let waited = false;
  const l = await acquireLock(root, KEY, { staleMs: 2_000, onWait: () => (waited = true) });
  assert.not.ok(waited);
  assert.is(l.info.pid, process.pid);
  await l.release();
  // The same lock with a fresh heartbeat is respected.
  fakeLock(root, { pid: 1, host: "elsewhere" }, 0);
  const ac = new AbortController();
  const p = acquireLock(root, KEY, { staleMs: 2_000, pollMs: 20, signal: ac.signal, onWait: () => (waited = true) });
  await sleep(100);
  ac.abort(new Error("gave up"));
  try {
    await p;
    assert.unreachable("should have been aborted");
  } catch (e) {
    assert.is((e as Error).message, "gave up");
  }
  assert.ok(waited);
  assert.is(
    JSON.parse(fs.readFileSync(lockFile(root, KEY), "utf8")).token,
    "feedfeed",
    "the live holder's lock is untouched",
  );
});

test("a lock of a dead process on this host is taken over at once, however fresh", async () => {
  const root = freshRoot();
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
  assert.not.ok(pidAlive(dead));
  fakeLock(root, { pid: dead, host: os.hostname() }, 0);
  const l = await acquireLock(root, KEY, { onWait: () => assert.unreachable("no wait for a dead holder") });
  assert.is(l.info.pid, process.pid);
  await l.release();
});

test("two waiters stealing one stale lock: one gets it, the other waits for its release", async () => {
  for (let round = 0; round < 10; round++) {
    const root = freshRoot();
    fakeLock(root, { pid: 1, host: "elsewhere" }, 24 * 3600_000);
    const order: string[] = [];
    const take = async (name: string) => {
      const l = await acquireLock(root, KEY, { pollMs: 5, staleMs: 30_000 });
      order.push(`${name}+`);
      await sleep(30);
      order.push(`${name}-`);
      await l.release();
    };
    await Promise.all([take("a"), take("b")]);
    // Never both inside: entries alternate acquire/release.
    assert.ok(
      order[0]![1] === "+" && order[1] === order[0]![0] + "-" && order[2]![1] === "+" && order[3]![1] === "-",
      order.join(" "),
    );
    assert.equal(fs.readdirSync(path.join(root, "locks")), [], "no lock or aside file left");
  }
});

test("a steal that finds a fresh lock at the path puts it back", async () => {
  const root = freshRoot();
  const file = fakeLock(root, { pid: 1, host: "elsewhere" }, 24 * 3600_000);
  const stale = (await readLock(file))!;
  fs.rmSync(file); // another waiter stole it ...
  const mine = await acquireLock(root, KEY); // ... and a new holder took the lock
  assert.not.ok(await removeStale(file, stale), "nothing was removed");
  assert.is(JSON.parse(fs.readFileSync(file, "utf8")).token, mine.info.token, "the fresh lock is back in place");
  assert.equal(fs.readdirSync(path.join(root, "locks")), [path.basename(file)]);
  await mine.release();
  assert.not.ok(fs.existsSync(file));
});

test("the holder's heartbeat keeps the lock fresh; release leaves a lock that is no longer ours", async () => {
  const root = freshRoot();
  const l = await acquireLock(root, KEY, { heartbeatMs: 30 });
  const old = new Date(Date.now() - 100_000);
  fs.utimesSync(l.file, old, old);
  await sleep(120);
  assert.ok(Date.now() - fs.statSync(l.file).mtimeMs < 5_000, "heartbeat refreshed the mtime");
  // Someone judged us stale and replaced the file: release must not delete theirs, and we learn we lost it.
  fs.rmSync(l.file);
  fs.writeFileSync(l.file, JSON.stringify({ pid: 1, host: "elsewhere", started: "", token: "theirs" }));
  await sleep(120);
  assert.ok(l.lost);
  await l.release();
  assert.is(JSON.parse(fs.readFileSync(l.file, "utf8")).token, "theirs");
});

test("another host's lock is judged by its heartbeat moving, whatever its clock says", async () => {
  // A live holder whose clock is 5 minutes behind ours: its heartbeat looks 5 minutes old, but moves.
  const root = freshRoot();
  const file = fakeLock(root, { pid: 1, host: "node-b" }, 5 * 60_000);
  const beat = setInterval(() => {
    const t = new Date(Date.now() - 5 * 60_000);
    fs.utimesSync(file, t, t);
  }, 50);
  const ac = new AbortController();
  let waited = false;
  const p = acquireLock(root, KEY, { staleMs: 300, pollMs: 20, signal: ac.signal, onWait: () => (waited = true) });
  await sleep(900); // three times staleMs
  ac.abort(new Error("gave up"));
  await p.then(
    () => assert.unreachable("a live holder's lock was taken"),
    (e: Error) => assert.is(e.message, "gave up"),
  );
  clearInterval(beat);
  assert.ok(waited);
  assert.is(JSON.parse(fs.readFileSync(file, "utf8")).token, "feedfeed");
  // The same holder gone (its heartbeat stops), its clock 5 minutes *ahead*: taken after staleMs of
  // no movement, although its mtime is in our future.
  const ahead = new Date(Date.now() + 5 * 60_000);
  fs.utimesSync(file, ahead, ahead);
  const t0 = Date.now();
  const l = await acquireLock(root, KEY, { staleMs: 300, pollMs: 20 });
  const took = Date.now() - t0;
  assert.ok(took >= 300 && took < 2_000, `taken after ${took} ms`);
  await l.release();
  // A lock left by another host a day ago: at once.
  fakeLock(root, { pid: 1, host: "node-b" }, 24 * 3600_000);
  const t1 = Date.now();
  (await acquireLock(root, KEY, { staleMs: 300, pollMs: 20 })).release();
  assert.ok(Date.now() - t1 < 200);
});

test("removeStaleLocks removes stale and dead-holder locks only", async () => {
  const root = freshRoot();
  fakeLock(root, { pid: 1, host: "elsewhere" }, 24 * 3600_000);
  const live = await acquireLock(root, "cd".repeat(32));
  assert.equal(await removeStaleLocks(root, { dryRun: true }), [`${KEY}.lock`]);
  assert.ok(fs.existsSync(lockFile(root, KEY)));
  assert.equal(await removeStaleLocks(root), [`${KEY}.lock`]);
  assert.equal(fs.readdirSync(path.join(root, "locks")), [`${"cd".repeat(32)}.lock`]);
  await live.release();
});

test("two processes on two hosts racing for one stage: exactly one computes, both end with the same entry", async () => {
  const root = freshRoot(),
    log = path.join(root, "computed.log"),
    barrier = path.join(root, "barrier");
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(log, "");
  const script = path.join(import.meta.dirname, "support-cache-race.ts");
  // as on two hosts (SCDX_HOSTNAME): neither can check the other's pid, only its heartbeat
  const run = (id: string) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", script, root, "stage-x", log, barrier, id], {
      cwd: path.join(import.meta.dirname, "../../.."),
      env: { ...process.env, SCDX_HOSTNAME: `host-${id}` },
    });
  const outs = (await Promise.all([run("p1"), run("p2")])).map(
    (r) => JSON.parse(r.stdout) as { dir: string; computed: boolean; waited: boolean; by: string },
  );
  assert.is(fs.readFileSync(log, "utf8").trim().split("\n").length, 1, "computed once");
  assert.is(outs.filter((o) => o.computed).length, 1);
  assert.is(outs[0]!.dir, outs[1]!.dir);
  assert.is(outs[0]!.by, outs[1]!.by);
  const loser = outs.find((o) => !o.computed)!;
  assert.ok(loser.waited, "the other process waited on the lock (the barrier makes them overlap)");
  assert.is(fs.readFileSync(path.join(outs[0]!.dir, "result.txt"), "utf8"), `computed by ${outs[0]!.by}`);
  assert.equal(fs.readdirSync(path.join(root, "locks")), []);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
