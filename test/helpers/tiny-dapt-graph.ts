// The small graph the sweep and single-flight tests share: spam data → split; the fixture model →
// DAPT on spam emails → head → fine-tune → eval. DAPT sits above fine-tune, so a sweep of fine-tune
// (or two runs that differ only there) shares it.
import type { GraphDocument } from '../../graph-nodes';
import { graphBuilder } from './graph-builder';
import { FIXTURE_MODEL_ID } from './run-env';

export interface TinyDaptOptions {
  /** Seed of the bundled dataset (tests use different seeds so their cache keys never meet). */
  seed: number;
  maxDocuments?: number;
  daptSteps?: number;
  learningRate?: number;
}

export function tinyDaptGraph({ seed, maxDocuments = 16, daptSteps = 2, learningRate = 1e-3 }: TinyDaptOptions): GraphDocument {
  const g = graphBuilder('');
  g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: 60, seed }, { id: 'data' });
  g.node('split', {}, { id: 'split' });
  g.node('corpus-bundled', { corpus: 'spam-assassin-emails', maxDocuments }, { id: 'corpus' });
  g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID }, { id: 'load' });
  g.node('dapt', { maxSteps: daptSteps, batchSize: 4, maxSeqLength: 32, learningRate: 1e-3 }, { id: 'dapt' });
  g.node('head', {}, { id: 'head' });
  g.node('fine-tune', { epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate }, { id: 'ft' });
  g.node('eval', {}, { id: 'eval' });
  g.connect('data', 'dataset', 'split', 'dataset');
  g.connect('load', 'model', 'dapt', 'model');
  g.connect('corpus', 'corpus', 'dapt', 'corpus');
  g.connect('dapt', 'model', 'head', 'model');
  g.connect('split', 'dataset', 'head', 'dataset');
  g.connect('head', 'model', 'ft', 'model');
  g.connect('split', 'dataset', 'ft', 'dataset');
  g.connect('ft', 'model', 'eval', 'model');
  g.connect('split', 'dataset', 'eval', 'dataset');
  return g.build();
}
