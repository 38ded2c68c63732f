// Evaluations flag a collapsed model, chance-level scores and broken weights; Compare carries the flags.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../runtime/backend';
import type { Dataset, TextExample } from '../../../runtime/data/types';
import { crossEntropy } from '../../../runtime/model/losses';
import { labelIndex, sequenceBatch, toTensors } from '../../../runtime/stages/common/encode';
import { predictLabels } from '../../../runtime/stages/common/predict';
import type { MetricsValue } from '../../../runtime/exec/port-values';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { assignValue } from '../../../runtime/model/task-model';
import { chanceBaselines, predictionFlags } from '../../../runtime/stages/common/metrics';
import { compareStage, evalStage } from '../../../runtime/stages/eval-stages';
import { tf } from '../../../runtime/tf';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));

function dataset(): Dataset {
  const labels = ['billing', 'clinical', 'other'];
  const examples = Array.from({ length: 30 }, (_, i) => ({ text: `note number ${i} about ${labels[i % 3]}`, label: labels[i % 3] }));
  return { task: 'sequence', labels, examples, splits: { train: [], validation: [], test: examples.map((_, i) => i) }, source: 'test', contentHash: 'h' };
}

async function evaluate(biasOfClass0: number) {
  const value = await loadModelFolder(fixture);
  // A huge bias on one class makes every prediction that class, whatever the text.
  assignValue(value.model.p('classifier.bias'), () => tf.tensor1d([biasOfClass0, 0, 0]));
  const logs: { message: string; level: string }[] = [];
  try {
    const out = await evalStage.run({
      params: { split: 'test', batchSize: 16, name: 'collapsed-model' },
      inputs: { model: value, dataset: dataset(), corpus: undefined },
      nodeId: 'ev',
      progress: () => {},
      log: (message: string, level = 'info') => logs.push({ message, level }),
    } as never);
    return { metrics: out.metrics, logs };
  } finally {
    value.model.dispose();
  }
}

describe('chance baselines and prediction flags', () => {
  it('computes the majority and uniform baselines from the gold counts', () => {
    // 69% ham: majority F1(ham) = 2·0.69/1.69 = 0.8166, spam 0 → macro 0.4083; uniform: ham 2·0.69·0.5/1.19 = 0.5798,
    // spam 2·0.31·0.5/0.81 = 0.3827 → macro 0.4813.
    const gold = [...new Array(69).fill(0), ...new Array(31).fill(1)];
    const b = chanceBaselines(gold, ['ham', 'spam']);
    expect(b.majority).toBeCloseTo(0.4083, 4);
    expect(b.uniform).toBeCloseTo(0.4813, 4);
    expect(b.majorityLabel).toBe('ham');
    // Six balanced classes: uniform guessing gets 1/6 per class.
    const six = Array.from({ length: 60 }, (_, i) => i % 6);
    expect(chanceBaselines(six, ['a', 'b', 'c', 'd', 'e', 'f']).uniform).toBeCloseTo(1 / 6, 6);
  });

  it('flags all-one-class predictions as collapsed, naming the class and the gold counts', () => {
    const gold = [0, 0, 0, 1, 1];
    expect(predictionFlags(gold, [0, 0, 0, 0, 0], ['ham', 'spam'], 0.375)).toEqual([
      { code: 'collapsed', message: 'all 5 predictions are "ham" (the gold labels are ham 3, spam 2): the model collapsed to one class' },
    ]);
  });

  it('flags macro-F1 within 0.05 of chance, and not a model clearly above it', () => {
    const six = Array.from({ length: 60 }, (_, i) => i % 6);
    const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
    const noisy = six.map((g, i) => (i % 5 === 0 ? g : (g + 1 + (i % 4)) % 6));
    const flags = predictionFlags(six, noisy, labels, 0.19);
    expect(flags).toHaveLength(1);
    expect(flags[0].code).toBe('chance');
    expect(flags[0].message).toBe('macro-F1 0.190 is within 0.05 of chance 0.167 (always answering "a" scores 0.048, guessing uniformly among 6 labels 0.167)');
    expect(predictionFlags(six, six, labels, 1)).toEqual([]);
    // One gold class only: predicting it everywhere is right, not a collapse.
    expect(predictionFlags([1, 1, 1], [1, 1, 1], labels, 1)).toEqual([]);
  });
});

describe('eval and compare stages', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('an eval whose model predicts one class carries a collapsed flag and logs a warning', async () => {
    const { metrics, logs } = await evaluate(100);
    expect(metrics.values.macroF1).toBeCloseTo(1 / 6, 6); // F1 0.5 for billing, 0 for the others
    expect(metrics.flags).toEqual([{ code: 'collapsed', message: 'all 30 predictions are "billing" (the gold labels are billing 10, clinical 10, other 10): the model collapsed to one class' }]);
    expect(logs).toContainEqual({ level: 'warn', message: `collapsed-model: collapsed: ${metrics.flags![0].message}` });
  });

  it('an eval of a model with NaN weights is flagged diverged', async () => {
    const { metrics } = await evaluate(NaN);
    expect(metrics.flags!.map((f) => f.code)).toContain('diverged');
    expect(metrics.flags!.find((f) => f.code === 'diverged')!.message).toBe('1 of the model\'s weight tensors (first "classifier.bias") hold NaN or Infinity: training diverged, so these scores mean nothing');
  });

  it('a validation pass with loss leaks no tensors and gives the mean cross-entropy of the gold labels', async () => {
    const value = await loadModelFolder(fixture);
    try {
      const data = dataset();
      const idx = data.splits!.test;
      predictLabels(value.model, value.tokenizer, data, idx, { batchSize: 8, maxLength: 16, withLoss: true });
      const before = tf.memory().numTensors;
      const { gold, loss } = predictLabels(value.model, value.tokenizer, data, idx, { batchSize: 8, maxLength: 16, withLoss: true });
      expect(tf.memory().numTensors).toBe(before);
      // The same mean computed in one batch, by the loss the training uses.
      const hb = sequenceBatch(value.tokenizer, idx.map((i) => data.examples[i] as TextExample), labelIndex(value.model.head!.labels, data.labels), 16);
      const { batch, labels } = toTensors(hb);
      const expected = tf.tidy(() => crossEntropy(value.model.forwardSequence(batch, { training: false }), labels).dataSync()[0]);
      tf.dispose([batch.inputIds, batch.attentionMask, labels]);
      expect(gold).toHaveLength(30);
      expect(loss).toBeCloseTo(expected, 5);
    } finally {
      value.model.dispose();
    }
  });

  it('compare carries the flags of its inputs, named', async () => {
    const bad = (await evaluate(100)).metrics;
    const good: MetricsValue = { name: 'good', kind: 'classification', values: { macroF1: 0.9 }, flags: [] };
    const out = await compareStage.run({ params: { primaryMetric: 'macroF1', sort: 'descending' }, inputs: { metrics: [bad, good] } } as never);
    expect(out.metrics.rows!.map((r) => [r.name, r.flags!.map((f) => f.code)])).toEqual([
      ['good', []],
      ['collapsed-model', ['collapsed']],
    ]);
    expect(out.metrics.flags).toEqual([{ code: 'collapsed', message: `collapsed-model: ${bad.flags![0].message}` }]);
  });
});
