// safetensors: round trips for every dtype, and each malformed-file check. Reading files written
// by Python (test/reference/common.py) is exercised by every parity test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  encodeSafetensors,
  floatToHalf,
  halfToFloat,
  parseSafetensors,
  SafetensorsError,
} from "../../stdlib/io/safetensors.ts";

test("F32, F16, BF16, I64, I32, U8 round-trip with the header padded to 8 bytes", () => {
  const buf = encodeSafetensors(
    {
      a: { dtype: "F32", shape: [2, 2], data: [1.5, -2, 3.25, 1e-8] },
      h: { dtype: "F16", shape: [3], data: [0.5, -65504, 6.1035156e-5] },
      b: { dtype: "BF16", shape: [2], data: [1, -3.140625] },
      i: { dtype: "I64", shape: [2], data: [-7, 2147483647] },
      j: { dtype: "I32", shape: [1], data: [42] },
      u: { dtype: "U8", shape: [2], data: [0, 255] },
    },
    { format: "pt" },
  );
  const headerLen = Number(new DataView(buf.buffer).getBigUint64(0, true));
  assert.is((8 + headerLen) % 8, 0);
  const st = parseSafetensors(buf);
  assert.equal(st.metadata, { format: "pt" });
  assert.equal(Array.from(st.tensors.get("a")!.data), Array.from(new Float32Array([1.5, -2, 3.25, 1e-8])));
  assert.equal(st.tensors.get("a")!.shape, [2, 2]);
  assert.equal(Array.from(st.tensors.get("h")!.data), [0.5, -65504, 6.103515625e-5]);
  assert.equal(Array.from(st.tensors.get("b")!.data), [1, -3.140625]);
  assert.equal(Array.from(st.tensors.get("i")!.data), [-7, 2147483647]);
  assert.equal(Array.from(st.tensors.get("j")!.data), [42]);
  assert.equal(Array.from(st.tensors.get("u")!.data), [0, 255]);
});

test("half precision conversion: subnormals, infinities, round-to-even", () => {
  for (const v of [0, 1, -1, 65504, 2 ** -24, 2 ** -14, 0.1, Infinity, -Infinity]) {
    const back = halfToFloat(floatToHalf(v));
    assert.ok(v === 0 ? back === 0 : Math.abs(back - v) <= Math.abs(v) * 2 ** -11 || back === v, `${v} → ${back}`);
  }
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
  assert.is(halfToFloat(floatToHalf(70000)), Infinity);
});

function withHeader(header: object, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const bad: [string, Uint8Array, RegExp][] = [
  ["too short", new Uint8Array(4), /too short/],
  [
    "header past the end",
    (() => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setBigUint64(0, 1000n, true);
      return b;
    })(),
    /runs past the end/,
  ],
  [
    "huge header",
    (() => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
      return b;
    })(),
    /exceeds the .* limit/,
  ],
  [
    "not JSON",
    (() => {
      const b = new Uint8Array(11);
      new DataView(b.buffer).setBigUint64(0, 3n, true);
      b.set([123, 120, 125], 8);
      return b;
    })(),
    /not JSON/,
  ],
  [
    "unknown dtype",
    withHeader({ t: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, 8),
    /unsupported dtype "F64"/,
  ],
  [
    "offsets outside",
    withHeader({ t: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 4),
    /lie outside the 4-byte data section/,
  ],
  [
    "size mismatch",
    withHeader({ t: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8),
    /has 8 bytes, but F32\[3\] needs 12/,
  ],
  [
    "overlap",
    withHeader(
      { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } },
      8,
    ),
    /overlap/,
  ],
  ["bad shape", withHeader({ t: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4), /malformed shape/],
  [
    "I64 beyond int32",
    (() => {
      const b = withHeader({ t: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, 8);
      new DataView(b.buffer).setBigInt64(b.length - 8, 1n << 40n, true);
      return b;
    })(),
    /outside the int32 range/,
  ],
];
for (const [what, buf, re] of bad) {
  test(`rejects a file with ${what}, naming the file`, () => {
    try {
      parseSafetensors(buf, "ckpt/model.safetensors");
      assert.unreachable();
    } catch (e) {
      assert.instance(e, SafetensorsError);
      assert.match((e as Error).message, /^ckpt\/model\.safetensors: /);
      assert.match((e as Error).message, re);
    }
  });
}

test.run();
