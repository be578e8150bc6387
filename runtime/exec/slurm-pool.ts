// Stages as Slurm jobs, behind the same StagePool surface as the local worker processes, so the
// executor — cache lookups, locks, dedup, events — is the same code for both. Each stage the cache
// lacks becomes one `sbatch` of the worker in `--job FILE` mode: the job reads its job file and
// appends its messages to FILE.events, which this pool follows. A job that ends without a result
// (a crash, an OOM kill, `scancel` by someone else, a time limit) is reported as that stage failing,
// with the Slurm job id, its state and the tail of its log; a job warned of its time limit or of
// preemption (SIGUSR1) checkpoints and is submitted again, resuming. First version: stages are
// submitted when their inputs are done (the driver stays up); whole-DAG submission with afterok
// and detach come next (issue 12).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { FromWorker, WorkerJob } from "./worker.ts";
import type { StagePool } from "./worker-pool.ts";

type Result = Extract<FromWorker, { type: "result" }>;

const BOOT = fileURLToPath(new URL("./worker-boot.mjs", import.meta.url));
const POLL_MS = 250;
/** Seconds of warning before a time limit (`--signal=B:USR1@…`): time to write a checkpoint. */
const WARN_SECONDS = 90;
const MAX_REQUEUES = 5;

export interface SlurmOptions {
  /** Folder for job files, events and logs (the run directory's slurm/). */
  readonly dir: string;
  readonly backend: string;
  readonly keyed: string;
  readonly threads: number;
  /** Raw sbatch arguments (partition, time, account…), before the script. */
  readonly sbatchArgs: readonly string[];
  /** Jobs in flight at most. */
  readonly size: number;
  /** Resubmissions of a job that ended without a result (node failure, OOM kill…); 0 by default. */
  readonly retries?: number;
}

