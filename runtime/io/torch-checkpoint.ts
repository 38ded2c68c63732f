// PyTorch checkpoints (pytorch_model.bin, torch.save's zip format) read without running pickle:
// a restricted unpickler that knows only what a state dict contains (OrderedDict, tensors rebuilt
// from storages) and refuses every other global, so a hostile file cannot execute anything.
import { inflateRawSync } from 'node:zlib';
import { decodeBf16, decodeF16 } from './dtype';

/** A tensor of a checkpoint, as float32 (integers as Int32Array). */
export interface TorchTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Files of a zip archive by name (stored or deflated; no zip64). */
function readZip(bytes: Uint8Array, source: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${source}: not a zip archive (PyTorch's legacy non-zip format is not supported; re-save with torch.save)`);
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (at === 0xffffffff || count === 0xffff) throw new Error(`${source}: zip64 archives are not supported; convert the checkpoint to safetensors`);
  const files = new Map<string, Uint8Array>();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw new Error(`${source}: broken zip central directory`);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw new Error(`${source}: broken zip entry ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw new Error(`${source}: zip entry ${name} is truncated`);
    const raw = bytes.subarray(start, start + compressed);
    if (method === 0) files.set(name, raw);
    else if (method === 8) files.set(name, new Uint8Array(inflateRawSync(raw)));
    else throw new Error(`${source}: zip entry ${name} uses compression method ${method}`);
  }
  return files;
}

const STORAGES: Record<string, { bytes: number; decode: (b: Uint8Array) => Float32Array | Int32Array }> = {
  FloatStorage: { bytes: 4, decode: (b) => new Float32Array(b.slice().buffer) },
  HalfStorage: { bytes: 2, decode: (b) => decodeF16(new Uint16Array(b.slice().buffer)) },
  BFloat16Storage: { bytes: 2, decode: (b) => decodeBf16(new Uint16Array(b.slice().buffer)) },
  DoubleStorage: { bytes: 8, decode: (b) => Float32Array.from(new Float64Array(b.slice().buffer)) },
  LongStorage: { bytes: 8, decode: (b) => Int32Array.from(new BigInt64Array(b.slice().buffer), (v) => Number(v)) },
  IntStorage: { bytes: 4, decode: (b) => new Int32Array(b.slice().buffer) },
  ShortStorage: { bytes: 2, decode: (b) => Int32Array.from(new Int16Array(b.slice().buffer)) },
  ByteStorage: { bytes: 1, decode: (b) => Int32Array.from(b) },
  CharStorage: { bytes: 1, decode: (b) => Int32Array.from(new Int8Array(b.slice().buffer)) },
  BoolStorage: { bytes: 1, decode: (b) => Int32Array.from(b) },
};

/** The globals a state dict needs; anything else in the pickle is refused by name. */
const ALLOWED = new Set(['collections OrderedDict', 'torch._utils _rebuild_tensor_v2', 'torch._utils _rebuild_parameter', ...Object.keys(STORAGES).map((s) => `torch ${s}`)]);

interface StorageRef {
  kind: 'storage';
  type: string;
  key: string;
  numel: number;
}
interface Global {
  kind: 'global';
  name: string;
}
const MARK = Symbol('mark');

/** Reads a torch.save zip holding a state dict: tensor name → tensor. */
export function readTorchCheckpoint(bytes: Uint8Array, source: string): Map<string, TorchTensor> {
  const files = readZip(bytes, source);
  const pklName = [...files.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pklName) throw new Error(`${source}: no data.pkl in the archive`);
  const prefix = pklName.slice(0, -'data.pkl'.length);
  const pkl = files.get(pklName)!;
  const storages = new Map<string, Float32Array | Int32Array>();
  const storageOf = (ref: StorageRef): Float32Array | Int32Array => {
    let data = storages.get(ref.key);
    if (!data) {
      const raw = files.get(`${prefix}data/${ref.key}`);
      const spec = STORAGES[ref.type];
      if (!raw) throw new Error(`${source}: storage ${ref.key} is missing from the archive`);
      if (raw.length < ref.numel * spec.bytes) throw new Error(`${source}: storage ${ref.key} holds ${raw.length} bytes, ${ref.numel * spec.bytes} expected`);
      data = spec.decode(raw.subarray(0, ref.numel * spec.bytes));
      storages.set(ref.key, data);
    }
    return data;
  };
  const rebuild = (args: unknown[]): TorchTensor => {
    const [storage, offset, size, stride] = args as [StorageRef, number, number[], number[]];
    if (storage?.kind !== 'storage' || !Array.isArray(size) || !Array.isArray(stride)) throw new Error(`${source}: unexpected tensor layout in data.pkl`);
    const all = storageOf(storage);
    const numel = size.reduce((a, b) => a * b, 1);
    const out = all instanceof Float32Array ? new Float32Array(numel) : new Int32Array(numel);
    // A general strided copy (state dicts are contiguous, views of shared storage are not).
    const idx = new Array(size.length).fill(0);
    for (let i = 0; i < numel; i++) {
      let at = offset;
      for (let d = 0; d < size.length; d++) at += idx[d] * stride[d];
      if (at >= all.length) throw new Error(`${source}: tensor reads past its storage ${storage.key}`);
      out[i] = all[at];
      for (let d = size.length - 1; d >= 0; d--) {
        if (++idx[d] < size[d]) break;
        idx[d] = 0;
      }
    }
    return { shape: [...size], data: out };
  };

  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const view = new DataView(pkl.buffer, pkl.byteOffset, pkl.byteLength);
  let p = 0;
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new Error(`${source}: data.pkl: MARK missing`);
    const items = stack.splice(i + 1);
    stack.pop();
    return items;
  };
  const readLine = () => {
    const end = pkl.indexOf(0x0a, p);
    if (end < 0) throw new Error(`${source}: data.pkl: truncated`);
    const s = new TextDecoder().decode(pkl.subarray(p, end));
    p = end + 1;
    return s;
  };
  const text = (n: number) => {
    if (p + n > pkl.length) throw new Error(`${source}: data.pkl: truncated`);
    const s = new TextDecoder().decode(pkl.subarray(p, p + n));
    p += n;
    return s;
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    const name = (fn as Global)?.name;
    if (name === 'collections OrderedDict') return new Map<string, unknown>();
    if (name === 'torch._utils _rebuild_tensor_v2') return rebuild(args);
    if (name === 'torch._utils _rebuild_parameter') return args[0];
    throw new Error(`${source}: data.pkl calls ${String(name)}, which a state dict never does; refusing to read it`);
  };
  for (;;) {
    if (p >= pkl.length) throw new Error(`${source}: data.pkl: no STOP`);
    const op = pkl[p++];
    switch (op) {
      case 0x80: p++; break; // PROTO
      case 0x95: p += 8; break; // FRAME
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x28: stack.push(MARK); break; // MARK
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([stack.pop()]); break; // TUPLE1
      case 0x86: { const b = stack.pop(); const a = stack.pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = stack.pop(); const b = stack.pop(); const a = stack.pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(pkl[p++]); break; // BININT1
      case 0x4d: stack.push(view.getUint16(p, true)); p += 2; break; // BININT2
      case 0x4a: stack.push(view.getInt32(p, true)); p += 4; break; // BININT
      case 0x8a: { const n = pkl[p++]; let v = 0n; for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(pkl[p + i]); if (n > 0 && pkl[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n); p += n; stack.push(Number(v)); break; } // LONG1
      case 0x47: stack.push(view.getFloat64(p, false)); p += 8; break; // BINFLOAT
      case 0x58: { const n = view.getUint32(p, true); p += 4; stack.push(text(n)); break; } // BINUNICODE
      case 0x8c: { const n = pkl[p++]; stack.push(text(n)); break; } // SHORT_BINUNICODE
      case 0x55: { const n = pkl[p++]; stack.push(text(n)); break; } // SHORT_BINSTRING
      case 0x71: memo.set(pkl[p++], stack[stack.length - 1]); break; // BINPUT
      case 0x72: memo.set(view.getUint32(p, true), stack[stack.length - 1]); p += 4; break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack[stack.length - 1]); break; // MEMOIZE
      case 0x68: stack.push(memo.get(pkl[p++])); break; // BINGET
      case 0x6a: stack.push(memo.get(view.getUint32(p, true))); p += 4; break; // LONG_BINGET
      case 0x63: { const mod = readLine(); const name = readLine(); const full = `${mod} ${name}`; if (!ALLOWED.has(full)) throw new Error(`${source}: data.pkl refers to ${mod}.${name}, which a state dict never does; refusing to read it`); stack.push({ kind: 'global', name: full } satisfies Global); break; } // GLOBAL
      case 0x93: { const name = stack.pop() as string; const mod = stack.pop() as string; const full = `${mod} ${name}`; if (!ALLOWED.has(full)) throw new Error(`${source}: data.pkl refers to ${mod}.${name}, which a state dict never does; refusing to read it`); stack.push({ kind: 'global', name: full } satisfies Global); break; } // STACK_GLOBAL
      case 0x52: { const args = stack.pop() as unknown[]; const fn = stack.pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x51: { // BINPERSID
        const pid = stack.pop() as unknown[];
        const type = (pid?.[1] as Global)?.name?.split(' ')[1];
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !type || !STORAGES[type]) throw new Error(`${source}: data.pkl has an unknown persistent id`);
        stack.push({ kind: 'storage', type, key: String(pid[2]), numel: Number(pid[4]) } satisfies StorageRef);
        break;
      }
      case 0x62: stack.pop(); break; // BUILD: state (the state dict's _metadata) is not needed
      case 0x73: { const v = stack.pop(); const k = stack.pop(); (stack[stack.length - 1] as Map<unknown, unknown>).set(k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); const d = stack[stack.length - 1] as Map<unknown, unknown>; for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]); break; } // SETITEMS
      case 0x61: { const v = stack.pop(); (stack[stack.length - 1] as unknown[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); (stack[stack.length - 1] as unknown[]).push(...items); break; } // APPENDS
      case 0x2e: { // STOP
        const top = stack.pop();
        if (!(top instanceof Map)) throw new Error(`${source}: data.pkl does not hold a state dict`);
        const out = new Map<string, TorchTensor>();
        for (const [k, v] of top) if (typeof k === 'string' && v && typeof v === 'object' && 'shape' in (v as object)) out.set(k, v as TorchTensor);
        return out;
      }
      default:
        throw new Error(`${source}: data.pkl uses pickle opcode 0x${op.toString(16)}, which Tunegraph's state-dict reader does not accept`);
    }
  }
}
