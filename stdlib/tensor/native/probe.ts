// Whether this machine can run the native backend, decided without loading tfjs, koffi or any
// library: the driver keys a run's results for a backend before a worker starts, and a fully cached
// rerun must stay as cheap as reading its manifests. A worker then loads the real thing and fails
// with the reason if this guess was wrong; it never silently falls back.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fusedLibraryUnsupported } from "./fused-library.ts";
import { OPENBLAS_SONAME } from "./openblas.ts";

/** Directories the dynamic loader searches (LD_LIBRARY_PATH, ld.so.conf, the defaults). */
function loaderDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs = (env["LD_LIBRARY_PATH"] ?? "").split(":").filter(Boolean);
  const conf = (file: string, depth = 0): void => {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return;
    }
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      if (!line) continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc && depth < 4) {
        const pattern = inc[1]!.trim();
        const dir = path.dirname(pattern),
          suffix = path.basename(pattern).replace(/^\*/, "");
        try {
          for (const f of readdirSync(dir).sort()) if (f.endsWith(suffix)) conf(path.join(dir, f), depth + 1);
        } catch {}
      } else if (!inc) dirs.push(line);
    }
  };
  conf("/etc/ld.so.conf");
  const multiarch = process.arch === "x64" ? "x86_64-linux-gnu" : `${process.arch}-linux-gnu`;
  dirs.push(`/lib/${multiarch}`, `/usr/lib/${multiarch}`, "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib");
  return dirs;
}

/** Why `native` cannot run here, or undefined when it should. SCDX_NATIVE=off turns it off. */
export function nativeUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env["SCDX_NATIVE"] === "off") return "turned off by SCDX_NATIVE=off";
  const unsupported = fusedLibraryUnsupported();
  if (unsupported) return unsupported;
  try {
    createRequire(import.meta.url).resolve("koffi");
  } catch {
    return "the koffi package is not installed (run `npm ci`)";
  }
  if (!loaderDirs(env).some((d) => existsSync(path.join(d, OPENBLAS_SONAME))))
    return `${OPENBLAS_SONAME} not found: install libopenblas0 (apt install libopenblas0) for ~4× faster training`;
  return undefined;
}
