// Loads the optional native addon (native/, node-gyp over the system OpenBLAS); absent or broken means wasm only.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The functions native/src/addon.cc exports. Offsets are byte offsets into `heap`. */
export interface NativeAddon {
  info(): { threads: number; blasConfig: string; blasCore: string };
  gemm(heap: ArrayBuffer, params: Float64Array): void;
  gelu(heap: ArrayBuffer, x: number, y: number, n: number): void;
  geluGrad(heap: ArrayBuffer, x: number, dy: number, dx: number, n: number): void;
  layerNorm(heap: ArrayBuffer, x: number, g: number, b: number, y: number, xhat: number, rstd: number, rows: number, h: number, eps: number): void;
  layerNormGrad(heap: ArrayBuffer, dy: number, xhat: number, g: number, rstd: number, dx: number, dg: number, db: number, rows: number, h: number): void;
  softmax(heap: ArrayBuffer, s: number, p: number, mask: number, scale: number, rows: number, t: number, rowsPerItem: number): void;
  softmaxGrad(heap: ArrayBuffer, dp: number, p: number, ds: number, scale: number, rows: number, t: number): void;
  columnSums(heap: ArrayBuffer, x: number, out: number, rows: number, cols: number): void;
  multiply(heap: ArrayBuffer, a: number, b: number, out: number, n: number): void;
  maskedScale(heap: ArrayBuffer, x: number, keep: number, out: number, scale: number, n: number): void;
  adamw(heap: ArrayBuffer, p: number, m: number, v: number, g: number, n: number, beta1: number, beta2: number, decay: number, stepSize: number, sqrtBc2: number, eps: number): void;
  crossEntropy(heap: ArrayBuffer, logits: number, labels: number, out: number, rows: number, c: number, ignoreIndex: number): void;
  crossEntropyGrad(heap: ArrayBuffer, logits: number, labels: number, dy: number, dlogits: number, rows: number, c: number, ignoreIndex: number): void;
  segmentSum(heap: ArrayBuffer, x: number, ids: number, out: number, n: number, h: number, vocab: number): void;
}

/** Where `npm run build:native` (native/build.mjs) puts the addon, relative to this file. */
const ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/tunegraph_native.node', import.meta.url));

let addon: NativeAddon | null | undefined;
let whyNot = '';

/** The addon, loaded once; null when it was not built or does not load here (see nativeUnavailableReason). */
export function loadNativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (!existsSync(ADDON_PATH)) {
    whyNot = 'native kernels not built (npm run build:native needs g++ and libopenblas-dev)';
    return addon;
  }
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (e) {
    whyNot = `native kernels did not load: ${(e as Error).message.split('\n')[0]}`;
  }
  return addon;
}

/** Why loadNativeAddon returned null, in one line. */
export function nativeUnavailableReason(): string {
  return whyNot;
}
