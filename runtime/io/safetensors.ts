// safetensors read/write, validated like the reference reader: a truncated or lying file is an
// error naming the file and the tensor, never a crash or silent zeros.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { modelFilePath, readJsonChecked } from './folder-file';
import { decodeBf16, decodeF16, encodeBf16, encodeF16 } from './dtype';

export type SafetensorsDtype = 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

const BYTES: Record<SafetensorsDtype, number> = { BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };
const FLOAT = new Set<SafetensorsDtype>(['F16', 'BF16', 'F32', 'F64']);
/** Writer order: widest dtype first (the reference enum order, descending). */
const WRITE_ORDER: SafetensorsDtype[] = ['U64', 'I64', 'F64', 'F32', 'U32', 'I32', 'BF16', 'F16', 'U16', 'I16', 'I8', 'U8', 'BOOL'];
const MAX_HEADER = 100_000_000;

/** A decoded tensor: floats as Float32Array, integers and booleans as Int32Array. */
export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A parsed file: tensors by name and the string → string `__metadata__`. */
export interface SafetensorsFile {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** Top-level keys of a JSON object in order, to catch duplicates that JSON.parse would hide. */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let i = 0;
  let expectKey = false;
  while (i < json.length) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, j + 1)));
      expectKey = false;
      i = j + 1;
      continue;
    }
    if (ch === '{' || ch === '[') {
      depth++;
      if (ch === '{' && depth === 1) expectKey = true;
    } else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) expectKey = true;
    i++;
  }
  return keys;
}

function decode(dtype: SafetensorsDtype, bytes: Uint8Array, name: string, source: string): Float32Array | Int32Array {
  // Copy first: typed-array views need aligned offsets, which third-party files do not promise.
  // (new Uint8Array, not .slice(): on a Node Buffer, slice is a view into the shared pool.)
  const buf = new Uint8Array(bytes).buffer;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf);
    case 'F16':
      return decodeF16(new Uint16Array(buf));
    case 'BF16':
      return decodeBf16(new Uint16Array(buf));
    case 'F64':
      return Float32Array.from(new Float64Array(buf));
    case 'I32':
      return new Int32Array(buf);
    case 'U32': {
      const u = new Uint32Array(buf);
      for (const v of u) if (v > 0x7fffffff) throw new Error(`${source}: tensor "${name}" (U32) holds ${v}, beyond int32`);
      return Int32Array.from(u);
    }
    case 'I64':
    case 'U64': {
      const big = dtype === 'I64' ? new BigInt64Array(buf) : new BigUint64Array(buf);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = big[i];
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${source}: tensor "${name}" (${dtype}) holds ${v}, beyond int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I16':
      return Int32Array.from(new Int16Array(buf));
    case 'U16':
      return Int32Array.from(new Uint16Array(buf));
    case 'I8':
      return Int32Array.from(new Int8Array(buf));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(new Uint8Array(buf));
  }
}

