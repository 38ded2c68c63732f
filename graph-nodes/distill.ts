// Train node: knowledge distillation from a teacher into a smaller student.
import { z } from 'zod';
import { defineNode } from './define-node';
import { autoEpochsParam, autoLearningRateParam, batchSizeParam, maxSeqLengthParam, seedParam } from './shared-params';

export const distill = defineNode({
  type: 'distill',
  typeVersion: 2,
  title: 'Distill',
  category: 'Train',
  description: 'Trains a smaller student, initialised from every other teacher layer (DistilBERT), to match the teacher’s softened predictions (KL at temperature T, scaled by T²) mixed with the true labels.',
  inputs: { teacher: { type: 'Model' }, dataset: { type: 'Dataset' } },
  outputs: { model: { type: 'Model', label: 'student' } },
  params: z.object({
    studentLayers: z.int().min(1).max(48).default(1).meta({ description: 'Encoder layers the student keeps (taken evenly from the teacher)' }),
    temperature: z.number().min(0.5).max(20).default(2).meta({ description: 'Softmax temperature T for the soft targets' }),
    alpha: z.number().min(0).max(1).default(0.5).meta({ description: 'Weight of the soft (teacher) loss; 1 - alpha weighs the hard labels' }),
    epochs: autoEpochsParam(),
    learningRate: autoLearningRateParam(),
    batchSize: batchSizeParam(16),
    maxSeqLength: maxSeqLengthParam(128),
    seed: seedParam(),
  }),
  cardParams: ['studentLayers', 'temperature', 'alpha'],
  migrate: {
    // v1 had fixed defaults; v2 defaults to "auto". Old graphs keep their old values.
    1: (p) => ({ ...p, epochs: p.epochs ?? 3, learningRate: p.learningRate ?? 1e-4 }),
  },
});
