// Run the CLI in-process as a user would from the repository root, capturing its output.
import { main } from "../../runtime/cli/main.ts";
import { repoRoot } from "./golden.ts";

export async function scdx(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "",
    err = "";
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    const code = await main(argv, {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      color: false,
      cwd: repoRoot,
    });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}