/** Parses and validates a safetensors file (checks in the reference reader's order). */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors file'): SafetensorsFile {
  if (bytes.length < 8) throw new Error(`${source}: file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw new Error(`${source}: header length ${n} exceeds 100 MB`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) throw new Error(`${source}: header length ${headerLen} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new Error(`${source}: header is not valid UTF-8`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${source}: header is not a JSON object`);
  const keys = topLevelKeys(text.trim());
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new Error(`${source}: tensor "${dup}" appears twice in the header`);

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      // null reads as "no metadata" (serde's Option); anything but an object is a type error.
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw new Error(`${source}: __metadata__ must be an object of strings, got ${JSON.stringify(value)}`);
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`${source}: __metadata__ value of "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source}: tensor "${name}" has entry ${JSON.stringify(value)}, expected {dtype, shape, data_offsets}`);
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    // hasOwn, not `in`: "toString" or "constructor" must not pass as dtypes.
    if (typeof info.dtype !== 'string' || !Object.hasOwn(BYTES, info.dtype)) throw new Error(`${source}: tensor "${name}" has unsupported dtype ${JSON.stringify(info?.dtype)}`);
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${source}: tensor "${name}" has invalid shape ${JSON.stringify(info.shape)}`);
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${source}: tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    entries.push({ name, dtype: info.dtype as SafetensorsDtype, shape: info.shape as number[], begin: off[0] as number, end: off[1] as number });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected || e.end < e.begin) throw new Error(`${source}: tensor "${e.name}" has offsets [${e.begin}, ${e.end}] but data should continue at ${expected} (gap or overlap)`);
    const numel = e.shape.reduce((a, b) => a * b, 1);
    const size = numel * BYTES[e.dtype];
    if (e.end - e.begin !== size) throw new Error(`${source}: tensor "${e.name}" (${e.dtype} [${e.shape.join(', ')}]) needs ${size} bytes but its offsets span ${e.end - e.begin}`);
    expected = e.end;
  }
  const dataStart = 8 + headerLen;
  if (dataStart + expected !== bytes.length) {
    throw new Error(`${source}: tensors cover ${expected} bytes but the file holds ${bytes.length - dataStart} bytes of data (${bytes.length - dataStart < expected ? 'truncated' : 'trailing bytes'})`);
  }
  const tensors = new Map<string, StoredTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end), e.name, source) });
  }
  return { tensors, metadata };
}

/** Reads and validates a safetensors file; errors name the path. */
export function readSafetensorsFile(path: string): SafetensorsFile {
  return readSafetensors(new Uint8Array(readFileSync(path)), path);
}

/**
 * A checkpoint in `dir`: `<base>.safetensors`, or the shards listed in `<base>.safetensors.index.json`
 * (`{"metadata": {...}, "weight_map": {tensor: shard file}}`, spec 1.6). Every mapped tensor must be
 * in its shard, no tensor may sit in two shards, and shard files (links included) must stay inside
 * `root` (default `dir`). Errors name the index or shard file.
 */
export function readSafetensorsCheckpoint(dir: string, base = 'model', root = dir): SafetensorsFile {
  const single = modelFilePath(dir, `${base}.safetensors`, root);
  if (single) return readSafetensorsFile(single);
  const indexPath = modelFilePath(dir, `${base}.safetensors.index.json`, root);
  if (!indexPath) throw new Error(`${dir}: neither ${base}.safetensors nor ${base}.safetensors.index.json exists`);
  const index = readJsonChecked(indexPath) as { weight_map?: unknown } | null;
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new Error(`${indexPath}: weight_map must be an object of tensor name → shard file`);
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string') throw new Error(`${indexPath}: weight_map entry "${name}" is ${JSON.stringify(shard)}, not a file name`);
    if (shard === '' || shard.includes('\0') || isAbsolute(shard) || shard.split(/[\\/]/).includes('..')) throw new Error(`${indexPath}: shard "${shard}" is outside the model folder`);
    byShard.set(shard, [...(byShard.get(shard) ?? []), name]);
  }
  const tensors = new Map<string, StoredTensor>();
  let metadata: Record<string, string> = {};
  for (const [shard, names] of byShard) {
    const path = modelFilePath(dir, shard, root);
    if (!path) throw new Error(`${indexPath}: shard "${shard}" is missing`);
    const file = readSafetensorsFile(path);
    if (tensors.size === 0) metadata = file.metadata;
    for (const name of names) if (!file.tensors.has(name)) throw new Error(`${indexPath}: tensor "${name}" is mapped to ${shard}, which does not hold it`);
    for (const [name, t] of file.tensors) {
      if (tensors.has(name)) throw new Error(`${path}: tensor "${name}" is also in another shard`);
      tensors.set(name, t);
    }
  }
  return { tensors, metadata };
}

/** The files of a checkpoint (for hashing or copying): the single file, or the index and its shards. */
export function checkpointFiles(dir: string, base = 'model'): string[] {
  if (existsSync(join(dir, `${base}.safetensors`))) return [`${base}.safetensors`];
  const indexPath = join(dir, `${base}.safetensors.index.json`);
  if (!existsSync(indexPath)) return [];
  const map = (readJsonChecked(indexPath) as { weight_map?: Record<string, string> }).weight_map ?? {};
  return [`${base}.safetensors.index.json`, ...new Set(Object.values(map))];
}

/** How writeSafetensors stores tensors. */
export interface WriteOptions {
  /** Precision for float tensors (default F32). */
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Int32Array data is written as I32 by default; I64 is what PyTorch uses for index buffers. */
  intDtype?: 'I32' | 'I64';
  /** Defaults to { format: 'pt' } as transformers writes; null omits __metadata__. */
  metadata?: Record<string, string> | null;
}

/** Serialises tensors the way the reference writer does (byte-compatible header layout). */
export function writeSafetensors(tensors: Record<string, { shape: number[]; data: Float32Array | Int32Array }>, opts: WriteOptions = {}): Uint8Array {
  const floatType = opts.dtype ?? 'F32';
  const intType = opts.intDtype ?? 'I32';
  const items = Object.entries(tensors).map(([name, t]) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) throw new Error(`tensor "${name}": shape [${t.shape.join(', ')}] holds ${numel} values but data has ${t.data.length}`);
    const dtype: SafetensorsDtype = t.data instanceof Int32Array ? intType : floatType;
    let raw: Uint8Array;
    if (dtype === 'I64') raw = new Uint8Array(BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)).buffer);
    else if (dtype === 'F16') raw = new Uint8Array(encodeF16(t.data as Float32Array).buffer);
    else if (dtype === 'BF16') raw = new Uint8Array(encodeBf16(t.data as Float32Array).buffer);
    else raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    return { name, dtype, shape: t.shape, raw };
  });
  // Names compare byte-wise in UTF-8 like the Rust writer (UTF-16 order differs above U+FFFF).
  items.sort((a, b) => WRITE_ORDER.indexOf(a.dtype) - WRITE_ORDER.indexOf(b.dtype) || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const header: Record<string, unknown> = opts.metadata === null ? {} : { __metadata__: opts.metadata ?? { format: 'pt' } };
  let offset = 0;
  for (const it of items) {
    header[it.name] = { dtype: it.dtype, shape: it.shape, data_offsets: [offset, offset + it.raw.length] };
    offset += it.raw.length;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = Buffer.from(json, 'utf8');
  if (headerBytes.length > MAX_HEADER) throw new Error(`safetensors header would be ${headerBytes.length} bytes, over the 100 MB limit`);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const it of items) {
    out.set(it.raw, pos);
    pos += it.raw.length;
  }
  return out;
}

/** Writes a safetensors file atomically (temp file + rename). */
export function writeSafetensorsFile(path: string, tensors: Parameters<typeof writeSafetensors>[0], opts: WriteOptions = {}): void {
  writeFileAtomic(path, writeSafetensors(tensors, opts));
}

/** The dtypes that decode to Float32Array. */
export { FLOAT as FLOAT_DTYPES };