export class SlurmPool implements StagePool {
  readonly size: number;
  private readonly jobs = new Set<string>();
  private stopped = false;
  private nextId = 1;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly o: SlurmOptions) {
    this.size = o.size;
    mkdirSync(o.dir, { recursive: true });
  }

  /**
   * Asks Slurm whether it would accept a job with these arguments (`sbatch --test-only`): an unknown
   * partition, a malformed time or a bad account is an error before anything is submitted, in
   * Slurm's own words. Undefined when fine.
   */
  static async check(sbatchArgs: readonly string[]): Promise<string | undefined> {
    const { execa } = await import("execa");
    const r = await execa("sbatch", ["--test-only", ...sbatchArgs, "--wrap", "true"], { reject: false });
    if ((r as { code?: string }).code === "ENOENT" || r.exitCode === undefined)
      return "sbatch is not on PATH: --executor slurm needs the Slurm client commands (and SLURM_CONF or /etc/slurm)";
    if (r.exitCode === 0) return undefined;
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("sbatch: error:"));
    return (
      (lines.length ? lines.map((l) => l.replace(/^sbatch: error: /, "")).join("; ") : r.stderr.trim()) ||
      `sbatch --test-only exited ${r.exitCode}`
    );
  }

  async run(
    prepare: () => Promise<Omit<WorkerJob, "id"> | undefined>,
    on: (m: FromWorker, worker: number) => void,
  ): Promise<Result | undefined> {
    while (this.running >= this.size && !this.stopped) await new Promise<void>((r) => this.waiting.push(r));
    if (this.stopped) return undefined;
    this.running++;
    try {
      const id = this.nextId++;
      const job = await prepare();
      if (!job || this.stopped) return undefined;
      const base = path.join(this.o.dir, job.key.slice(0, 16));
      const file = `${base}.job.json`;
      writeFileSync(file, JSON.stringify({ ...job, id }));
      const { execa } = await import("execa");
      // A job warned of its time limit or preemption checkpoints and ends; it is submitted again and
      // resumes from the checkpoint, up to MAX_REQUEUES times.
      let retries = 0;
      for (let attempt = 0; ; attempt++) {
        writeFileSync(`${file}.events`, "");
        const sub = await execa(
          "sbatch",
          [
            "--parsable",
            "-J",
            `scdx-${job.node.origin.name}-${job.key.slice(0, 8)}`,
            "-o",
            `${base}.log`,
            "--open-mode=append",
            "--cpus-per-task",
            String(this.o.threads + (job.batchThreads > 0 ? 1 : 0)),
            `--signal=B:USR1@${WARN_SECONDS}`,
            ...this.o.sbatchArgs,
            "--wrap",
            `exec ${process.execPath} ${BOOT} --job ${file}`,
          ],
          {
            reject: false,
            env: {
              SCDX_WORKER_BACKEND: this.o.backend,
              SCDX_WORKER_KEYED: this.o.keyed,
              SCDX_THREADS: String(this.o.threads),
            },
          },
        );
        if (sub.exitCode !== 0)
          return {
            type: "result",
            id,
            ok: false,
            interrupted: false,
            message: `sbatch refused the job: ${sub.stderr.trim()}`,
          };
        const jobId = sub.stdout.trim().split(";")[0]!;
        writeFileSync(`${base}.jobid`, `${jobId}\n`); // for `scdx status`
        this.jobs.add(jobId);
        let r: Result;
        try {
          r = await this.follow(jobId, `${file}.events`, `${base}.log`, id, on);
        } finally {
          this.jobs.delete(jobId);
        }
        if (r.ok || this.stopped) return r;
        if (r.lost && retries < (this.o.retries ?? 0)) {
          retries++; // a crashed job: submit it again (it resumes from its last checkpoint, if any)
          continue;
        }
        if (!r.preempted) return r;
        if (attempt >= MAX_REQUEUES)
          return {
            ...r,
            interrupted: false,
            message: `Slurm ended job ${jobId} at its time limit ${attempt + 1} times: ${r.message}`,
          };
      }
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Tails the job's messages until its result, or until Slurm says it ended without one. */
  private async follow(
    jobId: string,
    events: string,
    log: string,
    id: number,
    on: (m: FromWorker, worker: number) => void,
  ): Promise<Result> {
    const { execa } = await import("execa");
    let offset = 0,
      ended: string | undefined,
      grace = 0;
    for (;;) {
      const text = existsSync(events) ? readFileSync(events, "utf8") : "";
      const lines = text.slice(offset).split("\n");
      const complete = lines.slice(0, -1); // a line still being written stays for the next poll
      offset += complete.reduce((n, l) => n + l.length + 1, 0);
      for (const line of complete) {
        if (!line.trim()) continue;
        const m = JSON.parse(line) as FromWorker;
        if (m.type === "result" && m.id === id) {
          if (m.ok || !m.interrupted || this.stopped || m.preempted) return m; // preempted: run() requeues
          // interrupted without our asking: Slurm or someone else ended the job (scancel, a limit)
          const q = await execa("squeue", ["-h", "-t", "all", "-j", jobId, "-o", "%T"], { reject: false });
          const state = q.stdout.trim() || "state unknown";
          return {
            ...m,
            interrupted: false,
            message: `Slurm job ${jobId} was ended by Slurm or someone else (${state}) and checkpointed first: the same command resumes it (${m.message})`,
          };
        }
        if (m.type === "result" && m.id === -1 && !m.ok) ended ??= m.message;
        else if (m.type !== "ready" && m.type !== "result") on(m, Number(jobId));
      }
      if (ended !== undefined || grace > 0) {
        // the job is gone: give its last lines a few polls to land, then report what we know
        if (++grace > 8) return this.lost(jobId, log, id, ended ?? "");
      } else {
        const q = await execa("squeue", ["-h", "-t", "all", "-j", jobId, "-o", "%T|%r"], { reject: false });
        const [state] = q.stdout.trim().split("|");
        if (q.exitCode === 0 && state && !["PENDING", "RUNNING", "CONFIGURING", "COMPLETING"].includes(state))
          ended = `${state}`;
        if (q.exitCode === 0 && !state) ended = "no longer known to squeue";
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private lost(jobId: string, log: string, id: number, state: string): Result {
    const tail = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").slice(-6).join("\n") : "";
    return {
      type: "result",
      id,
      ok: false,
      interrupted: this.stopped,
      message: `Slurm job ${jobId} ended without a result (${state})${tail ? `; its log (${log}) ends:\n${tail}` : ""}`,
      lost: true,
    };
  }

  /** Asks running jobs to checkpoint (SIGINT to the worker), then their results arrive as interrupted. */
  stop(): void {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) w();
    if (this.jobs.size)
      void import("execa").then(({ execa }) =>
        execa("scancel", ["--signal=INT", "--full", ...this.jobs], { reject: false }),
      );
  }

  kill(): void {
    this.stopped = true;
    if (this.jobs.size) void import("execa").then(({ execa }) => execa("scancel", [...this.jobs], { reject: false }));
  }

  async close(): Promise<void> {}
}
