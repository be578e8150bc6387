// What a cache entry says about itself: the key's inputs (with why each one is keyed), the
// checksums of its files and what the stage wanted to remember. A manifest is written last, so an
// entry with a readable manifest whose files match it is complete; anything else is damaged.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { canonicalJson, type Json } from "../../core/ir.ts";

/** One input of a cache key. `why` documents it (shown by `scdx why`, stored in the manifest) and is not hashed. */
export interface KeyField {
  readonly value: Json;
  readonly why: string;
}
export type KeyFields = Readonly<Record<string, KeyField>>;

export interface FileRecord {
  readonly size: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly format: 1;
  readonly key: string;
  readonly fields: KeyFields;
  /** ISO time the entry was completed. */
  readonly created: string;
  /** scdx version that wrote it (informative: the runtime keys on it through `fields`). */
  readonly scdx?: string;
  readonly host: string;
  /** Seconds the stage took to produce the entry. */
  readonly seconds?: number;
  /** Entry-relative paths with '/' separators (subfolders allowed). */
  readonly files: Readonly<Record<string, FileRecord>>;
  /** Stage-provided: name, kind, metrics… */
  readonly meta: Json;
  /** sha256 of the canonical JSON of everything above: a bench's metrics live in `meta`, so the
   * manifest must be verified like the files it lists. */
  readonly digest: string;
}

export const MANIFEST = "manifest.json";

const HEX64 = /^[0-9a-f]{64}$/;

export function isCacheKey(s: string): boolean {
  return HEX64.test(s);
}

/** sha256 hex of the canonical JSON of the fields' values. */
export function cacheKey(fields: KeyFields): string {
  const values: Record<string, Json> = {};
  for (const [name, f] of Object.entries(fields)) values[name] = f.value;
  return createHash("sha256").update(canonicalJson(values)).digest("hex");
}

let versionMemo: string | undefined;
/** The version in scdx's package.json. */
export function scdxVersion(): string {
  versionMemo ??= (
    JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return versionMemo;
}

/** A path a manifest may name: relative, inside the entry, not the manifest itself. */
function safeRelPath(p: string): boolean {
  if (p === "" || p === MANIFEST || p.startsWith("/") || p.includes("\\") || p.includes("\0")) return false;
  return p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses and checks a manifest's shape and that its fields hash to `key`; returns the problem or the manifest. */
/** The manifest's own checksum: over its canonical JSON without the digest. */
export function manifestDigest(m: Omit<Manifest, "digest">): string {
  const { digest: _, ...rest } = m as Manifest;
  return createHash("sha256")
    .update(canonicalJson(rest as unknown as Json))
    .digest("hex");
}

export function parseManifest(text: string, key: string): Manifest | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    return `manifest.json is not JSON (${(e as Error).message})`;
  }
  if (!isObj(m)) return "manifest.json is not an object";
  if (m["format"] !== 1) return `manifest.json has format ${JSON.stringify(m["format"])}, expected 1`;
  if (m["key"] !== key) return `manifest.json names key ${String(m["key"]).slice(0, 12)}…, not this entry's`;
  if (typeof m["created"] !== "string" || typeof m["host"] !== "string") return "manifest.json lacks created/host";
  const fields = m["fields"],
    files = m["files"];
  if (!isObj(fields) || !Object.values(fields).every((f) => isObj(f) && "value" in f && typeof f["why"] === "string"))
    return "manifest.json has malformed key fields";
  // The key fields are the entry's identity: if they do not hash to the key, the entry is not what it claims to be.
  if (cacheKey(fields as unknown as KeyFields) !== key) return "manifest.json's key fields do not hash to its key";
  if (!isObj(files)) return "manifest.json has no file list";
  for (const [p, r] of Object.entries(files)) {
    if (!safeRelPath(p)) return `manifest.json names an unsafe path \`${p}\``;
    if (
      !isObj(r) ||
      !Number.isSafeInteger(r["size"]) ||
      (r["size"] as number) < 0 ||
      typeof r["sha256"] !== "string" ||
      !HEX64.test(r["sha256"])
    ) {
      return `manifest.json has a malformed record for \`${p}\``;
    }
  }
  if (m["digest"] !== manifestDigest(m as unknown as Manifest))
    return "manifest.json does not match its own digest (edited or damaged)";
  return m as unknown as Manifest;
}

/** Streams a file through sha256; returns the digest and the bytes read. */
export async function hashFile(file: string): Promise<FileRecord> {
  const h = createHash("sha256");
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: h.digest("hex") };
}

/** Regular files under dir, as '/'-separated relative paths, sorted. Links and devices are refused:
 * an entry must be self-contained bytes, or its checksums would not mean anything. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const d of await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(r);
      else if (d.isFile()) out.push(r);
      else throw new Error(`cache entries hold regular files only; \`${r}\` is not one`);
    }
  };
  await walk("");
  return out.sort();
}

// Hashes verified in this process, by file identity and times: a study that reads one entry
// several times re-hashes it once. Any write changes ctime, which utimes cannot set back.
const verified = new Map<string, { stamp: string; sha256: string }>();
const stampOf = (st: fs.Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

/** Why a file of an entry does not match its record, or undefined when it does. */
export async function checkFile(
  file: string,
  rel: string,
  want: FileRecord,
  memo: boolean,
): Promise<string | undefined> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch {
    return `\`${rel}\` is missing`;
  }
  if (!st.isFile()) return `\`${rel}\` is not a regular file`;
  if (st.size !== want.size) return `\`${rel}\` has ${st.size} bytes, the manifest says ${want.size}`;
  const stamp = stampOf(st);
  const m = verified.get(file);
  if (memo && m && m.stamp === stamp && m.sha256 === want.sha256) return undefined;
  const got = await hashFile(file).catch(() => undefined);
  if (!got) return `\`${rel}\` cannot be read`;
  if (got.sha256 !== want.sha256 || got.size !== want.size) return `\`${rel}\` does not match its checksum`;
  verified.set(file, { stamp, sha256: got.sha256 });
  return undefined;
}

export async function fsyncPath(p: string): Promise<void> {
  const h = await fs.promises.open(p, "r");
  try {
    await h.sync();
  } catch (e) {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
    if ((e as NodeJS.ErrnoException).code !== "EINVAL" && (e as NodeJS.ErrnoException).code !== "EISDIR") throw e;
  } finally {
    await h.close();
  }
}

/** Bytes of the files under dir (for entries whose manifest cannot say). */
export async function duBytes(dir: string): Promise<number> {
  const rels = await listFiles(dir).catch(() => [] as string[]);
  let n = 0;
  for (const r of rels) n += (await fs.promises.stat(path.join(dir, r)).catch(() => undefined))?.size ?? 0;
  return n;
}
