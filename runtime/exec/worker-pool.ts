// The driver's side of local parallelism: up to `size` worker processes (execa, IPC), started on
// demand and reused across stages. A job's messages are routed to its caller; a worker that dies
// mid-job (out of memory, killed) fails that job with what it last wrote to stderr.
import type { ResultPromise } from "execa";
import { fileURLToPath } from "node:url";
import type { FromWorker, ToWorker, WorkerJob } from "./worker.ts";

type Result = Extract<FromWorker, { type: "result" }>;

interface Slot {
  readonly index: number;
  readonly proc: ResultPromise<{ ipc: true }>;
  readonly ready: Promise<void>;
  busy?: { id: number; on: (m: FromWorker) => void; done: (r: Result) => void };
  stderr: string;
  dead: boolean;
  exit?: string;
}

/** A slot taken by a caller that has not sent its job yet (id −1 matches no worker message). */
const RESERVED: NonNullable<Slot["busy"]> = { id: -1, on: () => {}, done: () => {} };

const BOOT = fileURLToPath(new URL("./worker-boot.mjs", import.meta.url));

// execa is ~130 modules; a fully cached run starts no worker, so it does not load them.
let execa: Promise<typeof import("execa")> | undefined;

/** What the executor needs of whatever runs its stages: local worker processes, or Slurm jobs. */
export interface StagePool {
  /** Stages in flight at most. */
  readonly size: number;
  run(
    prepare: () => Promise<Omit<WorkerJob, "id"> | undefined>,
    on: (m: FromWorker, worker: number) => void,
  ): Promise<Result | undefined>;
  /** Ctrl-C: running stages checkpoint and end as interrupted; nothing new starts. */
  stop(): void;
  /** A second Ctrl-C: end everything now. */
  kill(): void;
  close(): Promise<void>;
}

export class WorkerPool implements StagePool {
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private stopped = false;

  /** `keyed` is the backend as cache keys name it; a worker that cannot provide exactly it fails. */
  constructor(
    readonly size: number,
    private readonly backend: string,
    private readonly threads = 1,
    private readonly keyed = backend,
  ) {}

  /**
   * Runs a job on a free worker (starting one if fewer than `size` exist). `prepare` runs once a
   * worker is ours and returns the job, or undefined when there is nothing to do after all (then
   * the result is undefined too, as it is when the pool was stopped first).
   */
  async run(
    prepare: () => Promise<Omit<WorkerJob, "id"> | undefined>,
    on: (m: FromWorker, worker: number) => void,
  ): Promise<Result | undefined> {
    const slot = await this.acquire();
    if (!slot) return undefined;
    const id = this.nextId++;
    try {
      const job = await prepare();
      if (!job || this.stopped) return undefined;
      await slot.ready;
      return await new Promise<Result>((resolve) => {
        slot.busy = { id, on: (m) => on(m, slot.index), done: resolve };
        if (slot.dead) return resolve(this.deathResult(slot, id));
        void slot.proc.sendMessage({ type: "job", job: { ...job, id } } satisfies ToWorker as never).catch(() => {});
      });
    } finally {
      slot.busy = undefined;
      this.release();
    }
  }

  /** Asks every worker to checkpoint and stop (Ctrl-C); running jobs end as interrupted. */
  stop(): void {
    this.stopped = true;
    for (const s of this.slots)
      if (!s.dead) void s.proc.sendMessage({ type: "stop" } satisfies ToWorker as never).catch(() => {});
    for (const w of this.waiting.splice(0)) w(); // queued callers return undefined: nothing new starts
  }

  async close(): Promise<void> {
    for (const s of this.slots) if (!s.dead) s.proc.disconnect?.();
    await Promise.all(
      this.slots.map((s) =>
        s.proc.then(
          () => undefined,
          () => undefined,
        ),
      ),
    );
  }

  /** Kills the workers without waiting for checkpoints (a second Ctrl-C). */
  kill(): void {
    this.stopped = true;
    for (const s of this.slots) s.proc.kill("SIGKILL");
  }

  private async acquire(): Promise<Slot | undefined> {
    const { execaNode } = await (execa ??= import("execa"));
    for (;;) {
      if (this.stopped) return undefined;
      const free = this.slots.find((s) => !s.busy && !s.dead);
      if (free) {
        free.busy = RESERVED;
        return free;
      }
      const live = this.slots.filter((s) => !s.dead).length;
      if (live < this.size) {
        const s = this.start(execaNode);
        s.busy = RESERVED;
        return s;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(): void {
    this.waiting.shift()?.();
  }

  private start(execaNode: typeof import("execa").execaNode): Slot {
    const proc = execaNode(BOOT, [], {
      ipc: true,
      serialization: "json",
      stdout: "ignore",
      stderr: "pipe",
      buffer: false,
      reject: false,
      env: { SCDX_WORKER_BACKEND: this.backend, SCDX_WORKER_KEYED: this.keyed, SCDX_THREADS: String(this.threads) },
      cleanup: true,
    }) as unknown as ResultPromise<{ ipc: true }>;
    let markReady: () => void = () => {};
    const slot: Slot = {
      index: this.slots.length + 1,
      proc,
      ready: new Promise<void>((r) => {
        markReady = r;
      }),
      stderr: "",
      dead: false,
    };
    proc.stderr?.on("data", (d: Buffer) => {
      slot.stderr = (slot.stderr + d.toString()).slice(-4000);
    });
    void (async () => {
      try {
        for await (const raw of proc.getEachMessage()) {
          const m = raw as unknown as FromWorker;
          if (m.type === "ready") {
            markReady();
            continue;
          }
          if (m.type === "result" && m.id === -1) {
            if (!m.ok) slot.stderr += m.message;
            continue;
          }
          if (!slot.busy || ("id" in m && m.id !== slot.busy.id)) continue;
          if (m.type === "result") slot.busy.done(m);
          else slot.busy.on(m);
        }
      } catch {
        /* the worker exited */
      }
    })();
    void proc.then((r) => {
      slot.exit = r.signal
        ? `killed by ${r.signal}${r.signal === "SIGKILL" ? " (out of memory?)" : ""}`
        : `exit code ${r.exitCode}`;
      slot.dead = true;
      markReady();
      if (slot.busy && slot.busy.id > 0) slot.busy.done(this.deathResult(slot, slot.busy.id));
      this.release();
    });
    this.slots.push(slot);
    return slot;
  }

  private deathResult(slot: Slot, id: number): Result {
    const tail = slot.stderr.trim().split("\n").slice(-6).join("\n");
    return {
      type: "result",
      id,
      ok: false,
      interrupted: this.stopped,
      message: `worker ${slot.index} ended (${slot.exit ?? "exited"})${tail ? `:\n${tail}` : ""}`,
    };
  }
}
