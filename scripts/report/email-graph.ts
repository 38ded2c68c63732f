// The report's graphs: the email comparison at 200 labels (plus POS tagging), and the
// label-efficiency curve of the pipeline that won on validation, each next to TF-IDF on the same split.
import { GraphBuilder, type PipelineSpec } from './graph-builder';
import type { ReportSettings } from './settings';

/** Neural email pipelines at the headline label count; the best on validation gets the curve. */
export const EMAIL_PIPELINES = ['full', 'lora', 'features', 'dapt-full', 'scratch'] as const;
export type EmailPipeline = (typeof EMAIL_PIPELINES)[number];

/** Training params: every learning rate, epoch count and warm-up is "auto" (resolved from the model
 * and data by the same rule the app uses), so nothing here is tuned, least of all on test. */
function fineTune(s: ReportSettings): Record<string, unknown> {
  return { batchSize: 16, maxSeqLength: s.maxSeqLength, seed: 0, learningRate: 'auto', epochs: 'auto', warmupRatio: 'auto' };
}

const NAMES: Record<EmailPipeline, string> = {
  full: 'full fine-tuning',
  lora: 'LoRA r=8 (q, v)',
  features: 'feature extraction (frozen encoder, mean pooling)',
  'dapt-full': 'DAPT + full fine-tuning',
  scratch: 'same architecture from scratch',
};

/** Split node for `labels` training emails (0 = all); test and validation are identical for every count. */
export function emailSplit(b: GraphBuilder, s: ReportSettings, labels: number): string {
  b.node('emails', 'dataset-bundled', { dataset: 'spam-assassin', maxExamples: s.emails, seed: 0 });
  const id = b.node(`split-${labels || 'all'}`, 'split', { ...s.emailSplit, maxTrainExamples: labels });
  b.link('emails', 'dataset', id, 'dataset');
  return id;
}

/** The models pipelines start from: the bundled model, a random copy, DAPT on the emails, LoRA. */
function modelSources(b: GraphBuilder, s: ReportSettings): void {
  b.node('pretrained', 'pretrained-load', { modelId: s.modelId });
  b.node('scratch-init', 'pretrained-load', { modelId: s.modelId, randomInit: true, seed: 0 });
  b.node('email-text', 'corpus-bundled', { corpus: 'spam-assassin-emails', maxDocuments: s.daptDocuments });
  b.node('dapt', 'dapt', { maxSteps: s.daptSteps, batchSize: 32, maxSeqLength: s.maxSeqLength, learningRate: 'auto', warmupRatio: 'auto', seed: 0 });
  b.link('pretrained', 'model', 'dapt', 'model');
  b.link('email-text', 'corpus', 'dapt', 'corpus');
  b.node('lora', 'lora', { rank: 8, alpha: 16, dropout: 0.1, targetModules: ['query', 'value'] });
  b.link('pretrained', 'model', 'lora', 'model');
}

/** One email pipeline on a split; `suffix` keeps node ids apart across label counts. */
export function emailPipeline(b: GraphBuilder, s: ReportSettings, kind: EmailPipeline, split: string, suffix = ''): PipelineSpec {
  modelSources(b, s);
  const from = { full: 'pretrained', lora: 'lora', features: 'pretrained', 'dapt-full': 'dapt', scratch: 'scratch-init' }[kind];
  // A frozen encoder's [CLS] pooler was never trained for this task; the mean of its token vectors is the usual feature.
  const head = kind === 'features' ? { featureExtraction: true, pooling: 'mean' } : undefined;
  const spec: PipelineSpec = { id: `${kind}${suffix}`, name: NAMES[kind], from, split, head, fineTune: fineTune(s) };
  b.classifier(spec);
  return spec;
}

/** Nodes that belong to one pipeline alone (its wall time is theirs; data loading is shared). */
export function pipelineNodes(kind: EmailPipeline | 'student', id: string): string[] {
  const own = [`head-${id}`, `ft-${id}`, `eval-${id}`];
  if (kind === 'lora') return ['lora', ...own];
  if (kind === 'dapt-full') return ['dapt', ...own];
  if (kind === 'student') return ['distill', 'eval-student'];
  return own;
}

/** The headline graph: every pipeline at 200 labels, the distilled student, TF-IDF, and POS tagging. */
export function headlineGraph(s: ReportSettings): GraphBuilder {
  const b = new GraphBuilder();
  const split = emailSplit(b, s, s.labels);
  for (const kind of EMAIL_PIPELINES) emailPipeline(b, s, kind, split);
  b.baseline(`baseline-${s.labels}`, split, 'TF-IDF (1–2-grams) + logistic regression');
  // Distil the fully fine-tuned teacher into a student with at most half its layers.
  const studentLayers = Math.max(1, Math.floor(s.teacherLayers / 2));
  b.node('distill', 'distill', { studentLayers, temperature: 2, alpha: 0.5, epochs: 'auto', learningRate: 'auto', batchSize: 16, maxSeqLength: s.maxSeqLength, seed: 0 });
  b.node('eval-student', 'eval', { split: 'test', name: `distilled student (${studentLayers} of ${s.teacherLayers} layers)`, batchSize: 64 });
  b.link('ft-full', 'model', 'distill', 'teacher');
  b.link(split, 'dataset', 'distill', 'dataset');
  b.link('distill', 'model', 'eval-student', 'model');
  b.link(split, 'dataset', 'eval-student', 'dataset');
  // Part-of-speech tagging on Brown sentences.
  b.node('brown-pos', 'dataset-bundled', { dataset: 'brown-pos', maxExamples: s.posSentences, seed: 0 });
  b.node('pos-split', 'split', { trainRatio: 0.8, validationRatio: 0.05, testRatio: 0.15, stratify: false, seed: 0 });
  b.link('brown-pos', 'dataset', 'pos-split', 'dataset');
  b.node('pos-head', 'head', { task: 'token-classification' });
  // Brown sentences average about 20 words: 64 tokens hold nearly all of them at half the cost of 128.
  b.node('pos-ft', 'fine-tune', { ...fineTune(s), batchSize: 32, maxSeqLength: Math.min(64, s.maxSeqLength) });
  b.node('pos-eval', 'eval', { split: 'test', name: 'POS tagger', batchSize: 64 });
  b.link('pretrained', 'model', 'pos-head', 'model');
  b.link('pos-split', 'dataset', 'pos-head', 'dataset');
  b.link('pos-head', 'model', 'pos-ft', 'model');
  b.link('pos-split', 'dataset', 'pos-ft', 'dataset');
  b.link('pos-ft', 'model', 'pos-eval', 'model');
  b.link('pos-split', 'dataset', 'pos-eval', 'dataset');
  return b;
}

/** Label counts of the curve that fit the training pool (0 = all), the headline count excluded (already run). */
export function curveCounts(s: ReportSettings, pool: number): number[] {
  return s.curve.filter((n) => n === 0 || n < pool);
}

/** The curve graph: the chosen pipeline and TF-IDF at each label count, on splits that differ only in training size. */
export function curveGraph(s: ReportSettings, kind: EmailPipeline, counts: number[]): GraphBuilder {
  const b = new GraphBuilder();
  for (const n of counts) {
    const split = emailSplit(b, s, n);
    emailPipeline(b, s, kind, split, `-n${n || 'all'}`);
    b.baseline(`baseline-${n || 'all'}`, split, 'TF-IDF (1–2-grams) + logistic regression');
  }
  return b;
}
