// Model node: the task head on top of the encoder.
import { z } from 'zod';
import { defineNode } from './define-node';

export const head = defineNode({
  type: 'head',
  typeVersion: 1,
  title: 'Task head',
  category: 'Model',
  description: 'Adds a classification head: one label per text (as BertForSequenceClassification) or one tag per token (as BertForTokenClassification). Connect a dataset to take its label set.',
  inputs: { model: { type: 'Model' }, dataset: { type: 'Dataset', optional: true, description: 'Read the label set from this dataset' } },
  outputs: { model: { type: 'Model' } },
  params: z.object({
    task: z.enum(['sequence-classification', 'token-classification']).default('sequence-classification').meta({ description: 'What the head predicts' }),
    numLabels: z.int().min(0).max(1000).default(0).meta({ description: 'Number of labels (0 = take it from the connected dataset)' }),
    pooling: z.enum(['pooler', 'cls', 'mean']).default('pooler').meta({ description: 'Sequence representation: BERT pooler (dense + tanh on [CLS]), raw [CLS], or mean of tokens' }),
    classifierDropout: z.number().min(0).max(0.9).default(0.1).meta({ description: 'Dropout before the classifier' }),
    featureExtraction: z.boolean().default(false).meta({ description: 'Freeze the whole encoder and train only this head (feature extraction)' }),
  }),
  cardParams: ['task', 'numLabels'],
});
