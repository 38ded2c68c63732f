// Backend choice: wasm by default here (no tfjs-node), env override, idempotence, gather's gradient on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, initBackend } from '../../runtime/backend';
import { loadNativeAddon } from '../../runtime/model/ops/native-addon';
import { nativeActive } from '../../runtime/model/ops/native-kernels';

const saved = process.env.TUNEGRAPH_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.TUNEGRAPH_BACKEND;
  else process.env.TUNEGRAPH_BACKEND = saved;
});

describe('initBackend', () => {
  it('falls through the missing tfjs-node packages to our native kernels when built, else wasm with SIMD; idempotent', async () => {
    delete process.env.TUNEGRAPH_BACKEND;
    const info = await initBackend();
    expect(info.backend).toBe(loadNativeAddon() ? 'native' : 'wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.device).toMatch(loadNativeAddon() ? /native kernels: OpenBLAS [\d.]+ .*wasm SIMD/ : /wasm SIMD, 1 thread/);
    expect(await initBackend()).toBe(info);
    expect(backendInfo()).toBe(info);
  });

  it('TUNEGRAPH_BACKEND=wasm turns the native kernels off, and native turns them back on', async () => {
    process.env.TUNEGRAPH_BACKEND = 'wasm';
    expect((await initBackend()).backend).toBe('wasm');
    expect(nativeActive()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc.name).not.toBe('batchMatMulKernel');
    if (!loadNativeAddon()) {
      await expect(initBackend('native')).rejects.toThrow(/"native" is not available/);
      return;
    }
    process.env.TUNEGRAPH_BACKEND = 'native';
    expect((await initBackend()).backend).toBe('native');
    expect(nativeActive()).toBe(true);
    // tf.matMul (every transpose form) now runs on OpenBLAS: same numbers as the formula.
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    expect(Array.from(tf.matMul(a, b).dataSync())).toEqual([4, 5, 10, 11]);
    expect(Array.from(tf.matMul(a, a, false, true).dataSync())).toEqual([14, 32, 32, 77]);
    expect(Array.from(tf.matMul(a, a, true, false).dataSync())).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    await initBackend('wasm');
  });

  it('TUNEGRAPH_BACKEND forces a backend and rejects unknown names', async () => {
    process.env.TUNEGRAPH_BACKEND = 'cpu';
    expect((await initBackend()).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env.TUNEGRAPH_BACKEND = 'gpu-please';
    await expect(initBackend()).rejects.toThrow(/"gpu-please" is not one of/);
    process.env.TUNEGRAPH_BACKEND = 'tensorflow';
    await expect(initBackend()).rejects.toThrow(/not available/);
  });

  it('gives tf.gather a gradient on wasm (UnsortedSegmentSum kernel)', async () => {
    delete process.env.TUNEGRAPH_BACKEND;
    await initBackend('wasm');
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'))))(table);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 0, 0, 2, 2]);
  });

  it('makes wasm Identity (used for every tensor a gradient saves) share memory instead of copying', async () => {
    delete process.env.TUNEGRAPH_BACKEND;
    await initBackend('wasm');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const big = tf.zeros([8 * 1024 * 1024]); // 32 MiB
    const before = heap();
    const clones = Array.from({ length: 8 }, () => tf.clone(big)); // a copying Identity would need 256 MiB more
    expect(heap() - before).toBeLessThan(32 * 2 ** 20);
    tf.dispose([big, ...clones]);
  });
});
