// Chooses the compute backend: tfjs-node-gpu (CUDA) → tfjs-node (native CPU) → native (our OpenBLAS
// kernels on the wasm backend) → wasm (SIMD) → pure-JS cpu. The tfjs-node packages are optional
// dependencies (their install downloads libtensorflow, which fails offline) and our addon is built
// only where a compiler and OpenBLAS exist, so each is tried and skipped when absent.
// TUNEGRAPH_BACKEND forces one.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import os from 'node:os';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { tf } from './tf';
import { nativeUnavailableReason } from './model/ops/native-addon';
import { nativeDescription, setNativeKernels } from './model/ops/native-kernels';
import { registerWasmGradientKernels } from './model/ops/wasm-kernels';

/** The backends we know how to start. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'native' | 'wasm' | 'cpu';
/** Preference order when nothing is forced. */
export const BACKEND_ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'];

/** What a run record and the UI report about where training ran. */
export interface BackendInfo {
  backend: BackendName;
  /** Human-readable device, e.g. "CPU (wasm SIMD, 1 thread) — Intel Xeon". */
  device: string;
}

let current: BackendInfo | null = null;
let wasmPathsSet = false;
let nativeNoticeShown = false;
const require = createRequire(import.meta.url);
const cpuModel = () => os.cpus()[0]?.model?.trim() ?? 'unknown CPU';

/** Starts one backend; returns its device description, or null when it cannot run here. */
async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        try {
          await import(/* webpackIgnore: true */ pkg);
        } catch {
          return null; // optional package not installed
        }
        if (!(await tf.setBackend('tensorflow'))) return null;
        await tf.ready();
        return name === 'tensorflow-gpu' ? 'GPU (CUDA via libtensorflow)' : `CPU (libtensorflow) — ${cpuModel()}`;
      }
      case 'native':
      case 'wasm': {
        if (!wasmPathsSet) {
          // In Node the .wasm binaries are read from the package folder (the default fetch path is a URL).
          wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
          wasmPathsSet = true;
        }
        registerWasmGradientKernels();
        // native = the wasm backend (its elementwise kernels, its heap) with our OpenBLAS/C++ kernels
        // registered over the hot ones; they read and write the wasm heap in place.
        if (!setNativeKernels(name === 'native')) return null;
        if (!(await tf.setBackend('wasm'))) return null;
        await tf.ready();
        // Measured here: SIMD loads in Node 20; the threaded build does not (no SharedArrayBuffer workers), so 1 thread.
        const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        const threads = wasm.getThreadsCount();
        const wasmPart = `wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
        if (name === 'native') return `CPU (native kernels: ${nativeDescription()}; elementwise on ${wasmPart}) — ${cpuModel()}`;
        return `CPU (${wasmPart}) — ${cpuModel()}`;
      }
      case 'cpu': {
        if (!(await tf.setBackend('cpu'))) return null;
        await tf.ready();
        return `CPU (pure JavaScript) — ${cpuModel()}`;
      }
    }
  } catch {
    return null;
  }
}

/**
 * Picks and activates a backend and says which. Idempotent: returns the active one unless `prefer`
 * names a different backend. `prefer`, else env TUNEGRAPH_BACKEND, forces one (error if it can't start);
 * otherwise the first of BACKEND_ORDER that starts wins.
 */
export async function initBackend(prefer?: BackendName): Promise<BackendInfo> {
  const forced = (prefer ?? (process.env.TUNEGRAPH_BACKEND?.trim() as BackendName | undefined)) || undefined;
  if (forced && !BACKEND_ORDER.includes(forced)) {
    throw new Error(`TUNEGRAPH_BACKEND="${forced}" is not one of ${BACKEND_ORDER.join(', ')}`);
  }
  if (current && (!forced || current.backend === forced) && tf.getBackend() === engineName(current.backend)) return current;
  for (const name of forced ? [forced] : BACKEND_ORDER) {
    const device = await tryBackend(name);
    if (!device && name === 'native' && !forced && !nativeNoticeShown) {
      nativeNoticeShown = true;
      console.log(`tunegraph: ${nativeUnavailableReason() || 'native kernels unavailable'}; using wasm`);
    }
    if (device) {
      current = { backend: name, device };
      return current;
    }
  }
  throw new Error(forced ? `backend "${forced}" is not available on this machine` : 'no TensorFlow.js backend could start');
}

function engineName(b: BackendName): string {
  if (b === 'tensorflow-gpu') return 'tensorflow';
  return b === 'native' ? 'wasm' : b;
}

/** The active backend, if initBackend has run. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** Backends that can start here (tests run suites on each); restores the active backend afterwards. */
export async function availableBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  const before = current;
  for (const name of BACKEND_ORDER) {
    if (await tryBackend(name)) found.push(name);
  }
  current = null;
  if (before) await initBackend(before.backend);
  return found;
}
