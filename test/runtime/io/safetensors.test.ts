import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../../runtime/io/dtype';
import { readSafetensors, writeSafetensors } from '../../../runtime/io/safetensors';

function fileWithHeader(header: object, dataBytes: number, pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(Buffer.from(json), 8);
  return out;
}

describe('safetensors', () => {
  it('writes the reference test vector byte for byte', () => {
    // tensor.rs::test_serialization: "attn.0", F32 [1,2,3], values 0..5 → 64-byte header, 24 data bytes.
    const bytes = writeSafetensors({ 'attn.0': { shape: [1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) } }, { metadata: null });
    expect(Array.from(bytes.slice(0, 8))).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(Buffer.from(bytes.slice(8, 72)).toString()).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
    expect(bytes.length).toBe(8 + 64 + 24);
    const empty = writeSafetensors({}, { metadata: null });
    expect(Buffer.from(empty).toString('latin1')).toBe('\x08\x00\x00\x00\x00\x00\x00\x00{}      ');
  });

  it('round-trips F32 exactly, F16 and BF16 within their precision, ints as I32, with HF metadata', () => {
    const data = Float32Array.from([0, -1.5, 3.14159, 65504, 1e-5, -2.5e-8]);
    const f32 = readSafetensors(writeSafetensors({ w: { shape: [2, 3], data }, ids: { shape: [2], data: Int32Array.from([7, -3]) } }));
    expect(Array.from(f32.tensors.get('w')!.data)).toEqual(Array.from(data));
    expect(f32.tensors.get('ids')).toEqual({ dtype: 'I32', shape: [2], data: Int32Array.from([7, -3]) });
    expect(f32.metadata).toEqual({ format: 'pt' });
    const f16 = readSafetensors(writeSafetensors({ w: { shape: [6], data } }, { dtype: 'F16' })).tensors.get('w')!;
    expect(f16.dtype).toBe('F16');
    data.forEach((x, i) => expect(Math.abs(f16.data[i] - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 6e-8)));
    const bf16 = readSafetensors(writeSafetensors({ w: { shape: [6], data } }, { dtype: 'BF16' })).tensors.get('w')!;
    data.forEach((x, i) => expect(Math.abs(bf16.data[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8));
  });

  it('converts half precision with round-to-nearest-even, subnormals, infinities and NaN', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds to +Inf
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(bf16BitsToF32(f32ToBf16Bits(-Infinity))).toBe(-Infinity);
  });

  const good = () => writeSafetensors({ a: { shape: [2], data: Float32Array.from([1, 2]) }, b: { shape: [1], data: Float32Array.from([3]) } });
  it.each([
    ['shorter than 8 bytes', () => new Uint8Array(4), /shorter than the 8-byte header length/],
    ['header past the end', () => good().slice(0, 20), /runs past the end/],
    ['truncated data', () => good().slice(0, good().length - 2), /truncated/],
    ['trailing bytes', () => Uint8Array.from([...good(), 0, 0, 0, 0]), /trailing bytes/],
    ['overlapping offsets', () => fileWithHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /tensor "b" has offsets \[4, 8\] but data should continue at 8/],
    ['a gap', () => fileWithHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /tensor "a" has offsets \[4, 8\]/],
    ['wrong byte length', () => fileWithHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /tensor "a" \(F32 \[3\]\) needs 12 bytes but its offsets span 8/],
    ['duplicate key', () => Uint8Array.from([...fileWithHeader({}, 0).slice(0, 0), ...(() => { const j = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'; const o = new Uint8Array(8 + j.length + 4); new DataView(o.buffer).setBigUint64(0, BigInt(j.length), true); o.set(Buffer.from(j), 8); return o; })()]), /tensor "a" appears twice/],
    ['unknown dtype', () => fileWithHeader({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), /unsupported dtype "F8_E4M3"/],
    ['negative dimension', () => fileWithHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape \[-1\]/],
    ['non-string metadata', () => fileWithHeader({ __metadata__: { format: 1 } }, 0), /__metadata__ value of "format" is not a string/],
    ['invalid JSON', () => fileWithHeader({}, 0).fill(120, 8, 10), /not valid JSON/],
  ])('refuses a file with %s, naming the problem', (_, make, error) => {
    expect(() => readSafetensors(make(), 'model.safetensors')).toThrow(error);
  });
});
