// Train node: domain-adaptive pretraining, continued masked-LM training on a corpus.
import { z } from 'zod';
import { defineNode } from './define-node';
import { autoLearningRateParam, autoWarmupRatioParam, batchSizeParam, maxSeqLengthParam, seedParam, weightDecayParam } from './shared-params';

export const dapt = defineNode({
  type: 'dapt',
  typeVersion: 2,
  title: 'Domain-adaptive pretraining',
  category: 'Train',
  description: 'Continues masked-LM pretraining on unlabelled domain text (Gururangan et al. 2020): 15% of tokens are chosen, of those 80% become [MASK], 10% a random token, 10% stay. Reports perplexity before and after.',
  inputs: { model: { type: 'Model' }, corpus: { type: 'Corpus' } },
  outputs: { model: { type: 'Model' } },
  params: z.object({
    epochs: z.number().min(0.01).max(100).default(1).meta({ description: 'Passes over the corpus' }),
    maxSteps: z.int().min(0).max(1_000_000).default(0).meta({ description: 'Stop after this many optimizer steps (0 = no limit)' }),
    batchSize: batchSizeParam(32),
    learningRate: autoLearningRateParam(),
    maxSeqLength: maxSeqLengthParam(128),
    mlmProbability: z.number().min(0.01).max(0.5).default(0.15).meta({ description: 'Share of tokens chosen for prediction' }),
    maskTokenRatio: z.number().min(0).max(1).default(0.8).meta({ description: 'Of the chosen tokens, share replaced by [MASK]' }),
    randomTokenRatio: z.number().min(0).max(1).default(0.1).meta({ description: 'Of the chosen tokens, share replaced by a random token (the rest stay)' }),
    warmupRatio: autoWarmupRatioParam(),
    weightDecay: weightDecayParam(),
    seed: seedParam(),
  }),
  cardParams: ['epochs', 'learningRate', 'mlmProbability'],
  migrate: {
    // v1 had fixed defaults; v2 defaults to "auto". Old graphs keep their old values.
    1: (p) => ({ ...p, learningRate: p.learningRate ?? 1e-4, warmupRatio: p.warmupRatio ?? 0.1 }),
  },
  check: (p) => (p.maskTokenRatio + p.randomTokenRatio > 1 ? [{ param: 'randomTokenRatio', message: 'maskTokenRatio + randomTokenRatio must not exceed 1' }] : []),
});
