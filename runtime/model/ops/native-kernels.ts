// tfjs kernels on the wasm backend that call the native addon on the wasm heap in place: GEMM with
// transposes and strided head layouts (OpenBLAS), fused GELU, LayerNorm, attention, dropout, AdamW.
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from './native-addon';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackendLike {
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number; refCount: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  wasm: { HEAPU8: Uint8Array };
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

let active = false;
let native: NativeAddon | null = null;

/** True when the native kernels are switched on and the wasm backend is the active one. */
export function nativeActive(): boolean {
  return active && tf.getBackend() === 'wasm';
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Heap access for one kernel call. Take `heap()` only after every makeOutput: allocation can grow (and replace) the heap buffer. */
function wasmOf(backend: unknown) {
  const b = backend as WasmBackendLike;
  return {
    b,
    off(t: tf.TensorInfo): number {
      const d = b.dataIdMap.get(t.dataId);
      if (!d) throw new Error('native kernel: tensor data is not on the wasm backend');
      return d.memoryOffset;
    },
    heap: () => b.wasm.HEAPU8.buffer as ArrayBuffer,
  };
}

/** One GEMM operand: byte offset, leading dimension and the two batch strides (floats). */
interface GemmOperand {
  off: number;
  ld: number;
  s1: number;
  s2: number;
}

/** C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i] (+ bias) for i < count1·count2. */
function gemmRaw(
  heap: ArrayBuffer,
  o: { transA: boolean; transB: boolean; m: number; n: number; k: number; alpha?: number; beta?: number; a: GemmOperand; b: GemmOperand; c: GemmOperand; count1: number; count2?: number; bias?: number },
): void {
  const { a, b, c } = o;
  native!.gemm(heap, new Float64Array([
    o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.alpha ?? 1, o.beta ?? 0,
    a.off, a.ld, a.s1, a.s2, b.off, b.ld, b.s1, b.s2, c.off, c.ld, c.s1, c.s2,
    o.count1, o.count2 ?? 1, o.bias ?? -1,
  ]));
}

/**
 * a [..., r, c] · b [..., r', c'] with logical transposes → [..., m, n]. Batch dims must be equal or
 * one side has none / a single item (then it is reused for every item). Optional bias [n] on every row.
 */
function gemmKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const transA = !!attrs.transposeA;
  const transB = !!attrs.transposeB;
  const w = wasmOf(backend);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const k = a.shape[transA ? ra - 2 : ra - 1]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  const kB = b.shape[transB ? rb - 1 : rb - 2]!;
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  if (k !== kB || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    throw new Error(`native matMul: cannot multiply [${a.shape}]${transA ? 'ᵀ' : ''} by [${b.shape}]${transB ? 'ᵀ' : ''}`);
  }
  const batchShape = (batchA >= batchB ? a : b).shape.slice(0, -2);
  const batch = Math.max(batchA, batchB);
  const out = w.b.makeOutput([...batchShape, m, n], 'float32');
  gemmRaw(w.heap(), {
    transA, transB, m, n, k,
    a: { off: w.off(a), ld: transA ? m : k, s1: batchA === 1 ? 0 : m * k, s2: 0 },
    b: { off: w.off(b), ld: transB ? k : n, s1: batchB === 1 ? 0 : k * n, s2: 0 },
    c: { off: w.off(out), ld: n, s1: m * n, s2: 0 },
    count1: batch,
    bias: bias ? w.off(bias) : -1,
  });
  return out;
}

/** tfjs's BatchMatMul, replaced while native is on; anything unusual goes to the original kernel. */
let originalBatchMatMul: tf.KernelConfig | undefined;
function batchMatMulKernel(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  const simple = a.dtype === 'float32' && b.dtype === 'float32' && (batchA === batchB || batchA === 1 || batchB === 1) && a.shape.length === b.shape.length;
  if (!simple) return originalBatchMatMul!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  return gemmKernel(args);
}

function geluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const w = wasmOf(backend);
  const y = w.b.makeOutput(x.shape, 'float32');
  native!.gelu(w.heap(), w.off(x), w.off(y), size(x.shape));
  return y;
}

function geluGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const w = wasmOf(backend);
  const dx = w.b.makeOutput(x.shape, 'float32');
  native!.geluGrad(w.heap(), w.off(x), w.off(dy), w.off(dx), size(x.shape));
  return dx;
}

function layerNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  const h = x.shape[x.shape.length - 1]!;
  const rows = size(x.shape) / h;
  const w = wasmOf(backend);
  const y = w.b.makeOutput(x.shape, 'float32');
  const xhat = w.b.makeOutput([rows, h], 'float32');
  const rstd = w.b.makeOutput([rows, 1], 'float32');
  native!.layerNorm(w.heap(), w.off(x), w.off(gamma), w.off(beta), w.off(y), w.off(xhat), w.off(rstd), rows, h, attrs.eps as number);
  return [y, xhat, rstd];
}

function layerNormGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { dy, xhat, gamma, rstd } = inputs as Record<string, tf.TensorInfo>;
  const [rows, h] = xhat!.shape as [number, number];
  const w = wasmOf(backend);
  const dx = w.b.makeOutput(dy!.shape, 'float32');
  const dg = w.b.makeOutput([h], 'float32');
  const db = w.b.makeOutput([h], 'float32');
  native!.layerNormGrad(w.heap(), w.off(dy!), w.off(xhat!), w.off(gamma!), w.off(rstd!), w.off(dx), w.off(dg), w.off(db), rows, h);
  return [dx, dg, db];
}

/** Operand view of head `i2` of batch item `i1` inside a [B, T, H] tensor: rows of d floats, H apart. */
function headView(off: number, T: number, H: number, d: number): GemmOperand {
  return { off, ld: H, s1: T * H, s2: d };
}

/** Operand view of the [T, T] block of (batch, head) inside [B, heads, T, T]. */
function scoreView(off: number, heads: number, T: number): GemmOperand {
  return { off, ld: T, s1: heads * T * T, s2: T * T };
}

/**
 * Attention over [B, T, H] inputs without splitting heads into copies: probs = softmax(scale·q·kᵀ + mask)
 * per (batch, head), context = (probs ⊙ keep·keepScale)·v written straight into [B, T, H].
 * Outputs [context, probs]; `keep` (bool [B, heads, T, T]) is the dropout mask, `maskAdd` [B, T] additive.
 */
function attentionKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { q, k, v, maskAdd, keep } = inputs as Record<string, tf.TensorInfo | undefined>;
  const heads = attrs.heads as number;
  const [B, T, H] = q!.shape as [number, number, number];
  const d = H / heads;
  const w = wasmOf(backend);
  const probs = w.b.makeOutput([B, heads, T, T], 'float32');
  const context = w.b.makeOutput([B, T, H], 'float32');
  const dropped = keep ? w.b.makeOutput([B, heads, T, T], 'float32') : null;
  const heap = w.heap();
  const pOff = w.off(probs);
  gemmRaw(heap, { transA: false, transB: true, m: T, n: T, k: d, a: headView(w.off(q!), T, H, d), b: headView(w.off(k!), T, H, d), c: scoreView(pOff, heads, T), count1: B, count2: heads });
  native!.softmax(heap, pOff, pOff, maskAdd ? w.off(maskAdd) : -1, attrs.scale as number, B * heads * T, T, heads * T);
  let used = pOff;
  if (dropped) {
    native!.maskedScale(heap, pOff, w.off(keep!), w.off(dropped), attrs.keepScale as number, B * heads * T * T);
    used = w.off(dropped);
  }
  gemmRaw(heap, { transA: false, transB: false, m: T, n: d, k: T, a: scoreView(used, heads, T), b: headView(w.off(v!), T, H, d), c: headView(w.off(context), T, H, d), count1: B, count2: heads });
  if (dropped) w.b.disposeData(dropped.dataId, true);
  return [context, probs];
}

