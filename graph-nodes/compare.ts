// Evaluate node: a table of metrics across several evaluations.
import { z } from 'zod';
import { defineNode } from './define-node';

export const compare = defineNode({
  type: 'compare',
  typeVersion: 1,
  title: 'Compare',
  category: 'Evaluate',
  description: 'Puts the metrics of several evaluations side by side, ranked by one metric.',
  inputs: { metrics: { type: 'Metrics', multiple: true } },
  outputs: { metrics: { type: 'Metrics' } },
  params: z.object({
    primaryMetric: z.enum(['macroF1', 'accuracy', 'perplexity', 'tokenAccuracy']).default('macroF1').meta({ description: 'Metric to rank by' }),
    sort: z.enum(['descending', 'ascending']).default('descending').meta({ description: 'Ranking direction' }),
  }),
  cardParams: ['primaryMetric'],
});
