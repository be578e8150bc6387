// `scdx doctor`: the backend a run would use, its cache-key name, the thread policy, and a working check.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NATIVE_UNAVAILABLE } from "../../support/backends.ts";
import { scdx } from "../../support/cli.ts";

test("doctor --json names the default backend, its keyed name and BLAS, and checks it", async () => {
  const r = await scdx("doctor", "--json", "--threads", "2", "--jobs", "1");
  assert.is(r.code, 0, r.err + r.out);
  const j = JSON.parse(r.out) as {
    backend: string;
    keyedAs: string;
    note?: string;
    blas?: { library: string; threads: number };
    threads: { jobs: number; blasThreads: number };
    check: string;
  };
  assert.is(j.check, "ok");
  assert.equal([j.threads.jobs, j.threads.blasThreads], [1, 2]);
  if (NATIVE_UNAVAILABLE) {
    assert.is(j.keyedAs, j.backend);
    assert.match(j.note ?? "", NATIVE_UNAVAILABLE);
  } else {
    assert.is(j.keyedAs, "native/kernels-1/threads-2");
    assert.match(j.blas!.library, /^OpenBLAS \d/);
    assert.is(j.blas!.threads, 2);
  }
});

test("doctor: bad --threads is a usage error", async () => {
  const r = await scdx("doctor", "--threads", "0");
  assert.is(r.code, 2);
});

test("run --backend native where native cannot run: a usage error with the reason, nothing runs", async () => {
  process.env["SCDX_NATIVE"] = "off";
  try {
    const r = await scdx("run", "examples/shapes/ci.scd", "--backend", "native", "--dry-run");
    assert.is(r.code, 2);
    assert.match(r.err, "the native backend cannot run here: turned off by SCDX_NATIVE=off (use --backend wasm)");
  } finally {
    delete process.env["SCDX_NATIVE"];
  }
});

test.run();
