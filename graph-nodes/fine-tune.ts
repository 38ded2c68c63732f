// Train node: supervised training of the trainable weights on a labelled dataset.
import { z } from 'zod';
import { defineNode } from './define-node';
import { autoEpochsParam, autoLearningRateParam, autoWarmupRatioParam, batchSizeParam, maxSeqLengthParam, seedParam, weightDecayParam } from './shared-params';

export const fineTune = defineNode({
  type: 'fine-tune',
  typeVersion: 2,
  title: 'Fine-tune',
  category: 'Train',
  description: 'Trains the model’s trainable weights (all of them, or what freeze/LoRA left trainable) on the dataset’s train split with AdamW, warmup and decay, clipping, and early stopping on the validation split.',
  inputs: { model: { type: 'Model' }, dataset: { type: 'Dataset' } },
  outputs: { model: { type: 'Model' } },
  params: z.object({
    learningRate: autoLearningRateParam(),
    epochs: autoEpochsParam(),
    batchSize: batchSizeParam(16),
    warmupRatio: autoWarmupRatioParam(),
    schedule: z.enum(['linear', 'cosine', 'constant']).default('linear').meta({ description: 'Learning-rate decay after warmup' }),
    weightDecay: weightDecayParam(),
    maxGradNorm: z.number().min(0).max(100).default(1).meta({ description: 'Clip gradients to this global norm (0 = no clipping)' }),
    gradientAccumulationSteps: z.int().min(1).max(64).default(1).meta({ description: 'Batches whose gradients add up before one optimizer step' }),
    maxSeqLength: maxSeqLengthParam(128),
    earlyStoppingPatience: z.int().min(0).max(100).default(0).meta({ description: 'Stop after this many evaluations without validation improvement (0 = off)' }),
    selectBestBy: z.enum(['macroF1', 'loss']).default('macroF1').meta({ description: 'Validation score that picks the epoch whose weights are kept' }),
    seed: seedParam(),
  }),
  cardParams: ['learningRate', 'epochs', 'batchSize'],
  migrate: {
    // v1 had fixed defaults (BERT-base settings); v2 defaults to "auto". An old graph keeps
    // training exactly as it did: a value it left out becomes the old default, written out.
    1: (p) => ({ ...p, learningRate: p.learningRate ?? 5e-5, epochs: p.epochs ?? 3, warmupRatio: p.warmupRatio ?? 0.1 }),
  },
});
