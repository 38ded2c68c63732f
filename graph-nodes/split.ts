// Data node: seeded, stratified train/validation/test split.
import { z } from 'zod';
import { defineNode } from './define-node';

export const split = defineNode({
  type: 'split',
  typeVersion: 1,
  title: 'Split',
  category: 'Data',
  description: 'Splits a dataset into train, validation and test parts, stratified by label, reproducibly for a seed. Optionally keeps only a few labelled training examples.',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { dataset: { type: 'Dataset' } },
  params: z.object({
    trainRatio: z.number().min(0.01).max(0.98).default(0.7).meta({ description: 'Share of examples for training' }),
    validationRatio: z.number().min(0).max(0.5).default(0.1).meta({ description: 'Share for validation (early stopping)' }),
    testRatio: z.number().min(0).max(0.9).default(0.2).meta({ description: 'Share held out for the final test (0 when the test set is a separate file)' }),
    stratify: z.boolean().default(true).meta({ description: 'Keep label proportions equal in every part' }),
    maxTrainExamples: z.int().min(0).max(1_000_000).default(0).meta({ description: 'Keep at most this many training examples (0 = all), e.g. 200 labelled emails' }),
    seed: z.int().min(0).max(2 ** 31 - 1).default(0).meta({ description: 'Random seed' }),
  }),
  cardParams: ['trainRatio', 'testRatio', 'seed'],
  check: (p) => {
    const sum = p.trainRatio + p.validationRatio + p.testRatio;
    return Math.abs(sum - 1) > 1e-6
      ? [{ param: 'testRatio', message: `train + validation + test ratios must add up to 1, got ${+sum.toFixed(4)}` }]
      : [];
  },
});
