// Runs a test suite once per tfjs backend available here (cpu, wasm, our native kernels when built, tensorflow when installed).
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { initBackend, type BackendName } from '../../runtime/backend';
import { loadNativeAddon } from '../../runtime/model/ops/native-addon';

/**
 * Backends that can run in this process: always cpu and wasm; native when the addon was built
 * (TUNEGRAPH_BACKEND=wasm leaves it out, so CI can run the suites on wasm alone); tensorflow when
 * @tensorflow/tfjs-node resolves.
 */
export function availableBackends(): BackendName[] {
  const list: BackendName[] = ['cpu', 'wasm'];
  if (process.env.TUNEGRAPH_BACKEND !== 'wasm' && loadNativeAddon()) list.push('native');
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    list.push('tensorflow');
  } catch {
    // native package not installed: skip it
  }
  return list;
}

/** Declares `describe(\`${name} [backend]\`)` for every available backend, switching to it first. */
export function describeEachBackend(name: string, fn: (backend: BackendName) => void): void {
  for (const backend of availableBackends()) {
    describe(`${name} [${backend}]`, () => {
      let previous = '';
      beforeAll(async () => {
        previous = tf.getBackend();
        await initBackend(backend);
      });
      afterAll(async () => {
        if (previous && previous !== backend) await tf.setBackend(previous);
      });
      fn(backend);
    });
  }
}
