// "Try it" on a real (tiny, random) model: class probabilities that sum to one, a tag per word on
// its first sub-token, a truncation flag, a clear error without a head, and no leaked tensors.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { predictText } from '../../../runtime/exec/try-model';
import type { ModelValue } from '../../../runtime/exec/port-values';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../../runtime/model/bert-config';
import { TaskModel } from '../../../runtime/model/task-model';
import { WordPieceTokenizer } from '../../../runtime/text/wordpiece-tokenizer';
import { tf } from '../../../runtime/tf';

const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', 'un', '##believ', '##able', 'free', 'prize'];
const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: vocab.length, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 8,
};

function modelWith(task: 'sequence-classification' | 'token-classification' | null, labels: string[]): ModelValue {
  const model = TaskModel.create(config, { seed: 1 });
  if (task) model.setClassifier({ task, labels, pooling: 'cls', dropout: 0 }, 2);
  return { model, tokenizer: new WordPieceTokenizer(vocab), lineage: [] };
}

describe('predictText', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a sequence head gives the top label and every class’s probability, summing to one', () => {
    const value = modelWith('sequence-classification', ['ham', 'spam', 'other']);
    const before = tf.memory().numTensors;
    const r = predictText(value, 'the cat sat');
    expect(tf.memory().numTensors).toBe(before);
    if (r.task !== 'sequence') throw new Error('expected a sequence result');
    expect(r.probabilities.map((p) => p.label).sort()).toEqual(['ham', 'other', 'spam']);
    expect(r.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
    expect(r.label).toBe(r.probabilities[0].label);
    expect(r.truncated).toBe(false);
    expect(r.tokens).toBe(5);
    // Longer than the model's 8 positions: cut, and said so.
    const long = predictText(value, 'the cat sat on the mat the cat sat on the mat');
    expect(long.task === 'sequence' && long.truncated).toBe(true);
    value.model.dispose();
  });

  it('a token head tags each word once, even a word split into sub-tokens', () => {
    const value = modelWith('token-classification', ['DET', 'NOUN', 'VERB', 'ADJ']);
    const r = predictText(value, 'the unbelievable cat');
    if (r.task !== 'token') throw new Error('expected a token result');
    expect(r.words.map((w) => w.word)).toEqual(['the', 'unbelievable', 'cat']);
    for (const w of r.words) {
      expect(['DET', 'NOUN', 'VERB', 'ADJ']).toContain(w.tag);
      expect(w.probability).toBeGreaterThan(0);
      expect(w.probability).toBeLessThanOrEqual(1);
    }
    expect(r.truncated).toBe(false);
    const long = predictText(value, 'the cat sat on the mat the cat');
    expect(long.task === 'token' && long.truncated && long.words.length).toBe(6);
    value.model.dispose();
  });

  it('a model without a task head says what to add', () => {
    const value = modelWith(null, []);
    expect(() => predictText(value, 'the cat')).toThrow(/no task head yet: add a Head node/);
    value.model.dispose();
  });
});
