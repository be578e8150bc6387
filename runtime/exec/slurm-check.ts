// Slurm's own verdict on a run's job arguments before anything is written or submitted: an unknown
// partition, a malformed time, an impossible resource request or a bad account is a usage error
// in Slurm's words (`sbatch --test-only`), not a queue of jobs that fail one by one.

/** Undefined when Slurm would accept a job with these arguments; else what it said. */
export async function checkSbatchArgs(sbatchArgs: readonly string[]): Promise<string | undefined> {
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
