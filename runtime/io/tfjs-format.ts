// TensorFlow.js weights format: model.json (a weights manifest, with our BERT config as user
// metadata) plus 4 MB binary shards, loadable with tf.io.loadWeights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';

const SHARD_BYTES = 4 * 1024 * 1024;

export interface TfjsWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Writes model.json and group1-shard{i}of{n}.bin; names keep our internal layout. */
export function writeTfjsWeights(dir: string, weights: TfjsWeight[], userDefinedMetadata: Record<string, unknown>): void {
  const total = weights.reduce((n, w) => n + w.data.byteLength, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const w of weights) {
    all.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), offset);
    offset += w.data.byteLength;
  }
  const shards = Math.max(1, Math.ceil(total / SHARD_BYTES));
  const paths: string[] = [];
  for (let i = 0; i < shards; i++) {
    const name = `group1-shard${i + 1}of${shards}.bin`;
    paths.push(name);
    writeFileAtomic(join(dir, name), all.subarray(i * SHARD_BYTES, Math.min(total, (i + 1) * SHARD_BYTES)));
  }
  const manifest = {
    format: 'weights-manifest',
    generatedBy: 'Tunegraph',
    convertedBy: null,
    modelTopology: null,
    userDefinedMetadata,
    weightsManifest: [{ paths, weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
  };
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
}

/** Reads weights written by writeTfjsWeights. */
export function readTfjsWeights(dir: string): Map<string, { shape: number[]; data: Float32Array }> {
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of manifest.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a: number, b: number) => a * b, 1);
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + n * 4));
      out.set(w.name, { shape: w.shape, data });
      offset += n * 4;
    }
  }
  return out;
}
