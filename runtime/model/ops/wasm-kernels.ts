// wasm kernels training needs: UnsortedSegmentSum (gather's gradient, missing), a zero-copy Identity, and a fast batched matMul.
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm this file uses (it exports no stable type for them). */
interface WasmBackendLike {
  incRef(dataId: tf.DataId): void;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * UnsortedSegmentSum on wasm, written in JS over the wasm heap: out[segmentIds[i], ...] += x[i, ...].
 * segmentIds' shape is a prefix of x's shape; ids outside [0, numSegments) are dropped, as TF does.
 */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as tf.TensorInfo;
  const segmentIds = args.inputs.segmentIds as tf.TensorInfo;
  const numSegments = args.attrs.numSegments as number;
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  const xSize = x.shape.reduce((a, b) => a * b, 1);
  const rowSize = n === 0 ? 0 : xSize / n;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views are taken after makeOutput: allocating can grow the wasm heap and detach older views.
  const outValues = backend.typedArrayFromHeap(out);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outValues.fill(0); // heap memory is not zeroed
  for (let i = 0; i < n; i++) {
    const seg = ids[i];
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * rowSize;
    const dst = seg * rowSize;
    for (let j = 0; j < rowSize; j++) outValues[dst + j] += xValues[src + j];
  }
  return out;
}

/**
 * Identity on wasm that shares the input's buffer (as Reshape and the cpu backend's Identity do)
 * instead of copying it. The engine clones every tensor a gradient saves for the backward pass
 * through Identity, so tfjs-wasm's copying version cost ~300 MiB and ~90 ms per training step of a
 * 2-layer D128 model at 32x128. Sharing is safe: tensors are immutable and Variable.assign swaps buffers.
 */
function sharedIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') throw new Error('wasm Identity: string tensors are not supported here');
  (args.backend as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Name of our batched matMul kernel (wasm only; ops/matmul falls back to tf.matMul elsewhere). */
export const BATCH_MATMUL_VIEWS = 'TunegraphBatchMatMulViews';

let wasmBatchMatMul: ((...args: unknown[]) => void) | null = null;

/**
 * a [B, M, K] · b [B, K, N] → [B, M, N], float32, no transposes, equal batch sizes.
 * tfjs-wasm's BatchMatMul with B > 1 runs a generic loop at ~3.5 GFLOP/s, but with B = 1 it goes
 * to XNNPACK (30–45 GFLOP/s). So each batch element is handed to the same C++ kernel as a B = 1
 * product over *views*: tensor ids registered on sub-ranges of the inputs' and output's heap
 * memory (no copies), disposed right after (which also drops any XNNPACK operator cached for
 * them; ids are never reused). Measured: attention-shaped [128,128,32]·[128,32,128] 40 → 5.6 ms.
 */
function batchMatMulViews(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const [batch, m, k] = a.shape as [number, number, number];
  const [batchB, kB, n] = b.shape as [number, number, number];
  if (a.shape.length !== 3 || b.shape.length !== 3 || batch !== batchB || k !== kB || a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`${BATCH_MATMUL_VIEWS}: need float32 [B, M, K]·[B, K, N], got [${a.shape}] ${a.dtype} and [${b.shape}] ${b.dtype}`);
  }
  wasmBatchMatMul ??= backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
  const out = backend.makeOutput([batch, m, n], 'float32');
  const offset = (t: tf.TensorInfo) => {
    const d = backend.dataIdMap.get(t.dataId);
    if (!d) throw new Error(`${BATCH_MATMUL_VIEWS}: tensor data not found on the wasm backend`);
    return d.memoryOffset;
  };
  const aOff = offset(a);
  const bOff = offset(b);
  const oOff = offset(out);
  const aShape = new Uint8Array(new Int32Array([1, m, k]).buffer);
  const bShape = new Uint8Array(new Int32Array([1, k, n]).buffer);
  const tfjs = backend.wasm.tfjs;
  for (let i = 0; i < batch; i++) {
    const ia = backend.dataIdNextNumber++;
    const ib = backend.dataIdNextNumber++;
    const io = backend.dataIdNextNumber++;
    tfjs.registerTensor(ia, m * k, aOff + i * m * k * 4);
    tfjs.registerTensor(ib, k * n, bOff + i * k * n * 4);
    tfjs.registerTensor(io, m * n, oOff + i * m * n * 4);
    wasmBatchMatMul(ia, aShape, 3, ib, bShape, 3, false, false, io);
    tfjs.disposeData(ia);
    tfjs.disposeData(ib);
    tfjs.disposeData(io);
  }
  return out;
}

/** Name of our row-gather kernel (wasm only). */
export const GATHER_ROWS = 'TunegraphGatherRows';

/**
 * table [V, H] rows by int32 ids [N] → [N, H], copying whole rows with TypedArray.set. tfjs-wasm's
 * GatherV2 walks element by element (~20 ms for 4096×128); row copies take ~1 ms. Out-of-range ids throw.
 */
function gatherRows(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const table = args.inputs.table as tf.TensorInfo;
  const ids = args.inputs.ids as tf.TensorInfo;
  const [vocab, hidden] = table.shape as [number, number];
  const n = ids.shape[0] as number;
  const out = backend.makeOutput([n, hidden], table.dtype);
  // Views after makeOutput: allocating can grow the heap and detach older views.
  const o = backend.typedArrayFromHeap(out);
  const t = backend.typedArrayFromHeap(table);
  const idv = backend.typedArrayFromHeap(ids);
  for (let i = 0; i < n; i++) {
    const id = idv[i] as number;
    if (id < 0 || id >= vocab) throw new Error(`embedding lookup: id ${id} at position ${i} is outside the table's ${vocab} rows`);
    o.set(t.subarray(id * hidden, (id + 1) * hidden), i * hidden);
  }
  return out;
}

const OURS: { kernelName: string; kernelFunc: unknown }[] = [
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
  { kernelName: GATHER_ROWS, kernelFunc: gatherRows },
  { kernelName: BATCH_MATMUL_VIEWS, kernelFunc: batchMatMulViews },
  { kernelName: 'Identity', kernelFunc: sharedIdentity },
];

/**
 * Registers our wasm kernels, replacing what is there. Kernels are keyed by backend name, so this
 * works before the wasm backend loads — but importing @tensorflow/tfjs-backend-wasm afterwards
 * re-registers its own Identity, so runtime/backend.ts calls this again when it starts wasm.
 * Cheap and idempotent; also runs when this module is imported.
 */
export function registerWasmGradientKernels(): void {
  for (const { kernelName, kernelFunc } of OURS) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  }
}

registerWasmGradientKernels();
