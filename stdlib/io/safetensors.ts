// The safetensors format (https://huggingface.co/docs/safetensors): u64 LE header length, a JSON
// header {name: {dtype, shape, data_offsets}, __metadata__?}, then raw little-endian bytes. We read
// it ourselves (no maintained npm reader exists, notes/tfjs.md §7) and never load pickles.
import { readFileSync, writeFileSync, renameSync } from "node:fs";

export type DType = "F32" | "F16" | "BF16" | "I64" | "I32" | "U8" | "BOOL";

/** A decoded tensor: floats become Float32Array, integers Int32Array (I64 narrowed, checked). */
export interface RawTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
}

export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const BYTES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };
/** A header over 100 MB is not a real checkpoint's; refusing it bounds what a bad file can make us allocate. */
export const MAX_HEADER = 100 * 1024 * 1024;

export interface Safetensors {
  readonly tensors: ReadonlyMap<string, RawTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

export function readSafetensors(file: string): Safetensors {
  return parseSafetensors(readFileSync(file), file);
}

export function parseSafetensors(buf: Uint8Array, file = "<buffer>"): Safetensors {
  const fail = (m: string): never => {
    throw new SafetensorsError(file, m);
  };
  if (buf.byteLength < 8) fail(`too short to be safetensors (${buf.byteLength} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > buf.byteLength)
    fail(`header length ${headerLen} runs past the end of the file (${buf.byteLength} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const dataStart = 8 + headerLen,
    dataLen = buf.byteLength - dataStart;
  const tensors = new Map<string, RawTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) fail(`entry '${name}' is not an object`);
    const dtype = e.dtype as DType;
    if (!(dtype in BYTES))
      fail(
        `tensor '${name}' has unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(BYTES).join(", ")})`,
      );
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`tensor '${name}' has a malformed shape ${JSON.stringify(shape)}`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0))
      fail(`tensor '${name}' has malformed data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLen)
      fail(`tensor '${name}' data_offsets [${begin}, ${end}] lie outside the ${dataLen}-byte data section`);
    if (end - begin !== count * BYTES[dtype])
      fail(
        `tensor '${name}' has ${end - begin} bytes, but ${dtype}${JSON.stringify(shape)} needs ${count * BYTES[dtype]}`,
      );
    spans.push([begin, end, name]);
    // Copy: a view into Node's pooled Buffer may be misaligned and alias other data (tfjs.md §7).
    const bytes = new Uint8Array(buf.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype, shape: shape as number[], data: decode(bytes, dtype, count, name, fail) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++)
    if (spans[i]![0] < spans[i - 1]![1]) fail(`tensors '${spans[i - 1]![2]}' and '${spans[i]![2]}' overlap`);
  return { tensors, metadata };
}

function decode(
  bytes: Uint8Array,
  dtype: DType,
  count: number,
  name: string,
  fail: (m: string) => never,
): RawTensor["data"] {
  const dv = new DataView(bytes.buffer);
  switch (dtype) {
    case "F32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return out;
    }
    case "BF16": {
      const out = new Float32Array(count),
        u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(i * 2, true) << 16;
      return out;
    }
    case "I64": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n)
          fail(`tensor '${name}' holds ${v} at index ${i}, outside the int32 range tfjs supports`);
        out[i] = Number(v);
      }
      return out;
    }
    case "I32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    }
    case "U8":
    case "BOOL":
      return bytes;
  }
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function floatToHalf(f: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, f, true);
  const x = buf.getUint32(0, true),
    s = (x >>> 16) & 0x8000,
    e = (x >>> 23) & 0xff,
    m = x & 0x7fffff;
  if (e === 0xff) return s | 0x7c00 | (m ? 0x200 : 0);
  const ee = e - 127 + 15;
  if (ee >= 31) return s | 0x7c00;
  if (ee <= 0) {
    if (ee < -10) return s;
    const mm = (m | 0x800000) >> (1 - ee);
    return s | ((mm + 0x1000 + ((mm >> 13) & 1) - 1) >> 13);
  }
  const r = m + 0xfff + ((m >> 13) & 1); // round half to even
  return r & 0x800000 ? s | ((ee + 1) << 10) : s | (ee << 10) | (r >> 13);
}

export interface TensorToWrite {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Encode tensors (sorted by name, as the Python library does) with an 8-byte-aligned header. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) header["__metadata__"] = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count)
      throw new Error(`tensor '${name}': ${t.data.length} values for shape ${JSON.stringify(t.shape)}`);
    const len = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += " ";
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      switch (t.dtype) {
        case "F32":
          dv.setFloat32(p, v, true);
          p += 4;
          break;
        case "F16":
          dv.setUint16(p, floatToHalf(v), true);
          p += 2;
          break;
        case "BF16": {
          // round to nearest even, as torch does
          const u = new Uint32Array(new Float32Array([v]).buffer)[0]!;
          dv.setUint16(p, Number.isNaN(v) ? 0x7fc0 : ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff, true);
          p += 2;
          break;
        }
        case "I64":
          dv.setBigInt64(p, BigInt(Math.trunc(v)), true);
          p += 8;
          break;
        case "I32":
          dv.setInt32(p, v, true);
          p += 4;
          break;
        case "U8":
        case "BOOL":
          dv.setUint8(p, v);
          p += 1;
          break;
      }
    }
  }
  return out;
}

/** Write atomically: a crash mid-write leaves the old file, never a truncated one. */
export function writeSafetensors(
  file: string,
  tensors: Readonly<Record<string, TensorToWrite>>,
  metadata?: Record<string, string>,
): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeSafetensors(tensors, metadata));
  renameSync(tmp, file);
}
