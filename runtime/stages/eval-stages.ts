// Evaluation, comparison and export stages.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../../graph-nodes/compare';
import { evalNode } from '../../graph-nodes/eval';
import { exportNode } from '../../graph-nodes/export';
import type { MetricFlag, MetricsValue } from '../exec/port-values';
import type { TaskModel } from '../model/task-model';
import { ExportRefused, exportModel } from '../io/hf-export';
import { zipDirectory } from '../io/zip';
import { countProgress } from './common/count-progress';
import { defineStage } from './define-stage';
import { corpusRows, splitIndices } from './common/encode';
import { nonFiniteWeights } from './common/divergence';
import { classificationMetrics, logFlags, predictionFlags } from './common/metrics';
import { mlmEvaluate } from './common/mlm';
import { predictLabels } from './common/predict';
import { StageError } from './stage-error';
import { stageVersions } from './versions';

/** A "diverged" flag when the model's weights hold NaN or Infinity (its outputs mean nothing). */
function weightFlags(model: TaskModel): MetricFlag[] {
  const broken = nonFiniteWeights(model.allWeights());
  if (broken.length === 0) return [];
  return [{ code: 'diverged', message: `${broken.length} of the model's weight tensors (first "${broken[0]}") hold NaN or Infinity: training diverged, so these scores mean nothing` }];
}


export const evalStage = defineStage(evalNode, stageVersions.eval, async ({ params, inputs, nodeId, log, progress }) => {
  const { model, tokenizer } = inputs.model;
  const name = params.name || nodeId;
  const counts = model.countParams();
  // Classifiers are scored at the length their head was trained at (validation used it too); perplexity,
  // and a head with no recorded length, at the usual 128 tokens.
  const usualLength = Math.min(128, model.config.maxPositionEmbeddings);
  const maxLength = Math.min(model.head?.maxSeqLength ?? usualLength, model.config.maxPositionEmbeddings);
  if (inputs.dataset) {
    const data = inputs.dataset;
    if (!model.head) throw new StageError('the model has no task head to evaluate; add a Task head and fine-tune first');
    const indices = splitIndices(data, params.split);
    if (indices.length === 0) throw new StageError(`the ${params.split} split is empty`);
    const started = Date.now();
    const { gold, pred } = predictLabels(model, tokenizer, data, indices, { batchSize: params.batchSize, maxLength, onProgress: countProgress(progress, `scoring ${params.split}`, 'batches') });
    const seconds = (Date.now() - started) / 1000;
    const m = classificationMetrics(gold, pred, model.head.labels);
    const tagging = data.task === 'token';
    const values: Record<string, number> = { ...m.values, examplesPerSec: indices.length / Math.max(seconds, 1e-3) };
    if (tagging) values.tokenAccuracy = m.values.accuracy;
    log(`${name}: accuracy ${m.values.accuracy.toFixed(4)}, macro-F1 ${m.values.macroF1.toFixed(4)} on ${indices.length} ${params.split} examples`);
    const flags = logFlags(name, [...weightFlags(model), ...predictionFlags(gold, pred, model.head.labels, m.values.macroF1, tagging ? 'token predictions' : 'predictions')], log);
    const metrics: MetricsValue = { name, kind: tagging ? 'tagging' : 'classification', values, perClass: m.perClass, confusion: m.confusion, params: counts, split: params.split, examples: indices.length, maxSeqLength: maxLength, flags };
    return { metrics };
  }
  if (!inputs.corpus) throw new StageError('connect a dataset or a corpus');
  if (!model.hasMlmHead) throw new StageError('perplexity needs a masked-LM head; evaluate a pretrained or DAPT model');
  const rows = corpusRows(tokenizer, inputs.corpus.documents, usualLength, 256, countProgress(progress, 'tokenizing corpus', 'documents'));
  const r = mlmEvaluate(model, tokenizer, rows, { probability: 0.15 }, undefined, countProgress(progress, 'perplexity', 'batches'));
  log(`${name}: masked-LM perplexity ${r.perplexity.toFixed(2)}, accuracy ${r.mlmAccuracy.toFixed(4)}`);
  const flags: MetricFlag[] = weightFlags(model);
  // A uniform guess over the vocabulary has perplexity V; at or above it the model has learnt nothing.
  if (flags.length === 0 && !(r.perplexity < tokenizer.vocabSize)) flags.push({ code: 'chance', message: `perplexity ${r.perplexity.toFixed(1)} is no better than guessing uniformly among the ${tokenizer.vocabSize} vocabulary tokens` });
  logFlags(name, flags, log);
  return { metrics: { name, kind: 'perplexity', values: { perplexity: r.perplexity, mlmAccuracy: r.mlmAccuracy }, params: counts, examples: rows.length, flags } satisfies MetricsValue };
});

export const compareStage = defineStage(compare, stageVersions.compare, async ({ params, inputs }) => {
  const rows = inputs.metrics.map((m) => ({ name: m.name, values: m.values, trainableParams: m.params?.trainable, totalParams: m.params?.total, flags: m.flags ?? [] }));
  const key = params.primaryMetric;
  rows.sort((a, b) => ((a.values[key] ?? NaN) - (b.values[key] ?? NaN)) * (params.sort === 'descending' ? -1 : 1) || 0);
  // The comparison carries its inputs' warnings, so a collapsed model is flagged where it is ranked.
  const flags = rows.flatMap((r) => r.flags.map((f) => ({ code: f.code, message: `${r.name}: ${f.message}` })));
  return { metrics: { name: 'comparison', kind: 'comparison', values: {}, rows, flags } satisfies MetricsValue };
});

export const exportStage = defineStage(exportNode, stageVersions.export, async ({ params, inputs, artifactDir, log }) => {
  const root = join(artifactDir, 'export', params.name);
  let lines: string[];
  try {
    lines = exportModel(root, inputs.model, { formats: params.formats, dtype: params.dtype });
  } catch (err) {
    if (err instanceof ExportRefused) throw new StageError(err.message);
    throw err;
  }
  writeFileSync(join(artifactDir, 'export', `${params.name}.zip`), await zipDirectory(root));
  for (const line of lines) log(line);
  log(`exported ${params.formats.join(', ')} (${params.dtype})`);
  return {};
});
