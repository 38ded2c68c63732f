// Evaluate node: scores a model on a dataset split or a corpus.
import { z } from 'zod';
import { defineNode } from './define-node';

export const evalNode = defineNode({
  type: 'eval',
  typeVersion: 1,
  title: 'Evaluate',
  category: 'Evaluate',
  description: 'Scores the model: accuracy, macro-F1, per-class precision/recall and a confusion matrix for classification; token accuracy and F1 for tagging; masked-LM perplexity on a corpus.',
  inputs: {
    model: { type: 'Model' },
    dataset: { type: 'Dataset', optional: true },
    corpus: { type: 'Corpus', optional: true, description: 'Measure masked-LM perplexity on this text' },
  },
  outputs: { metrics: { type: 'Metrics' } },
  params: z.object({
    split: z.enum(['test', 'validation', 'train']).default('test').meta({ description: 'Which split of the dataset to score' }),
    batchSize: z.int().min(1).max(1024).default(64).meta({ description: 'Examples per forward pass' }),
    name: z.string().max(80).default('').meta({ description: 'Name in comparisons (defaults to the node label)' }),
  }),
  cardParams: ['split'],
  requireOneOf: [['dataset', 'corpus']],
});
