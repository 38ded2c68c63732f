// TensorFlow.js weights format: model.json (a weights manifest, with our BERT config as user
// metadata) plus 4 MB binary shards, loadable with tf.io.loadWeights / tf.io.decodeWeights.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { decodeF16, encodeF16 } from './dtype';
import { resolveInside } from './safe-path';

/** The tfjs converter's default shard size (4 MiB); a weight may straddle two shards. */
const SHARD_BYTES = 4 * 1024 * 1024;

/** One named weight, row-major float32. */
export interface TfjsWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** How writeTfjsWeights stores values. */
export interface TfjsWriteOptions {
  /** float16 halves the files; tfjs has no float16 tensors, so the manifest marks it as quantization and loaders decode to float32. */
  dtype?: 'float32' | 'float16';
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/**
 * Writes model.json and group1-shard{i}of{n}.bin into `dir`. There is no modelTopology (the
 * model is rebuilt in code, spec 5.4); `userDefinedMetadata` carries the config to rebuild it.
 */
export function writeTfjsWeights(dir: string, weights: TfjsWeight[], userDefinedMetadata: Record<string, unknown>, opts: TfjsWriteOptions = {}): void {
  const half = opts.dtype === 'float16';
  const seen = new Set<string>();
  const parts: Uint8Array[] = [];
  for (const w of weights) {
    if (seen.has(w.name)) throw new Error(`tfjs export: weight name "${w.name}" appears twice (tfjs needs unique names)`);
    seen.add(w.name);
    const numel = w.shape.reduce((a, b) => a * b, 1);
    if (numel !== w.data.length) throw new Error(`tfjs export: weight "${w.name}" has shape [${w.shape.join(', ')}] (${numel} values) but ${w.data.length} values`);
    parts.push(half ? new Uint8Array(encodeF16(w.data).buffer) : new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  const shards = Math.max(1, Math.ceil(total / SHARD_BYTES));
  const paths: string[] = [];
  for (let i = 0; i < shards; i++) {
    const name = `group1-shard${i + 1}of${shards}.bin`;
    paths.push(name);
    writeFileAtomic(join(dir, name), all.subarray(i * SHARD_BYTES, Math.min(total, (i + 1) * SHARD_BYTES)));
  }
  const entries: ManifestEntry[] = weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32', ...(half ? { quantization: { dtype: 'float16' } } : {}) }));
  const manifest = {
    format: 'weights-manifest',
    generatedBy: 'Tunegraph',
    convertedBy: null,
    modelTopology: null,
    userDefinedMetadata,
    weightsManifest: [{ paths, weights: entries }],
  };
  // model.json last: a reader never sees a manifest whose shards are not all written.
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
}

/** Bytes per stored value for the dtypes this reader decodes to float32. */
function storedBytes(entry: ManifestEntry, where: string): number {
  const q = entry.quantization?.dtype;
  if (q === undefined) {
    if (entry.dtype !== 'float32') throw new Error(`${where}: dtype "${entry.dtype}" is not supported (float32 weights only)`);
    return 4;
  }
  if (q === 'float16') return 2;
  if (q === 'uint8' || q === 'uint16') {
    if (typeof entry.quantization?.scale !== 'number' || typeof entry.quantization?.min !== 'number') throw new Error(`${where}: ${q} quantization needs numeric scale and min`);
    return q === 'uint8' ? 1 : 2;
  }
  throw new Error(`${where}: quantization dtype "${q}" is not supported (float16, uint8, uint16)`);
}

/** Stored bytes of one weight → float32 values (dequantised as tfjs does: q · scale + min). */
function decodeEntry(entry: ManifestEntry, bytes: Uint8Array): Float32Array {
  const buf = new Uint8Array(bytes).buffer; // copy (Buffer#slice would be a view): typed views need aligned offsets
  const q = entry.quantization;
  if (!q) return new Float32Array(buf);
  if (q.dtype === 'float16') return decodeF16(new Uint16Array(buf));
  const ints = q.dtype === 'uint8' ? new Uint8Array(buf) : new Uint16Array(buf);
  const out = new Float32Array(ints.length);
  for (let i = 0; i < ints.length; i++) out[i] = ints[i] * q.scale! + q.min!;
  return out;
}

/**
 * Reads a weights manifest folder (ours, or any tfjs model.json with float32 / quantised float
 * weights). Shard paths must stay inside `dir`; missing, short or long shards are errors naming
 * the file.
 */
export function readTfjsWeights(dir: string): Map<string, { shape: number[]; data: Float32Array }> {
  const manifestPath = join(dir, 'model.json');
  if (!existsSync(manifestPath)) throw new Error(`${dir}: no model.json`);
  let manifest: { weightsManifest?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`${manifestPath}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(manifest?.weightsManifest)) throw new Error(`${manifestPath}: weightsManifest must be a list of {paths, weights} groups`);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  manifest.weightsManifest.forEach((group: { paths?: unknown; weights?: unknown }, g: number) => {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw new Error(`${manifestPath}: weightsManifest[${g}] needs "paths" and "weights" lists`);
    const shards = (group.paths as unknown[]).map((p) => {
      if (typeof p !== 'string') throw new Error(`${manifestPath}: weightsManifest[${g}].paths holds ${JSON.stringify(p)}, not a file name`);
      const path = resolveInside(dir, p);
      if (!existsSync(path)) throw new Error(`${manifestPath}: shard "${p}" is missing`);
      return readFileSync(path);
    });
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights as ManifestEntry[]) {
      const where = `${manifestPath}: weight "${entry?.name}"`;
      if (typeof entry?.name !== 'string') throw new Error(`${manifestPath}: weightsManifest[${g}] has an entry without a name`);
      if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${where}: invalid shape ${JSON.stringify(entry.shape)}`);
      if (out.has(entry.name)) throw new Error(`${where}: appears twice`);
      const numel = entry.shape.reduce((a, b) => a * b, 1);
      const size = numel * storedBytes(entry, where);
      if (offset + size > bytes.length) throw new Error(`${where}: needs bytes ${offset}..${offset + size} but group ${g}'s shards hold only ${bytes.length} (truncated?)`);
      out.set(entry.name, { shape: entry.shape, data: decodeEntry(entry, bytes.subarray(offset, offset + size)) });
      offset += size;
    }
    if (offset !== bytes.length) throw new Error(`${manifestPath}: group ${g}'s shards hold ${bytes.length} bytes but its weights use ${offset}`);
  });
  return out;
}
