// `scdx doctor`: which backend a run here would use and why, the BLAS library and its CPU kernels,
// and how threads would be spent — then a real check that the backend starts and multiplies
// correctly. The first thing to run when training is slower than expected.
import { chooseBackendWithReason, chooseThreads } from "../plan/session.ts";
import { threadPolicy } from "../exec/thread-policy.ts";
import { keyedBackend } from "../../stdlib/tensor/backend-name.ts";
import { EXIT, parseCommandArgs, UsageError, type Command } from "./command.ts";

export const doctor: Command = {
  name: "doctor",
  help: `Usage: scdx doctor [--backend B] [--threads N] [--jobs N] [--json]

Prints the backend \`scdx run\` would choose here (and why a faster one was passed over), the name
cache keys give it, the BLAS library and the CPU kernels it picked, and the thread policy: CPUs
(SLURM_CPUS_PER_TASK if set, else the machine's), BLAS threads per worker, worker processes and
region-batch threads. Then starts the backend and checks a matMul against a plain JS product.

Options:
  --backend B    check this backend instead of the default (tensorflow, native, wasm, cpu)
  --threads N    BLAS threads per worker (default: SCDX_THREADS, else 1)
  --jobs N       worker processes, as \`scdx run --jobs\`
  --json         print the findings as JSON
  -h, --help     show this help

Exit codes: 0 the backend works, 1 it did not start or computed wrong results, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      backend: { type: "string" },
      threads: { type: "string" },
      jobs: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.out(doctor.help + "\n");
      return EXIT.ok;
    }
    if (positionals.length) throw new UsageError(`unexpected argument \`${positionals[0]}\``);
    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1))
      throw new UsageError(`--jobs must be a positive whole number, got \`${values.jobs}\``);
    const choice = chooseBackendWithReason(values.backend);
    const threads = chooseThreads(values.threads);
    const policy = threadPolicy({
      blasThreads: threads,
      ...(jobs !== undefined && { jobs }),
      stages: Number.POSITIVE_INFINITY,
      oneProcess: choice.name === "tensorflow",
    });
    const report: Record<string, unknown> = {
      backend: choice.name,
      keyedAs: keyedBackend(choice.name, threads),
      ...(choice.note && { note: choice.note }),
      threads: policy,
    };
    const { initBackend } = await import("../../stdlib/tensor/backend.ts");
    let ok = true;
    try {
      const info = await initBackend(choice.name, { threads });
      if (info.blas) report["blas"] = info.blas;
      report["tfjs"] = info.tfjsVersion;
      report["check"] = await matMulCheck();
      ok = report["check"] === "ok";
    } catch (e) {
      ok = false;
      report["check"] = `the backend did not start: ${(e as Error).message}`;
    }
    if (values.json) io.out(JSON.stringify(report, null, 2) + "\n");
    else {
      const p = policy;
      const blas = report["blas"] as { library: string; core: string; threads: number } | undefined;
      io.out(
        [
          `backend      ${choice.name} (cache keys: ${report["keyedAs"]})`,
          ...(choice.note ? [`             ${choice.note}`] : []),
          ...(blas ? [`blas         ${blas.library}, ${blas.core} kernels, ${blas.threads} thread(s) per worker`] : []),
          `cpus         ${p.cpus} (${p.cpusFrom === "machine" ? "this machine" : "SLURM_CPUS_PER_TASK"})`,
          `workers      up to ${p.jobs} (--jobs), each ${p.blasThreads} BLAS thread(s) + ${p.batchThreads} region-batch thread(s)`,
          `check        ${report["check"]}`,
        ].join("\n") + "\n",
      );
    }
    return ok ? EXIT.ok : EXIT.errors;
  },
};

/** A 33×47 · 47×29 product on the backend against float64 loops. */
async function matMulCheck(): Promise<string> {
  const tf = await import("@tensorflow/tfjs");
  const m = 33,
    k = 47,
    n = 29;
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)),
    b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
  const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[i * k + q]! * b[q * n + j]!;
      worst = Math.max(worst, Math.abs(got[i * n + j]! - s));
    }
  return worst < 1e-4 ? "ok" : `a matMul is off by ${worst.toExponential(2)}`;
}
