// The native kernels (OpenBLAS + fused C++ on the wasm heap) against the wasm path: same losses and
// gradients with dropout on, AdamW in place only when safe, and bounds checks on every heap range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { crossEntropy } from '../../../runtime/model/losses';
import { loadNativeAddon } from '../../../runtime/model/ops/native-addon';
import { AdamW } from '../../../runtime/model/optim';
import { createRng } from '../../../runtime/model/rng';
import { TaskModel } from '../../../runtime/model/task-model';
import { tf } from '../../../runtime/tf';

const hasNative = !!loadNativeAddon();
const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: 50, hiddenSize: 24, numHiddenLayers: 2, numAttentionHeads: 3, intermediateSize: 40,
  maxPositionEmbeddings: 16, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
};

/** Loss and every gradient of a masked-LM + classification loss with dropout, on the given backend. */
async function lossAndGrads(backend: 'wasm' | 'native'): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  await initBackend(backend);
  const model = TaskModel.create(config, { seed: 3, mlmHead: true });
  model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b'], pooling: 'pooler', dropout: 0.1 }, 4);
  const rng = createRng(9);
  const ids = tf.tensor2d(Int32Array.from({ length: 3 * 10 }, (_, i) => 5 + ((i * 7) % 45)), [3, 10], 'int32');
  const mask = tf.tensor2d(Int32Array.from({ length: 30 }, (_, i) => (i % 10 < 10 - (i / 10 | 0) * 2 ? 1 : 0)), [3, 10], 'int32');
  const batch = { inputIds: ids as tf.Tensor2D, attentionMask: mask as tf.Tensor2D };
  const positions = tf.tensor1d([1, 4, 12, 20, 22], 'int32');
  const targets = tf.tensor1d([7, -100, 30, 2, 49], 'int32'); // one ignored label
  const labels = tf.tensor1d([0, 1, 1], 'int32');
  const names = model.trainableParams().map((p) => p.name);
  const { value, grads } = tf.variableGrads(
    () => tf.add(crossEntropy(model.forwardMlm(batch, { training: true, rng }, positions), targets), crossEntropy(model.forwardSequence(batch, { training: true, rng }), labels)) as tf.Scalar,
    model.trainableParams().map((p) => p.variable),
  );
  const out: Record<string, Float32Array> = {};
  model.trainableParams().forEach((p, i) => (out[names[i]!] = grads[p.variable.name]!.dataSync() as Float32Array));
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), ids, mask, positions, targets, labels]);
  model.dispose();
  return { loss, grads: out };
}

describe.skipIf(!hasNative)('native kernels', () => {
  let before = '';
  beforeAll(() => {
    before = tf.getBackend();
  });
  afterAll(async () => {
    await initBackend('wasm');
    if (before && before !== 'wasm') await tf.setBackend(before);
  });

  it('give the same loss and gradients as the wasm path, dropout masks included', async () => {
    const wasm = await lossAndGrads('wasm');
    const native = await lossAndGrads('native');
    expect(Math.abs(native.loss - wasm.loss)).toBeLessThan(1e-5);
    let worst = { name: '', diff: 0 };
    for (const [name, g] of Object.entries(wasm.grads)) {
      const n = native.grads[name]!;
      expect(n.length, name).toBe(g.length);
      g.forEach((v, i) => {
        const diff = Math.abs(n[i]! - v) / Math.max(1, Math.abs(v));
        if (diff > worst.diff) worst = { name: `${name}[${i}]`, diff };
      });
    }
    expect(worst.diff, `largest difference at ${worst.name}`).toBeLessThan(1e-5);
  });

  it('AdamW updates in place with the tensor version\'s numbers, and leaves a weight whose buffer is shared to the tensor version', async () => {
    const run = async (backend: 'wasm' | 'native', share: boolean) => {
      await initBackend(backend);
      // As the model makes its weights: the variable owns its buffer (the initial tensor is freed).
      const p = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1, 2, 0.25]), true, `p_${backend}_${share}`));
      const q = tf.tidy(() => tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, `q_${backend}_${share}`));
      const held = share ? tf.clone(p) : null; // shares p's buffer: an in-place update would change it too
      const buffer = p.dataId;
      const opt = new AdamW([{ name: 'p', variable: p, lrScale: 1, weightDecay: true }, { name: 'q', variable: q, lrScale: 0.5, weightDecay: false }], { lr: 0.1, weightDecay: 0.1 });
      for (let step = 1; step <= 3; step++) {
        const g = { [p.name]: tf.tensor1d([0.1 * step, -0.2, 0.3, 0]), [q.name]: tf.tensor2d([[1, -1], [0.5, step]]) };
        opt.step(g);
        tf.dispose(Object.values(g));
      }
      const values = [...p.dataSync(), ...q.dataSync()];
      const heldValues = held ? Array.from(held.dataSync()) : null;
      const inPlace = p.dataId === buffer; // the tensor version assigns a new buffer every step
      tf.dispose([p, q, ...(held ? [held] : [])]);
      opt.dispose();
      return { values, heldValues, inPlace };
    };
    const wasm = await run('wasm', false);
    const native = await run('native', false);
    expect(wasm.inPlace).toBe(false);
    expect(native.inPlace).toBe(true);
    native.values.forEach((v, i) => expect(v).toBeCloseTo(wasm.values[i]!, 5));
    const shared = await run('native', true);
    expect(shared.inPlace).toBe(false);
    expect(shared.heldValues).toEqual([0.5, -1, 2, 0.25]);
    shared.values.forEach((v, i) => expect(v).toBeCloseTo(wasm.values[i]!, 5));
  });

  it('refuse a heap range that leaves the buffer, naming the operand', () => {
    const addon = loadNativeAddon()!;
    const heap = new ArrayBuffer(64);
    expect(() => addon.gelu(heap, 0, 32, 16)).toThrow(/y lies outside the heap/);
    expect(() => addon.gelu(heap, -4, 0, 1)).toThrow(/x lies outside the heap/);
    // C = A·B with 2×2 matrices: B at byte 48 needs 16 bytes, C at byte 56 needs 16 (only 8 left).
    const p = new Float64Array([0, 0, 2, 2, 2, 1, 0, 0, 2, 0, 0, 32, 2, 0, 0, 56, 2, 0, 0, 1, 1, -1]);
    expect(() => addon.gemm(heap, p)).toThrow(/C lies outside the heap/);
    expect(() => addon.gemm(heap, new Float64Array(3))).toThrow(/22 parameters/);
  });

  it('computes a strided batched GEMM (heads read in place from [B, T, H]) like the formula', () => {
    const addon = loadNativeAddon()!;
    // Two heads of width 2 in one [T=3, H=4] matrix: scores_h = Q_h·Q_hᵀ.
    const heap = new ArrayBuffer(4 * (12 + 18));
    const f = new Float32Array(heap);
    const q = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    f.set(q);
    // gemm: transB, m=n=3, k=2; A,B: ld 4, head stride 2; C: [2 heads, 3, 3].
    addon.gemm(heap, new Float64Array([0, 1, 3, 3, 2, 1, 0, 0, 4, 0, 2, 0, 4, 0, 2, 48, 3, 0, 9, 1, 2, -1]));
    const expected: number[] = [];
    for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expected.push(q[i * 4 + h * 2]! * q[j * 4 + h * 2]! + q[i * 4 + h * 2 + 1]! * q[j * 4 + h * 2 + 1]!);
    expect(Array.from(f.subarray(12))).toEqual(expected);
  });
});
