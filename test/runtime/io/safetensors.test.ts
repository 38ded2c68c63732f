// safetensors: the reference byte vector, round trips in every float precision, and a corrupted file per validation rule.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../../runtime/io/dtype';
import { readSafetensors, readSafetensorsCheckpoint, writeSafetensors, writeSafetensorsFile } from '../../../runtime/io/safetensors';

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
    expect(readSafetensors(empty)).toEqual({ tensors: new Map(), metadata: {} });
    expect(readSafetensors(bytes).tensors.get('attn.0')).toEqual({ dtype: 'F32', shape: [1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
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

describe('safetensors edge cases', () => {
  const raw = (json: string, data: number[] = []) => {
    const o = new Uint8Array(8 + Buffer.byteLength(json) + data.length);
    new DataView(o.buffer).setBigUint64(0, BigInt(Buffer.byteLength(json)), true);
    o.set(Buffer.from(json), 8);
    o.set(data, 8 + Buffer.byteLength(json));
    return o;
  };

  it('writes __metadata__ first, dtype-descending then byte-wise name order, 8-byte padded, with I64 on request', () => {
    const bytes = writeSafetensors(
      {
        'z.f': { shape: [1], data: Float32Array.from([1]) },
        'a.f': { shape: [2], data: Float32Array.from([2, 3]) },
        ids: { shape: [3], data: Int32Array.from([1, -2, 2147483647]) },
        'b.f': { shape: [0, 4], data: new Float32Array(0) },
      },
      { intDtype: 'I64' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = Buffer.from(bytes.slice(8, 8 + n)).toString();
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"ids":{"dtype":"I64","shape":[3],"data_offsets":[0,24]},' +
        '"a.f":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"b.f":{"dtype":"F32","shape":[0,4],"data_offsets":[32,32]},' +
        '"z.f":{"dtype":"F32","shape":[1],"data_offsets":[32,36]}}',
    );
    const back = readSafetensors(bytes);
    expect(back.tensors.get('ids')).toEqual({ dtype: 'I64', shape: [3], data: Int32Array.from([1, -2, 2147483647]) });
    expect(back.tensors.get('b.f')!.data.length).toBe(0);
    expect(Array.from(back.tensors.get('z.f')!.data)).toEqual([1]);
  });

  it('reads whitespace around the header, an unaligned data start, scalars and F64', () => {
    const f64 = new Uint8Array(Float64Array.from([1.5, -2.25]).buffer);
    const scalar = new Uint8Array(Float32Array.from([7]).buffer);
    // 55-byte header (not a multiple of 8): the F32 view must not depend on alignment.
    const file = raw('  {"s":{"dtype":"F32","shape":[],"data_offsets":[16,20]},"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}\n', [...f64, ...scalar]);
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({});
    expect(tensors.get('s')).toEqual({ dtype: 'F32', shape: [], data: Float32Array.from([7]) });
    expect(Array.from(tensors.get('d')!.data)).toEqual([1.5, -2.25]);
  });

  it('reads small integer types and booleans as int32', () => {
    const file = raw(
      '{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[6,8]},"h":{"dtype":"I16","shape":[1],"data_offsets":[0,2]},"u":{"dtype":"U16","shape":[1],"data_offsets":[2,4]},"i":{"dtype":"I8","shape":[1],"data_offsets":[4,5]},"c":{"dtype":"U8","shape":[1],"data_offsets":[5,6]}}',
      [0xfe, 0xff, 0xff, 0xff, 0x80, 0xff, 1, 0],
    );
    const t = readSafetensors(file).tensors;
    expect([t.get('h')!.data[0], t.get('u')!.data[0], t.get('i')!.data[0], t.get('c')!.data[0]]).toEqual([-2, 65535, -128, 255]);
    expect(Array.from(t.get('b')!.data)).toEqual([1, 0]);
    expect(t.get('b')!.data).toBeInstanceOf(Int32Array);
  });

  it.each([
    ['I64 beyond int32', raw('{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0, 1, 0, 0, 0]), /tensor "x" \(I64\) holds 4294967296, beyond int32/],
    ['U32 beyond int32', raw('{"x":{"dtype":"U32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0x80]), /tensor "x" \(U32\) holds 2147483648/],
    ['a header length over 100 MB', raw('{}').fill(0xff, 0, 8), /exceeds 100 MB/],
    ['an inherited property as dtype', raw('{"x":{"dtype":"toString","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor "x" has unsupported dtype "toString"/],
    ['a non-integer dimension', raw('{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor "x" has invalid shape \[1.5\]/],
    ['offsets that are not two integers', raw('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', [0, 0, 0, 0]), /tensor "x" has invalid data_offsets \[0\]/],
    ['end before begin', raw('{"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', [0, 0, 0, 0]), /tensor "y" has offsets \[4, 0\]/],
    ['a tensor entry that is not an object', raw('{"x":[1,2]}'), /tensor "x" has entry \[1,2\]/],
    ['metadata that is a string', raw('{"__metadata__":"pt"}'), /__metadata__ must be an object of strings/],
    ['a header that is an array', raw('[1]'), /header is not a JSON object/],
    ['invalid UTF-8 in the header', raw('{}').fill(0xff, 8, 9), /not valid UTF-8/],
    ['a duplicate key spelled with an escape', raw('{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"\\u0061":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'), /tensor "a" appears twice/],
  ])('refuses %s', (_, file, error) => {
    expect(() => readSafetensors(file, 'pytorch_model.safetensors')).toThrow(error);
    expect(() => readSafetensors(file, 'pytorch_model.safetensors')).toThrow(/^pytorch_model\.safetensors: /);
  });

  it('decodes from a Node Buffer (whose slice is a view into a shared pool) as from a Uint8Array', () => {
    const bytes = writeSafetensors({ a: { shape: [2], data: Float32Array.from([1.5, -2]) }, h: { shape: [1], data: Float32Array.from([3]) } }, { dtype: 'F16' });
    const pooled = Buffer.concat([Buffer.from('0123456789'), Buffer.from(bytes)]).subarray(10);
    const t = readSafetensors(pooled).tensors;
    expect(Array.from(t.get('a')!.data)).toEqual([1.5, -2]);
    expect(Array.from(t.get('h')!.data)).toEqual([3]);
  });

  it('refuses to write data that does not match its shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/tensor "w": shape \[2, 2\] holds 4 values but data has 3/);
  });
});

describe('safetensors checkpoints in a folder', () => {
  const top = mkdtempSync(join(tmpdir(), 'tg-st-ckpt-'));
  afterAll(() => rmSync(top, { recursive: true, force: true }));
  let n = 0;
  const sharded = (weightMap: Record<string, string>) => {
    const dir = join(top, `c${n++}`);
    mkdirSync(dir);
    writeSafetensorsFile(join(dir, 'model-00001-of-00002.safetensors'), { 'a.weight': { shape: [2], data: Float32Array.from([1, 2]) } });
    writeSafetensorsFile(join(dir, 'model-00002-of-00002.safetensors'), { 'b.weight': { shape: [1], data: Float32Array.from([3]) }, 'b.bias': { shape: [1], data: Float32Array.from([4]) } });
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 16 }, weight_map: weightMap }, null, 2));
    return dir;
  };
  const map = { 'a.weight': 'model-00001-of-00002.safetensors', 'b.bias': 'model-00002-of-00002.safetensors', 'b.weight': 'model-00002-of-00002.safetensors' };

  it('reads a single file or the shards of an index', () => {
    const dir = sharded(map);
    const { tensors, metadata } = readSafetensorsCheckpoint(dir);
    expect([...tensors.keys()].sort()).toEqual(['a.weight', 'b.bias', 'b.weight']);
    expect(Array.from(tensors.get('b.bias')!.data)).toEqual([4]);
    expect(metadata).toEqual({ format: 'pt' });
    writeSafetensorsFile(join(dir, 'model.safetensors'), { only: { shape: [1], data: Float32Array.from([9]) } });
    expect([...readSafetensorsCheckpoint(dir).tensors.keys()]).toEqual(['only']);
  });

  it.each([
    ['a tensor its shard lacks', { ...map, 'c.weight': 'model-00001-of-00002.safetensors' }, /tensor "c\.weight" is mapped to model-00001-of-00002\.safetensors, which does not hold it/],
    ['a missing shard', { ...map, 'c.weight': 'model-00003-of-00003.safetensors' }, /shard "model-00003-of-00003\.safetensors" is missing/],
    ['a shard outside the folder', { ...map, 'c.weight': '../../x.safetensors' }, /is outside/],
  ])('refuses an index with %s', (_, weightMap, error) => {
    expect(() => readSafetensorsCheckpoint(sharded(weightMap))).toThrow(error);
  });

  it('says what is missing when the folder has no checkpoint', () => {
    expect(() => readSafetensorsCheckpoint(top)).toThrow(/neither model\.safetensors nor model\.safetensors\.index\.json exists/);
  });
});
