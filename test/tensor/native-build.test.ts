// The committed fused-kernel library is what tools/build-native-kernels.sh makes from the committed
// C source, byte for byte: nobody ships a binary that the source does not explain.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FUSED_LIBRARY } from "../../stdlib/tensor/native/fused-library.ts";
import { repoRoot } from "../support/golden.ts";

const gcc = spawnSync("gcc", ["-dumpfullversion"], { encoding: "utf8" });
const wanted = "12.2.0"; // the compiler the committed build came from (Debian 12's)

if (gcc.status !== 0 || gcc.stdout.trim() !== wanted) {
  test(`native kernels: rebuild check needs gcc ${wanted} (found: ${gcc.stdout?.trim() || "none"})`, () => {});
} else {
  test("tools/build-native-kernels.sh reproduces the committed libscdx-kernels.so byte for byte", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "scdx-kernels-"));
    try {
      const out = path.join(dir, "libscdx-kernels.so");
      const r = spawnSync("bash", [path.join(repoRoot, "tools/build-native-kernels.sh"), out], { encoding: "utf8" });
      assert.is(r.status, 0, r.stderr);
      assert.ok(
        readFileSync(out).equals(readFileSync(FUSED_LIBRARY)),
        "the committed library differs from a fresh build: run tools/build-native-kernels.sh and commit it",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
