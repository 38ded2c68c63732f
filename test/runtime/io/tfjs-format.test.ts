// tfjs weights manifest: round trips (float32 exact, float16 within half precision), 4 MiB
// sharding, loadability by tfjs's own decodeWeights, and clear errors on broken folders.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTfjsWeights, writeTfjsWeights, type TfjsWeight } from '../../../runtime/io/tfjs-format';

const top = mkdtempSync(join(tmpdir(), 'tg-tfjs-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));
let n = 0;
const dirOf = () => join(top, `m${n++}`);

// 1,100,000 floats = 4.4 MB: two shards, with "big" straddling the boundary.
const weights = (): TfjsWeight[] => [
  { name: 'embeddings/word', shape: [10, 4], data: Float32Array.from({ length: 40 }, (_, i) => i / 7 - 3) },
  { name: 'big', shape: [1100, 1000], data: Float32Array.from({ length: 1_100_000 }, (_, i) => Math.sin(i) * 0.05) },
  { name: 'scalar', shape: [], data: Float32Array.from([42.5]) },
  { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
];
const meta = { tunegraph: { config: { hiddenSize: 4 } } };

describe('tfjs weights format', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('round-trips float32 bit-exactly across 4 MiB shards, with the metadata in model.json', () => {
    const dir = dirOf();
    writeTfjsWeights(dir, weights(), meta);
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    expect(readFileSync(join(dir, 'group1-shard1of2.bin')).length).toBe(4 * 1024 * 1024);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(manifest.userDefinedMetadata).toEqual(meta);
    expect(manifest.weightsManifest[0].weights[1]).toEqual({ name: 'big', shape: [1100, 1000], dtype: 'float32' });
    const back = readTfjsWeights(dir);
    expect([...back.keys()]).toEqual(['embeddings/word', 'big', 'scalar', 'empty']);
    for (const w of weights()) {
      expect(back.get(w.name)!.shape).toEqual(w.shape);
      expect(Buffer.compare(Buffer.from(back.get(w.name)!.data.buffer), Buffer.from(w.data.buffer)), w.name).toBe(0);
    }
  });

  it('writes float16 as quantization that tfjs decodes, half the size, within half precision', () => {
    const dir = dirOf();
    writeTfjsWeights(dir, weights(), meta, { dtype: 'float16' });
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(manifest.weightsManifest[0].weights[0]).toEqual({ name: 'embeddings/word', shape: [10, 4], dtype: 'float32', quantization: { dtype: 'float16' } });
    expect(manifest.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    expect(readFileSync(join(dir, 'group1-shard1of1.bin')).length).toBe(2 * (40 + 1_100_000 + 1));
    const ours = readTfjsWeights(dir);
    const bytes = readFileSync(join(dir, 'group1-shard1of1.bin'));
    const theirs = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), manifest.weightsManifest[0].weights);
    for (const w of weights()) {
      const mine = ours.get(w.name)!.data;
      const tfjs = theirs[w.name].dataSync();
      expect(Array.from(mine.subarray(0, 500)), w.name).toEqual(Array.from(tfjs.subarray(0, 500)));
      let worst = 0;
      w.data.forEach((x, i) => (worst = Math.max(worst, Math.abs(mine[i] - x) / Math.max(Math.abs(x), 2 ** -14))));
      expect(worst, w.name).toBeLessThanOrEqual(2 ** -11);
    }
    tf.dispose(Object.values(theirs));
  });

  it('float32 output also decodes with tfjs itself', () => {
    const dir = dirOf();
    writeTfjsWeights(dir, weights().slice(0, 1), meta);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bytes = readFileSync(join(dir, 'group1-shard1of1.bin'));
    const t = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), manifest.weightsManifest[0].weights);
    expect(Array.from(t['embeddings/word'].dataSync())).toEqual(Array.from(weights()[0].data));
    tf.dispose(Object.values(t));
  });

  it('refuses duplicate names and data that does not match the shape on write', () => {
    const w = weights()[0];
    expect(() => writeTfjsWeights(dirOf(), [w, w], meta)).toThrow(/weight name "embeddings\/word" appears twice/);
    expect(() => writeTfjsWeights(dirOf(), [{ ...w, shape: [3, 4] }], meta)).toThrow(/weight "embeddings\/word" has shape \[3, 4\] \(12 values\) but 40 values/);
  });

  const small = () => {
    const dir = dirOf();
    writeTfjsWeights(dir, weights().slice(0, 1), meta);
    return dir;
  };
  const editManifest = (dir: string, edit: (m: { weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[] }) => void) => {
    const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    edit(m);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
  };
  it.each([
    ['a truncated shard', (d: string) => writeFileSync(join(d, 'group1-shard1of1.bin'), readFileSync(join(d, 'group1-shard1of1.bin')).subarray(0, 100)), /weight "embeddings\/word": needs bytes 0\.\.160 but group 0's shards hold only 100/],
    ['trailing shard bytes', (d: string) => writeFileSync(join(d, 'group1-shard1of1.bin'), Buffer.concat([readFileSync(join(d, 'group1-shard1of1.bin')), Buffer.alloc(8)])), /shards hold 168 bytes but its weights use 160/],
    ['a missing shard', (d: string) => rmSync(join(d, 'group1-shard1of1.bin')), /shard "group1-shard1of1.bin" is missing/],
    ['a shard path leaving the folder', (d: string) => editManifest(d, (m) => (m.weightsManifest[0].paths = ['../../etc/passwd'])), /path "\.\.\/\.\.\/etc\/passwd" is outside/],
    ['an int32 weight', (d: string) => editManifest(d, (m) => (m.weightsManifest[0].weights[0].dtype = 'int32')), /dtype "int32" is not supported/],
    ['a bad shape', (d: string) => editManifest(d, (m) => (m.weightsManifest[0].weights[0].shape = [-1])), /weight "embeddings\/word": invalid shape \[-1\]/],
    ['no model.json', (d: string) => rmSync(join(d, 'model.json')), /no model\.json/],
    ['a manifest without groups', (d: string) => writeFileSync(join(d, 'model.json'), '{"weightsManifest": {}}'), /weightsManifest must be a list/],
  ])('refuses a folder with %s', (_, breakIt, error) => {
    const dir = small();
    breakIt(dir);
    expect(() => readTfjsWeights(dir)).toThrow(error);
  });

  it('reads uint8-quantised weights as tfjs dequantises them (q · scale + min)', () => {
    const dir = small();
    writeFileSync(join(dir, 'group1-shard1of1.bin'), Uint8Array.from([0, 1, 255]));
    editManifest(dir, (m) => (m.weightsManifest[0].weights = [{ name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }]));
    expect(Array.from(readTfjsWeights(dir).get('q')!.data)).toEqual([-1, -0.5, 126.5]);
  });
});