/** Backward of attentionKernel: [dq, dk, dv], all [B, T, H]. Scratch score-sized buffers are freed before returning. */
function attentionGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { dy, q, k, v, probs, keep } = inputs as Record<string, tf.TensorInfo | undefined>;
  const heads = attrs.heads as number;
  const scale = attrs.scale as number;
  const [B, T, H] = q!.shape as [number, number, number];
  const d = H / heads;
  const w = wasmOf(backend);
  const dq = w.b.makeOutput([B, T, H], 'float32');
  const dk = w.b.makeOutput([B, T, H], 'float32');
  const dv = w.b.makeOutput([B, T, H], 'float32');
  const ds = w.b.makeOutput([B, heads, T, T], 'float32');
  const heap = w.heap();
  const n = B * heads * T * T;
  const pOff = w.off(probs!);
  const dsOff = w.off(ds);
  const count = { count1: B, count2: heads };
  // dv = P̃ᵀ·dy, with P̃ (dropped probabilities) rebuilt in the ds buffer first.
  let dropped = pOff;
  if (keep) {
    native!.maskedScale(heap, pOff, w.off(keep), dsOff, attrs.keepScale as number, n);
    dropped = dsOff;
  }
  gemmRaw(heap, { transA: true, transB: false, m: T, n: d, k: T, a: scoreView(dropped, heads, T), b: headView(w.off(dy!), T, H, d), c: headView(w.off(dv), T, H, d), ...count });
  // dP = dy·vᵀ (then through the dropout mask), dS = scale·P ⊙ (dP − Σ dP⊙P), in place.
  gemmRaw(heap, { transA: false, transB: true, m: T, n: T, k: d, a: headView(w.off(dy!), T, H, d), b: headView(w.off(v!), T, H, d), c: scoreView(dsOff, heads, T), ...count });
  if (keep) native!.maskedScale(heap, dsOff, w.off(keep), dsOff, attrs.keepScale as number, n);
  native!.softmaxGrad(heap, dsOff, pOff, dsOff, scale, B * heads * T, T);
  // dq = dS·k, dk = dSᵀ·q.
  gemmRaw(heap, { transA: false, transB: false, m: T, n: d, k: T, a: scoreView(dsOff, heads, T), b: headView(w.off(k!), T, H, d), c: headView(w.off(dq), T, H, d), ...count });
  gemmRaw(heap, { transA: true, transB: false, m: T, n: d, k: T, a: scoreView(dsOff, heads, T), b: headView(w.off(q!), T, H, d), c: headView(w.off(dk), T, H, d), ...count });
  w.b.disposeData(ds.dataId, true);
  return [dq, dk, dv];
}

function columnSumsKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const cols = x.shape[x.shape.length - 1]!;
  const w = wasmOf(backend);
  const out = w.b.makeOutput([cols], 'float32');
  native!.columnSums(w.heap(), w.off(x), w.off(out), size(x.shape) / cols, cols);
  return out;
}

function dropoutKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, keep } = inputs as { x: tf.TensorInfo; keep: tf.TensorInfo };
  const w = wasmOf(backend);
  const out = w.b.makeOutput(x.shape, 'float32');
  native!.maskedScale(w.heap(), w.off(x), w.off(keep), w.off(out), attrs.scale as number, size(x.shape));
  return out;
}

function segmentSumKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, ids } = inputs as { x: tf.TensorInfo; ids: tf.TensorInfo };
  const vocab = attrs.vocab as number;
  const h = x.shape[x.shape.length - 1]!;
  const w = wasmOf(backend);
  const out = w.b.makeOutput([vocab, h], 'float32');
  native!.segmentSum(w.heap(), w.off(x), w.off(ids), w.off(out), size(ids.shape), h, vocab);
  return out;
}

function crossEntropyKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
  const [rows, c] = logits.shape as [number, number];
  const w = wasmOf(backend);
  const out = w.b.makeOutput([], 'float32');
  native!.crossEntropy(w.heap(), w.off(logits), w.off(labels), w.off(out), rows, c, attrs.ignoreIndex as number);
  return out;
}

function crossEntropyGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { logits, labels, dy } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo; dy: tf.TensorInfo };
  const [rows, c] = logits.shape as [number, number];
  const w = wasmOf(backend);
  const dlogits = w.b.makeOutput([rows, c], 'float32');
  native!.crossEntropyGrad(w.heap(), w.off(logits), w.off(labels), w.off(dy), w.off(dlogits), rows, c, attrs.ignoreIndex as number);
  return dlogits;
}

