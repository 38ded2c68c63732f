// `npm run report [-- --quick]`: runs the comparison pipelines on real data through the same
// executor as the app and writes public/results/RESULTS.md and results.json (the app's Results page).
// Two graphs: every pipeline at 200 labels (+ TF-IDF, the distilled student, POS tagging), then the
// label-efficiency curve of the pipeline that scored best on validation, next to TF-IDF on the same splits.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { getNodeDefinition } from '../graph-nodes';
import { initBackend } from '../runtime/backend';
import { diskFactSources } from '../runtime/compile/disk-facts';
import { graphFacts } from '../runtime/compile/graph-facts';
import { resolveAutoParams } from '../runtime/compile/resolve-defaults';
import type { Dataset } from '../runtime/data/types';
import type { RuntimeEnv } from '../runtime/stages/define-stage';
import { answer, bestOnValidation, evalOf, pipelineRow, targets, type CurvePoint, type PipelineRow } from './report/answers';
import { curveCounts, curveGraph, EMAIL_PIPELINES, headlineGraph, type EmailPipeline } from './report/email-graph';
import type { GraphBuilder } from './report/graph-builder';
import { labelEfficiencySvg } from './report/curve-svg';
import { resultsMarkdown } from './report/markdown';
import { runGraph, type GraphResult } from './report/run-graph';
import { reportSettings } from './report/settings';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const outDir = resolve(process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? join(root, 'public', 'results'));
// The model a new Pretrained model node loads, unless --model names another bundled model.
const modelId = process.argv.find((a) => a.startsWith('--model='))?.slice(8) ?? (getNodeDefinition('pretrained-load')!.params.parse({}) as { modelId: string }).modelId;
const bundledModelsDir = process.env.TUNEGRAPH_BUNDLED_MODELS_DIR || join(root, 'public', 'models');
const dataDir = resolve(process.env.TUNEGRAPH_DATA_DIR || join(root, 'data'), quick ? 'report-quick' : 'report');
const env: RuntimeEnv = { dataDir, modelsDir: join(dataDir, 'models'), uploadsDir: join(dataDir, 'uploads'), bundledModelsDir };
const s = reportSettings(quick, modelId, bundledModelsDir);

/** The dataset a node wrote (its `dataset` port), read back from the artifact store. */
function datasetOf(r: GraphResult, nodeId: string): Dataset {
  return JSON.parse(readFileSync(join(dataDir, 'artifacts', r.keys[nodeId], 'dataset', 'dataset.json'), 'utf8')) as Dataset;
}
/** "auto" params as the executor resolved them for this graph (same rule, same facts). */
const resolvedOf = (b: GraphBuilder) => resolveAutoParams(graphFacts(b.document(), diskFactSources(env)));

// `--plan`: print both graphs' training nodes with the values "auto" resolves to, and run nothing.
if (process.argv.includes('--plan')) {
  for (const [label, b] of [['headline', headlineGraph(s)], ['curve (if full fine-tuning wins)', curveGraph(s, 'full', s.curve)]] as const) {
    console.log(`${label}: ${b.document().nodes.length} nodes`);
    for (const [id, params] of Object.entries(resolvedOf(b))) console.log(`  ${id}: ${Object.entries(params).map(([k, v]) => `${k} = ${v.value} (${v.reason})`).join('; ')}`);
  }
  process.exit(0);
}
const info = await initBackend();
const started = Date.now();
console.log(`report${quick ? ' (quick)' : ''} on ${info.device}`);

// 1. Every pipeline at the headline label count.
const headline = headlineGraph(s);
const h = await runGraph('headline', headline.document(), env);
const hResolved = resolvedOf(headline);
const rows = Object.fromEntries([...EMAIL_PIPELINES.map((k) => [k, pipelineRow(h, hResolved, k, k)]), ['student', pipelineRow(h, hResolved, 'student', 'student')]]) as Record<EmailPipeline | 'student', PipelineRow>;
const best = bestOnValidation(rows);
const split = datasetOf(h, `split-${s.labels}`).splits!;
const pool = Math.floor(datasetOf(h, 'emails').examples.length * s.emailSplit.trainRatio);
console.log(`best on validation: ${rows[best].name} (${rows[best].validationMacroF1?.toFixed(4)})`);

