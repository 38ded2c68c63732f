// Evaluate node: the classical yardstick, TF-IDF features and logistic regression, scored like Eval.
import { z } from 'zod';
import { defineNode } from './define-node';

export const baselineTfidf = defineNode({
  type: 'baseline-tfidf',
  typeVersion: 1,
  title: 'TF-IDF baseline',
  category: 'Evaluate',
  description: 'Trains TF-IDF (word unigrams + bigrams) with logistic regression on the dataset’s train split and scores it on a split like Eval does (accuracy, macro-F1, per-class precision/recall, confusion). Put it next to a fine-tuned model in a Compare node.',
  inputs: {
    dataset: { type: 'Dataset', description: 'Labelled texts with a train split (and the split to score)' },
    test: { type: 'Dataset', optional: true, description: 'Score on this dataset instead (e.g. an uploaded test file)' },
  },
  outputs: { metrics: { type: 'Metrics' } },
  params: z.object({
    split: z.enum(['test', 'validation', 'train']).default('test').meta({ description: 'Which split to score' }),
    maxFeatures: z.int().min(100).max(200_000).default(20_000).meta({ description: 'Keep the most frequent n-grams up to this many' }),
    l2: z.number().min(0).max(1).default(1e-4).meta({ description: 'L2 penalty on the weights' }),
    epochs: z.int().min(10).max(2000).default(300).meta({ description: 'Full-batch gradient steps' }),
    name: z.string().max(80).default('TF-IDF + logistic regression').meta({ description: 'Name in comparisons' }),
  }),
  cardParams: ['split', 'maxFeatures'],
});
