// A long training run keeps its memory flat: same tensor count, same wasm heap, no RSS creep, on every backend.
import { expect, it } from 'vitest';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { crossEntropy } from '../../../runtime/model/losses';
import { AdamW } from '../../../runtime/model/optim';
import { createRng } from '../../../runtime/model/rng';
import { TaskModel } from '../../../runtime/model/task-model';
import { trainStep } from '../../../runtime/model/train-step';
import { tf } from '../../../runtime/tf';
import { describeEachBackend } from '../../helpers/backends';

const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: 300, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 128,
  maxPositionEmbeddings: 32, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
};

/** Bytes of the wasm heap (it grows to the true peak and never shrinks); 0 off wasm. */
function wasmHeapBytes(): number {
  return (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength ?? 0;
}

describeEachBackend('long training run', (backend) => {
  // The pure-JS cpu backend needs minutes for this; its tensor count is checked by train-step.test.
  it.skipIf(backend === 'cpu')('keeps tensor count, wasm heap and RSS flat over 60 masked-LM + classification steps with dropout', async () => {
    const model = TaskModel.create(config, { seed: 1, mlmHead: true });
    model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b'], pooling: 'pooler', dropout: 0.1 }, 2);
    const rng = createRng(5);
    const B = 8;
    const T = 24;
    const batch = {
      inputIds: tf.tensor2d(Int32Array.from({ length: B * T }, () => 5 + rng.int(295)), [B, T], 'int32') as tf.Tensor2D,
      attentionMask: tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i % T < T - (i / T | 0) ? 1 : 0)), [B, T], 'int32') as tf.Tensor2D,
    };
    const positions = tf.tensor1d([1, 7, 30, 44, 90, 101, 150], 'int32');
    const targets = tf.tensor1d([9, 8, 7, 6, 5, 4, 3], 'int32');
    const labels = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 2), 'int32');
    const params = model.trainableParams();
    const optimizer = new AdamW(params, { lr: 1e-3 });
    const lossFn = () =>
      tf.add(crossEntropy(model.forwardMlm(batch, { training: true, rng }, positions), targets), crossEntropy(model.forwardSequence(batch, { training: true, rng }), labels)) as tf.Scalar;
    const step = () => trainStep({ params, lossFn, optimizer, maxGradNorm: 1 });
    // Burn-in: the wasm heap, the native kernels' buffers and V8's compiled code reach their working size.
    for (let i = 0; i < 20; i++) await step();
    const tensors = tf.memory().numTensors;
    const heap = wasmHeapBytes();
    const rss = process.memoryUsage().rss;
    let last = 0;
    for (let i = 0; i < 60; i++) last = (await step()).loss;
    expect(Number.isFinite(last)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmHeapBytes()).toBe(heap);
    // RSS also moves with V8's garbage between collections, so it gets a margin; tensors and heap are exact.
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
    optimizer.dispose();
    model.dispose();
    tf.dispose([batch.inputIds, batch.attentionMask, positions, targets, labels]);
  });
});