// 2. The label-efficiency curve of that pipeline and of TF-IDF, on splits that differ only in training size.
const counts = curveCounts(s, pool);
const curveDoc = curveGraph(s, best, counts);
const c = await runGraph('curve', curveDoc.document(), env);
const cResolved = resolvedOf(curveDoc);
const neural: CurvePoint[] = [];
const tfidf: CurvePoint[] = [];
for (const n of counts) {
  const tag = n || 'all';
  const labels = datasetOf(c, `split-${tag}`).splits!.train.length;
  const training = c.metrics[`ft-${best}-n${tag}`] as { bestEpoch?: number; epochs?: number } | undefined;
  neural.push({ labels, macroF1: evalOf(c, `eval-${best}-n${tag}`).values.macroF1, seconds: pipelineRow(c, cResolved, best, `${best}-n${tag}`).seconds, bestEpoch: training?.bestEpoch, epochs: training?.epochs });
  tfidf.push({ labels, macroF1: evalOf(c, `baseline-${tag}`).values.macroF1, seconds: c.seconds[`baseline-${tag}`] });
}
const baselineName = 'TF-IDF (1–2-grams) + logistic regression';
const labelEfficiency = [
  { name: rows[best].name, points: neural },
  { name: baselineName, points: tfidf },
];

const baseline = evalOf(h, `baseline-${s.labels}`);
const baselineFeatures = Math.round(((baseline.params?.total ?? 0) - baseline.perClass!.length) / baseline.perClass!.length);
const answers = answer({
  s,
  rows,
  best,
  baseline,
  baselineFeatures,
  dapt: h.metrics.dapt,
  pos: evalOf(h, 'pos-eval'),
  trainEmails: split.train.length,
  testEmails: split.test.length,
  curve: labelEfficiency,
});
// Compute time of every distinct stage of both graphs (a stage shared by both counts once).
const byKey = new Map<string, number>();
for (const r of [h, c]) for (const [id, t] of Object.entries(r.seconds)) byKey.set(r.keys[id], t);
const computeSeconds = [...byKey.values()].reduce((a, t) => a + t, 0);
const posSeconds = ['pos-head', 'pos-ft', 'pos-eval'].every((id) => h.seconds[id] !== undefined) ? h.seconds['pos-head'] + h.seconds['pos-ft'] + h.seconds['pos-eval'] : undefined;
const results = {
  date: new Date().toISOString(),
  quick,
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, backend: info.device },
  model: modelId,
  minutes: (Date.now() - started) / 60000,
  computeMinutes: computeSeconds / 60,
  seeds: { split: 0, training: 0 },
  splits: {
    trainEmails: split.train.length,
    validationEmails: split.validation.length,
    testEmails: split.test.length,
    trainingPool: pool,
    corpus: s.emails ? `SpamAssassin subsample of ${s.emails}` : 'all 6,046 SpamAssassin emails',
  },
  bestPipeline: best,
  answers,
  targets: targets(answers, rows.student, rows.full),
  table: [...EMAIL_PIPELINES.map((k) => rows[k]), rows.student],
  baseline: { name: baselineName, macroF1: baseline.values.macroF1, accuracy: baseline.values.accuracy, features: baselineFeatures, seconds: h.seconds[`baseline-${s.labels}`] },
  labelEfficiency,
  pos: { ...answers.pos, seconds: posSeconds },
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(outDir, 'label-efficiency.svg'), labelEfficiencySvg(labelEfficiency));
const md = resultsMarkdown({ ...results, posSeconds });
writeFileSync(join(outDir, 'RESULTS.md'), md);
console.log(md);
