// Evaluation, comparison and export stages.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../../graph-nodes/compare';
import { evalNode } from '../../graph-nodes/eval';
import { exportNode } from '../../graph-nodes/export';
import type { MetricsValue } from '../exec/port-values';
import { exportPeftAdapter, saveModelFolder } from '../io/model-folder';
import { writeTfjsWeights } from '../io/tfjs-format';
import { zipDirectory } from '../io/zip';
import { defineStage } from './define-stage';
import { corpusRows, splitIndices } from './common/encode';
import { classificationMetrics } from './common/metrics';
import { mlmEvaluate } from './common/mlm';
import { predictLabels } from './common/predict';
import { StageError } from './stage-error';
import { stageVersions } from './versions';

export const evalStage = defineStage(evalNode, stageVersions.eval, async ({ params, inputs, nodeId, log }) => {
  const { model, tokenizer } = inputs.model;
  const name = params.name || nodeId;
  const counts = model.countParams();
  const maxLength = Math.min(128, model.config.maxPositionEmbeddings);
  if (inputs.dataset) {
    const data = inputs.dataset;
    if (!model.head) throw new StageError('the model has no task head to evaluate; add a Task head and fine-tune first');
    const indices = splitIndices(data, params.split);
    if (indices.length === 0) throw new StageError(`the ${params.split} split is empty`);
    const started = Date.now();
    const { gold, pred } = predictLabels(model, tokenizer, data, indices, { batchSize: params.batchSize, maxLength });
    const seconds = (Date.now() - started) / 1000;
    const m = classificationMetrics(gold, pred, model.head.labels);
    const tagging = data.task === 'token';
    const values: Record<string, number> = { ...m.values, examplesPerSec: indices.length / Math.max(seconds, 1e-3) };
    if (tagging) values.tokenAccuracy = m.values.accuracy;
    log(`${name}: accuracy ${m.values.accuracy.toFixed(4)}, macro-F1 ${m.values.macroF1.toFixed(4)} on ${indices.length} ${params.split} examples`);
    const metrics: MetricsValue = { name, kind: tagging ? 'tagging' : 'classification', values, perClass: m.perClass, confusion: m.confusion, params: counts, split: params.split, examples: indices.length };
    return { metrics };
  }
  if (!inputs.corpus) throw new StageError('connect a dataset or a corpus');
  if (!model.hasMlmHead) throw new StageError('perplexity needs a masked-LM head; evaluate a pretrained or DAPT model');
  const rows = corpusRows(tokenizer, inputs.corpus.documents, maxLength, 256);
  const r = mlmEvaluate(model, tokenizer, rows, { probability: 0.15 });
  log(`${name}: masked-LM perplexity ${r.perplexity.toFixed(2)}, accuracy ${r.mlmAccuracy.toFixed(4)}`);
  return { metrics: { name, kind: 'perplexity', values: { perplexity: r.perplexity, mlmAccuracy: r.mlmAccuracy }, params: counts, examples: rows.length } satisfies MetricsValue };
});

export const compareStage = defineStage(compare, stageVersions.compare, async ({ params, inputs }) => {
  const rows = inputs.metrics.map((m) => ({ name: m.name, values: m.values, trainableParams: m.params?.trainable, totalParams: m.params?.total }));
  const key = params.primaryMetric;
  rows.sort((a, b) => ((a.values[key] ?? NaN) - (b.values[key] ?? NaN)) * (params.sort === 'descending' ? -1 : 1) || 0);
  return { metrics: { name: 'comparison', kind: 'comparison', values: {}, rows } satisfies MetricsValue };
});

export const exportStage = defineStage(exportNode, stageVersions.export, async ({ params, inputs, artifactDir, log }) => {
  const { model } = inputs.model;
  const root = join(artifactDir, 'export', params.name);
  mkdirSync(root, { recursive: true });
  for (const format of params.formats) {
    if (format === 'hf-safetensors') await saveModelFolder(join(root, 'hf'), inputs.model, { dtype: params.dtype });
    if (format === 'peft-adapter') {
      if (model.lora.size === 0) throw new StageError('peft-adapter export needs a model with LoRA adapters (unmerged)');
      exportPeftAdapter(join(root, 'peft-adapter'), model, inputs.model.lineage[0] ?? null);
    }
    if (format === 'tfjs') {
      writeTfjsWeights(
        join(root, 'tfjs'),
        model.allWeights().map(([name, v]) => ({ name, shape: [...v.shape], data: v.dataSync() as Float32Array })),
        { tunegraph: { config: model.config, head: model.head, note: 'Linear kernels are [in, out]; LoRA adapters are `<module>.lora_A` [in, r] and `.lora_B` [r, out]' } },
        { dtype: params.dtype === 'F16' ? 'float16' : 'float32' },
      );
    }
  }
  writeFileSync(join(artifactDir, 'export', `${params.name}.zip`), await zipDirectory(root));
  log(`exported ${params.formats.join(', ')} (${params.dtype})`);
  return {};
});
