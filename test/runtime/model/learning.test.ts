// End to end: a tiny TaskModel learns a toy classification task with trainStep, without leaking tensors.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { crossEntropy } from '../../../runtime/model/losses';
import { AdamW, createSchedule } from '../../../runtime/model/optim';
import { createRng } from '../../../runtime/model/rng';
import { TaskModel } from '../../../runtime/model/task-model';
import { trainStep } from '../../../runtime/model/train-step';
import { describeEachBackend } from '../../helpers/backends';

const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: 40, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32,
  maxPositionEmbeddings: 16, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
};
const B = 16;
const T = 8;
const CLS = 2;
const SIGNAL = 7;

/** A batch where the label says whether SIGNAL occurs among the tokens after [CLS]; half the rows have it. */
function toyBatch(seed: number) {
  const rng = createRng(seed);
  const ids: number[] = [];
  const labels: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = [CLS, ...Array.from({ length: T - 1 }, () => 10 + rng.int(30))];
    const positive = b % 2 === 0;
    if (positive) row[1 + rng.int(T - 1)] = SIGNAL;
    ids.push(...row);
    labels.push(positive ? 1 : 0);
  }
  return {
    batch: { inputIds: tf.tensor2d(ids, [B, T], 'int32'), attentionMask: tf.ones([B, T], 'int32') as tf.Tensor2D },
    labels: tf.tensor1d(labels, 'int32'),
  };
}

function accuracy(model: TaskModel, data: ReturnType<typeof toyBatch>): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(model.forwardSequence(data.batch, { training: false }), 1);
    return tf.mean(tf.cast(tf.equal(predicted, data.labels), 'float32')).dataSync()[0]!;
  });
}

describeEachBackend('learning', () => {
  it('a tiny TaskModel learns "does token 7 occur" and tensor count stays flat over 200 steps', async () => {
    const model = TaskModel.create(config, { seed: 11 });
    model.setClassifier({ task: 'sequence-classification', labels: ['no', 'yes'], pooling: 'mean', dropout: 0.1 }, 12);
    const train = [toyBatch(1), toyBatch(2), toyBatch(3), toyBatch(4)];
    const heldOut = toyBatch(99);
    const rng = createRng(5);
    const params = model.trainableParams();
    const optimizer = new AdamW(params, { lr: createSchedule({ kind: 'linear', lr: 3e-3, warmupSteps: 10, totalSteps: 200 }), weightDecay: 0.01 });
    const accBefore = accuracy(model, heldOut);
    const losses: number[] = [];
    let burnedIn = 0;
    for (let step = 0; step < 200; step++) {
      const data = train[step % train.length]!;
      const r = await trainStep({
        params, optimizer, maxGradNorm: 1,
        lossFn: () => crossEntropy(model.forwardSequence(data.batch, { training: true, rng }), data.labels),
      });
      losses.push(r.loss);
      if (step === 20) burnedIn = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(burnedIn);
    const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)) * 0.5);
    const accAfter = accuracy(model, heldOut);
    expect(accAfter).toBeGreaterThanOrEqual(0.9);
    expect(accAfter).toBeGreaterThan(accBefore);
    optimizer.dispose();
    model.dispose();
  });
});
