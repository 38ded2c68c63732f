// The TF-IDF + logistic regression baseline as a stage: trains on the train split, scores a split
// with the same metrics as Eval, so Compare can rank it next to the neural pipelines.
import { baselineTfidf } from '../../graph-nodes/baseline-tfidf';
import { trainTfidfLogReg } from '../baselines/tfidf-logreg';
import type { Dataset } from '../data/types';
import type { MetricsValue } from '../exec/port-values';
import { countProgress } from './common/count-progress';
import { defineStage } from './define-stage';
import { splitIndices } from './common/encode';
import { classificationMetrics, logFlags, predictionFlags } from './common/metrics';
import { StageError } from './stage-error';
import { stageVersions } from './versions';

function textsOf(d: Dataset, indices: number[], what: string): { texts: string[]; labels: string[] } {
  if (d.task !== 'sequence') throw new StageError(`the TF-IDF baseline classifies whole texts, but the ${what} dataset (${d.source}) has one tag per token`);
  return { texts: indices.map((i) => d.examples[i].text), labels: indices.map((i) => d.examples[i].label) };
}

export const baselineTfidfStage = defineStage(baselineTfidf, stageVersions['baseline-tfidf'], async ({ params, inputs, log, progress, throwIfCancelled }) => {
  const trainData = inputs.dataset;
  const scored = inputs.test ?? trainData;
  const train = textsOf(trainData, splitIndices(trainData, 'train'), 'training');
  const indices = splitIndices(scored, params.split);
  if (indices.length === 0) throw new StageError(`the ${params.split} split is empty`);
  const test = textsOf(scored, indices, params.split);
  // Classes: the training dataset's label set; a scored label it never saw cannot be predicted.
  const labels = trainData.labels;
  const unknown = [...new Set(test.labels.filter((l) => !labels.includes(l)))];
  if (unknown.length > 0) throw new StageError(`the ${params.split} data has labels the training data lacks: ${unknown.slice(0, 5).join(', ')}`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const started = Date.now();
  const model = trainTfidfLogReg(train.texts, train.labels.map((l) => index.get(l)!), labels.length, { maxFeatures: params.maxFeatures, l2: params.l2, epochs: params.epochs, onEpoch: countProgress(progress, 'fitting TF-IDF + logistic regression', 'epochs') });
  throwIfCancelled();
  const trainSeconds = (Date.now() - started) / 1000;
  const t0 = Date.now();
  const pred = model.predict(test.texts);
  const seconds = (Date.now() - t0) / 1000;
  const gold = test.labels.map((l) => index.get(l)!);
  const m = classificationMetrics(gold, pred, labels);
  const weights = model.features * labels.length + labels.length;
  log(`${params.name}: ${model.features} features, trained on ${train.texts.length} texts in ${trainSeconds.toFixed(1)} s; accuracy ${m.values.accuracy.toFixed(4)}, macro-F1 ${m.values.macroF1.toFixed(4)} on ${indices.length} ${params.split} examples`);
  const metrics: MetricsValue = {
    name: params.name,
    kind: 'classification',
    values: { ...m.values, examplesPerSec: indices.length / Math.max(seconds, 1e-3) },
    perClass: m.perClass,
    confusion: m.confusion,
    params: { total: weights, trainable: weights },
    split: params.split,
    examples: indices.length,
    // The same collapse/chance judgement as Eval, so a baseline that learned nothing says so too.
    flags: logFlags(params.name, predictionFlags(gold, pred, labels, m.values.macroF1), log),
  };
  return { metrics };
});
