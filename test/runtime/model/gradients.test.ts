// Finite-difference gradient checks through the whole TaskModel: attention, LayerNorm, embeddings,
// the tied MLM decoder, the classifier path and LoRA adapters (cpu backend, float32 central differences).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { TaskModel, type Batch } from '../../../runtime/model/task-model';
import { tf, type Variable } from '../../../runtime/tf';
import { checkGradients } from '../../helpers/grad-check';

const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: 20, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 12,
  maxPositionEmbeddings: 8, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0,
};
const options = { eps: 1e-2, rtol: 3e-2, atol: 2e-3, maxElements: 16 };

/** A model with weights large enough that attention is far from uniform and every path matters. */
function bigWeights(withHeads: boolean): TaskModel {
  const model = TaskModel.create(config, { seed: 11, mlmHead: withHeads });
  if (withHeads) model.setClassifier({ task: 'sequence-classification', labels: ['a', 'b', 'c'], pooling: 'pooler', dropout: 0 }, 12);
  let seed = 100;
  for (const [name, v] of model.params) {
    const std = name.includes('LayerNorm') ? 0.2 : 0.5;
    const mean = name.endsWith('LayerNorm.weight') ? 1 : 0;
    tf.tidy(() => {
      v.assign(tf.randomNormal(v.shape, mean, std, 'float32', seed++));
    });
  }
  return model;
}

function batch(): Batch {
  return {
    inputIds: tf.tensor2d([[2, 5, 9, 3], [2, 7, 3, 0]], undefined, 'int32'),
    attentionMask: tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], undefined, 'int32'),
    tokenTypeIds: tf.tensor2d([[0, 0, 1, 1], [0, 0, 0, 0]], undefined, 'int32'),
  };
}

/**
 * f(...xs) with the named weights replaced by xs for one evaluation (so tf.grads sees them as
 * inputs), then restored.
 */
function withWeights(model: TaskModel, names: string[], body: () => tf.Scalar): (...xs: tf.Tensor[]) => tf.Scalar {
  return (...xs) => {
    const saved = names.map((n) => model.p(n));
    names.forEach((n, i) => model.params.set(n, xs[i] as Variable));
    try {
      return body();
    } finally {
      names.forEach((n, i) => model.params.set(n, saved[i]!));
    }
  };
}

describe('gradients through the model match finite differences [cpu]', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('attention (q, k, v, output) and its LayerNorm', () => {
    const model = bigWeights(false);
    const b = batch();
    const probe = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 5); // fixed projection of the sequence output
    const p = 'bert.encoder.layer.0.attention';
    const names = [`${p}.self.query.weight`, `${p}.self.key.weight`, `${p}.self.value.weight`, `${p}.self.key.bias`, `${p}.output.dense.weight`, `${p}.output.LayerNorm.weight`, `${p}.output.LayerNorm.bias`];
    const f = withWeights(model, names, () => tf.sum(tf.mul(model.encode(b, { training: false }), probe)) as tf.Scalar);
    const report = checkGradients(f, names.map((n) => model.p(n)), options);
    expect(report.checked).toBeGreaterThan(60);
    tf.dispose([probe, b.inputIds, b.attentionMask, b.tokenTypeIds!]);
    model.dispose();
  });

  it('embeddings, FFN, pooler, classifier and the tied MLM decoder', () => {
    const model = bigWeights(true);
    const b = batch();
    const labels = tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3);
    const names = [
      'bert.embeddings.word_embeddings.weight',
      'bert.embeddings.position_embeddings.weight',
      'bert.embeddings.LayerNorm.weight',
      'bert.encoder.layer.0.intermediate.dense.weight',
      'bert.encoder.layer.0.output.dense.bias',
      'bert.pooler.dense.weight',
      'classifier.weight',
      'cls.predictions.transform.dense.weight',
      'cls.predictions.bias',
    ];
    const positions = tf.tensor1d([1, 2, 5], 'int32');
    const f = withWeights(model, names, () => {
      const cls = tf.sum(tf.mul(tf.logSoftmax(model.forwardSequence(b, { training: false })), labels));
      const mlm = tf.mean(tf.logSoftmax(model.forwardMlm(b, { training: false }, positions)));
      return tf.add(cls, tf.mul(mlm, 10)) as tf.Scalar;
    });
    const report = checkGradients(f, names.map((n) => model.p(n)), options);
    expect(report.checked).toBeGreaterThan(80);
    tf.dispose([labels, positions, b.inputIds, b.attentionMask, b.tokenTypeIds!]);
    model.dispose();
  });

  it('LoRA A and B on attention and FFN modules (base weights frozen)', () => {
    const model = bigWeights(false);
    model.addLora({ rank: 2, alpha: 4, dropout: 0, targetModules: ['value', 'output'], seed: 3 });
    for (const [, v] of model.params) v.trainable = false;
    const adapters = [...model.lora.values()];
    let seed = 50;
    for (const a of adapters) {
      tf.tidy(() => {
        a.B.assign(tf.randomNormal(a.B.shape, 0, 0.5, 'float32', seed++));
      });
    }
    const b = batch();
    const probe = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 6);
    const f = (...xs: tf.Tensor[]) => {
      const saved = adapters.map((a) => [a.A, a.B] as const);
      adapters.forEach((a, i) => {
        a.A = xs[2 * i] as Variable;
        a.B = xs[2 * i + 1] as Variable;
      });
      try {
        return tf.sum(tf.mul(model.encode(b, { training: false }), probe)) as tf.Scalar;
      } finally {
        adapters.forEach((a, i) => {
          a.A = saved[i]![0];
          a.B = saved[i]![1];
        });
      }
    };
    const report = checkGradients(f, adapters.flatMap((a) => [a.A, a.B]), options);
    expect(report.checked).toBeGreaterThan(40);
    tf.dispose([probe, b.inputIds, b.attentionMask, b.tokenTypeIds!]);
    model.dispose();
  });
});
