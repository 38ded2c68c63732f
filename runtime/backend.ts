// Chooses and initialises the TensorFlow.js compute backend (native GPU/CPU if installed, else wasm, else cpu).
import * as tf from '@tensorflow/tfjs-core';
// Gradients are registered separately from tfjs-core's ops; without this tf.grads throws "gradient not found".
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './model/ops/wasm-kernels';

/** The backends we know how to start, in order of preference. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Which backend runs the tensors and on what hardware. */
export interface BackendInfo {
  /** tfjs backend name as registered: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** Human-readable device, e.g. "wasm (SIMD, 1 thread)" or "CUDA GPU". */
  device: string;
}

const ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

function isBackendName(s: string): s is BackendName {
  return (ORDER as string[]).includes(s);
}

/** Dynamic import that bundlers and tsc don't try to resolve (the native packages are optional and absent here). */
async function importOptional(pkg: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ pkg);
}

/** Tries to start one backend; returns its info, or null when it can't run here. */
async function tryBackend(name: BackendName): Promise<BackendInfo | null> {
  try {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      // tfjs-node registers the 'tensorflow' backend on import; the -gpu build links CUDA.
      await importOptional(name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      if (!(await tf.setBackend('tensorflow'))) return null;
      await tf.ready();
      return { backend: 'tensorflow', device: name === 'tensorflow-gpu' ? 'CUDA GPU (libtensorflow)' : 'native CPU (libtensorflow)' };
    }
    if (name === 'wasm') {
      if (!(await tf.setBackend('wasm'))) return null;
      await tf.ready();
      registerWasmGradientKernels();
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      return { backend: 'wasm', device: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : '1 thread'})` };
    }
    if (!(await tf.setBackend('cpu'))) return null;
    await tf.ready();
    return { backend: 'cpu', device: 'JavaScript CPU' };
  } catch {
    return null;
  }
}

async function init(prefer?: BackendName): Promise<BackendInfo> {
  const forced = process.env.TUNEGRAPH_BACKEND?.trim();
  if (forced) {
    if (!isBackendName(forced)) {
      throw new Error(`TUNEGRAPH_BACKEND="${forced}" is not a backend; use one of ${ORDER.join(', ')}`);
    }
    const info = await tryBackend(forced);
    if (!info) throw new Error(`TUNEGRAPH_BACKEND="${forced}" could not be started on this machine`);
    return info;
  }
  // A preference is tried first, then the usual order.
  const order = prefer ? [prefer, ...ORDER.filter((b) => b !== prefer)] : ORDER;
  for (const name of order) {
    const info = await tryBackend(name);
    if (info) return info;
  }
  throw new Error('no TensorFlow.js backend could be started (tried ' + order.join(', ') + ')');
}

/**
 * Starts the compute backend once and returns which one runs. Idempotent: later calls return the
 * first result, unless `prefer` names a different backend, which then switches to it.
 * Env `TUNEGRAPH_BACKEND` (tensorflow-gpu | tensorflow | wasm | cpu) overrides everything.
 */
export async function initBackend(prefer?: BackendName): Promise<BackendInfo> {
  if (pending) {
    const info = await pending;
    if (!prefer || process.env.TUNEGRAPH_BACKEND || matches(info, prefer)) return info;
  }
  pending = init(prefer).then((info) => (current = info));
  pending.catch(() => (pending = null));
  return pending;
}

function matches(info: BackendInfo, name: BackendName): boolean {
  if (name === 'tensorflow-gpu') return info.device.startsWith('CUDA');
  if (name === 'tensorflow') return info.backend === 'tensorflow' && !info.device.startsWith('CUDA');
  return info.backend === name;
}

/** The backend chosen by initBackend, or null before it has run. */
export function backendInfo(): BackendInfo | null {
  return current;
}
