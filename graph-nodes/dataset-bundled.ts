// Source node: labelled datasets that ship with Tunegraph.
import { z } from 'zod';
import { defineNode } from './define-node';

export const datasetBundled = defineNode({
  type: 'dataset-bundled',
  typeVersion: 1,
  title: 'Bundled dataset',
  category: 'Sources',
  description: 'Labelled data that ships with Tunegraph: SpamAssassin ham/spam emails (subject + body), Brown Corpus genre classification, or Brown part-of-speech tags.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: z.object({
    dataset: z.enum(['spam-assassin', 'brown-genre', 'brown-pos']).default('spam-assassin').meta({ description: 'Which bundled dataset to read' }),
    maxExamples: z.int().min(0).max(1_000_000).default(0).meta({ description: 'Keep at most this many examples, stratified (0 = all)' }),
    seed: z.int().min(0).max(2 ** 31 - 1).default(0).meta({ description: 'Seed for the subsample' }),
  }),
  cardParams: ['dataset', 'maxExamples'],
});