/** Kernel names (wasm backend only, while native is on). */
export const NATIVE = {
  gemm: 'TunegraphNativeGemm',
  gelu: 'TunegraphNativeGelu',
  geluGrad: 'TunegraphNativeGeluGrad',
  layerNorm: 'TunegraphNativeLayerNorm',
  layerNormGrad: 'TunegraphNativeLayerNormGrad',
  attention: 'TunegraphNativeAttention',
  attentionGrad: 'TunegraphNativeAttentionGrad',
  columnSums: 'TunegraphNativeColumnSums',
  dropout: 'TunegraphNativeDropout',
  segmentSum: 'TunegraphNativeSegmentSum',
  crossEntropy: 'TunegraphNativeCrossEntropy',
  crossEntropyGrad: 'TunegraphNativeCrossEntropyGrad',
} as const;

const KERNELS: [string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]][] = [
  [NATIVE.gemm, gemmKernel],
  [NATIVE.gelu, geluKernel],
  [NATIVE.geluGrad, geluGradKernel],
  [NATIVE.layerNorm, layerNormKernel],
  [NATIVE.layerNormGrad, layerNormGradKernel],
  [NATIVE.attention, attentionKernel],
  [NATIVE.attentionGrad, attentionGradKernel],
  [NATIVE.columnSums, columnSumsKernel],
  [NATIVE.dropout, dropoutKernel],
  [NATIVE.segmentSum, segmentSumKernel],
  [NATIVE.crossEntropy, crossEntropyKernel],
  [NATIVE.crossEntropyGrad, crossEntropyGradKernel],
];

/**
 * Switches the native kernels on (true) or off for the wasm backend. On: registers ours and replaces
 * BatchMatMul (so every tf.matMul, transposed or not, runs on OpenBLAS over both cores). Off: puts
 * tfjs-wasm's BatchMatMul back. Returns false when the addon is not available.
 */
export function setNativeKernels(on: boolean): boolean {
  if (on) {
    native = loadNativeAddon();
    if (!native) return false;
    for (const [kernelName, kernelFunc] of KERNELS) {
      if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
    }
    const current = tf.getKernel('BatchMatMul', 'wasm');
    if (current && current.kernelFunc !== (batchMatMulKernel as unknown)) {
      originalBatchMatMul = current;
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMulKernel as tf.KernelFunc });
    }
    active = true;
    return true;
  }
  if (originalBatchMatMul && tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc === (batchMatMulKernel as unknown)) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(originalBatchMatMul);
  }
  active = false;
  return true;
}

/** What the native kernels run on, e.g. "OpenBLAS 0.3.21 (Cooperlake), 2 threads". */
export function nativeDescription(): string | null {
  const a = loadNativeAddon();
  if (!a) return null;
  const i = a.info();
  const version = /OpenBLAS [\d.]+/.exec(i.blasConfig)?.[0] ?? 'OpenBLAS';
  return `${version} (${i.blasCore}), ${i.threads} thread${i.threads === 1 ? '' : 's'}`;
}

/**
 * AdamW update of p, m, v in place on the wasm heap. Only when each buffer belongs to its variable
 * alone (refCount 1: nobody else can see the change) and the shapes agree; returns false otherwise
 * so the caller runs the tensor version.
 */
export function nativeAdamW(
  p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor,
  o: { beta1: number; beta2: number; decay: number; stepSize: number; sqrtBc2: number; eps: number },
): boolean {
  if (!nativeActive() || !native) return false;
  if (p.dtype !== 'float32' || g.dtype !== 'float32' || g.size !== p.size || m.size !== p.size || v.size !== p.size) return false;
  const w = wasmOf(tf.backend());
  const own = (t: tf.Tensor) => w.b.dataIdMap.get(t.dataId)?.refCount === 1;
  if (!own(p) || !own(m) || !own(v) || p.dataId === m.dataId || p.dataId === v.dataId || m.dataId === v.dataId) return false;
  native.adamw(w.heap(), w.off(p), w.off(m), w.off(v), w.off(g), p.size, o.beta1, o.beta2, o.decay, o.stepSize, o.sqrtBc2, o.eps);
  return true;
}

/** Runs one of the NATIVE kernels on the current (wasm) backend; absent optional inputs are left out. */
export function runNative<T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: Record<string, tf.Tensor | undefined>, attrs: tf.NamedAttrMap = {}): T {
  const present: tf.NamedTensorMap = {};
  for (const [key, t] of Object.entries(inputs)) if (t) present[key] = t;
  return tf.engine().runKernel(name, present, attrs) as unknown as T;
}
