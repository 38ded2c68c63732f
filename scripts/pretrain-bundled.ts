// `npm run pretrain:bundled`: trains the model that ships with Tunegraph, with Tunegraph's own code:
// a WordPiece vocabulary and a BERT (masked-LM) on the Brown Corpus plus English prose from Debian
// packages (scripts/pretrain/corpus.ts), every 20th Brown text held out. Training is planned as one
// schedule of `--total-steps` and done in sittings of `--minutes`: each sitting ends by writing the
// model (HF layout, F16) and training.json with the position reached; `--resume` continues from
// what is written, so the model can be trained over several sittings, hours in total.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { initBackend } from '../runtime/backend';
import { loadModelFolder, saveModelFolder } from '../runtime/io/model-folder';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../runtime/model/bert-config';
import { AdamW, createSchedule } from '../runtime/model/optim';
import { createRng } from '../runtime/model/rng';
import { TaskModel } from '../runtime/model/task-model';
import { tf } from '../runtime/tf';
import { trainStep } from '../runtime/model/train-step';
import { corpusRows } from '../runtime/stages/common/encode';
import { mlmEvaluate, mlmLoss } from '../runtime/stages/common/mlm';
import { trainWordPieceTokenizer } from '../runtime/text/train-wordpiece';
import type { WordPieceTokenizer } from '../runtime/text/wordpiece-tokenizer';
import { loadPretrainingCorpus, wordCount } from './pretrain/corpus';
import { exportRowsForGpu, loadGpuSitting } from './pretrain/gpu-sitting';
import { loadRows, saveRows } from './pretrain/rows-cache';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const flag = (name: string) => process.argv.includes(`--${name}`);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const name = arg('name', 'tunegraph-bert-small');
const outDir = resolve(arg('out', join(root, 'public', 'models', name)));
const workDir = resolve(arg('work', join(root, 'data', 'pretrain', name)));
const minutes = Number(arg('minutes', '60'));
// A GPU sitting (scripts/pretrain/gpu-sitting.py) continues the written model: `--gpu-export=DIR` writes its
// rows, `--gpu-import=DIR [--gpu-tag=T]` takes its weights back. Both work on the model in --out.
const gpuExport = arg('gpu-export', '');
const gpuImport = arg('gpu-import', '');
const resume = flag('resume') || gpuExport !== '' || gpuImport !== '';
/** Evaluation uses the masking rate BERT was defined with, so held-out accuracy compares across recipes. */
const EVAL_MASKING = { probability: 0.15 };

/** What a sitting leaves behind so the next one continues exactly on the schedule. */
interface TrainingState {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Rows of the current epoch's order already consumed. */
  cursor: number;
  tokensSeen: number;
  sittings: { date: string; fromStep: number; toStep: number; minutes: number; backend: string }[];
}

/** A recipe change made when resuming (e.g. a higher masking rate once measured better), kept in training.json. */
interface RecipeChange {
  atStep: number;
  date: string;
  changes: Record<string, { from: number; to: number }>;
}

interface Recipe {
  vocabSize: number;
  config: BertConfig;
  seqLength: number;
  batchSize: number;
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  maskProbability: number;
  /** Re-warmup after a resume without optimizer moments (Adam's second moment needs a few hundred steps). */
  rewarmSteps: number;
  seed: number;
  /** How the position table starts: 'normal' (BERT's) or 'sinusoidal' (Vaswani's table scaled to the same spread). */
  positionInit?: 'normal' | 'sinusoidal';
  /** Changes made at resumes, in order; the fields above hold the values in force now. */
  changes?: RecipeChange[];
}

const info = await initBackend();
console.log(`backend: ${info.device}`);
const { sources, heldOut } = loadPretrainingCorpus();
const documents = sources.flatMap((s) => s.documents);
for (const s of sources) console.log(`corpus: ${s.id} — ${s.documents.length} documents, ${wordCount(s.documents).toLocaleString('en')} words (${s.package}, ${s.licence})`);

const previous = resume && existsSync(join(outDir, 'training.json')) ? (JSON.parse(readFileSync(join(outDir, 'training.json'), 'utf8')) as { recipe: Recipe; state: TrainingState; curve: CurvePoint[] }) : null;
if (resume && !previous?.state) throw new Error(`--resume: ${join(outDir, 'training.json')} has no training state to continue from; run without --resume first`);

let tokenizer: WordPieceTokenizer;
let model: TaskModel;
let recipe: Recipe;
let state: TrainingState;
interface CurvePoint {
  step: number;
  loss: number;
  lr: number;
  heldOutPerplexity?: number;
  heldOutAccuracy?: number;
  /** GPU sittings: MLM accuracy on the 1% of training rows that sitting held back (not the Brown held-out set). */
  sittingCheckAccuracy?: number;
}
let curve: CurvePoint[];
if (previous) {
  recipe = previous.recipe;
  state = previous.state;
  curve = previous.curve ?? [];
  const loaded = await loadModelFolder(outDir);
  tokenizer = loaded.tokenizer;
  // Pretraining runs without dropout (a small model underfits; dropout only slows it); fine-tuning gets the saved rate.
  model = withConfig(loaded.model, recipe.config);
  console.log(`resuming at step ${state.step} of ${state.totalSteps} (epoch ${state.epoch}, ${state.tokensSeen.toLocaleString('en')} tokens seen)`);
  applyRecipeChanges();
} else {
  const hidden = Number(arg('hidden', '256'));
  recipe = {
    vocabSize: Number(arg('vocab', '16000')),
    config: {
      ...BERT_CONFIG_DEFAULTS,
      vocabSize: 0,
      hiddenSize: hidden,
      numHiddenLayers: Number(arg('layers', '4')),
      numAttentionHeads: Number(arg('heads', String(Math.max(1, hidden / 64)))),
      intermediateSize: hidden * 4,
      maxPositionEmbeddings: 128,
      hiddenDropoutProb: 0,
      attentionProbsDropoutProb: 0,
    },
    seqLength: Number(arg('seq', '128')),
    batchSize: Number(arg('batch', '32')),
    peakLr: Number(arg('lr', '1e-3')),
    totalSteps: Number(arg('total-steps', '40000')),
    warmupSteps: 0,
    weightDecay: 0.01,
    maxGradNorm: 1,
    maskProbability: Number(arg('mask', '0.15')),
    rewarmSteps: 300,
    seed: 7,
    positionInit: arg('pos-init', 'normal') === 'sinusoidal' ? 'sinusoidal' : 'normal',
  };
  recipe.warmupSteps = Math.round(recipe.totalSteps * 0.02);
  const t = Date.now();
  // `--vocab-from=DIR` reuses another run's vocabulary (recipe comparisons on identical rows).
  const vocabFrom = arg('vocab-from', '');
  tokenizer = vocabFrom ? (await loadModelFolder(resolve(vocabFrom))).tokenizer : trainWordPieceTokenizer(documents, { vocabSize: recipe.vocabSize });
  recipe.config.vocabSize = tokenizer.vocabSize;
  console.log(`vocabulary: ${tokenizer.vocabSize} tokens in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  model = TaskModel.create(recipe.config, { seed: recipe.seed, mlmHead: true });
  if (recipe.positionInit === 'sinusoidal') setSinusoidalPositions(model, recipe.config);
  state = { step: 0, totalSteps: recipe.totalSteps, epoch: 0, cursor: 0, tokensSeen: 0, sittings: [] };
  curve = [];
}

const startTokens = state.tokensSeen;
const rows = loadRows(workDir, tokenizer, documents, recipe.seqLength) ?? saveRows(workDir, tokenizer, documents, recipe.seqLength, corpusRows(tokenizer, documents, recipe.seqLength));
const heldRows = corpusRows(tokenizer, heldOut, recipe.seqLength);
console.log(`${rows.length.toLocaleString('en')} training sequences of ${recipe.seqLength} tokens; ${heldRows.length} held-out sequences (${heldOut.length} Brown texts)`);
if (gpuExport) {
  console.log(exportRowsForGpu(rows, recipe.seqLength, tokenizer.vocabSize, resolve(gpuExport)));
  process.exit(0);
}
let importedSitting: { fromStep: number; toStep: number; minutes: number; backend: string } | null = null;
if (gpuImport) importedSitting = await importGpuSitting(resolve(gpuImport), arg('gpu-tag', 'sitting'));
console.log(`model: hidden ${recipe.config.hiddenSize}, ${recipe.config.numHiddenLayers} layers, ${recipe.config.numAttentionHeads} heads, ${model.countParams().total.toLocaleString('en')} parameters`);

// The data order of epoch e is a fixed function of (seed, e), so a resumed sitting sees exactly the rows it would have.
const epochOrder = (epoch: number) => createRng(recipe.seed * 1000 + epoch).shuffle(rows.map((_, i) => i));
let order = epochOrder(state.epoch);
const maskRng = createRng(recipe.seed + 17 + state.step); // masking draws continue from a step-derived stream
const schedule = createSchedule({ kind: 'linear', lr: recipe.peakLr, warmupSteps: recipe.warmupSteps, totalSteps: recipe.totalSteps });
const startStep = state.step;
const rewarm = startStep > 0 ? recipe.rewarmSteps : 0;
const lrAt = (step: number) => schedule.lrAt(step) * (rewarm > 0 ? Math.min(1, (step - startStep + 1) / rewarm) : 1);
const params = model.trainableParams();
const optimizer = new AdamW(params, { lr: { lrAt: (i: number) => lrAt(startStep + i) }, weightDecay: recipe.weightDecay });

if (state.step === 0) {
  const before = mlmEvaluate(model, tokenizer, heldRows, EVAL_MASKING);
  curve.push({ step: 0, loss: NaN, lr: 0, heldOutPerplexity: before.perplexity, heldOutAccuracy: before.mlmAccuracy });
  console.log(`before training: held-out perplexity ${before.perplexity.toFixed(1)}, MLM accuracy ${before.mlmAccuracy.toFixed(3)}`);
}
const evalEvery = Number(arg('eval-every', '1000'));
const saveEveryMs = Number(arg('save-every-min', '15')) * 60_000;
const deadline = Date.now() + minutes * 60_000;
const sittingStart = Date.now();
let lastSave = Date.now();
let lossSum = 0;
let lossCount = 0;

while (state.step < state.totalSteps && Date.now() < deadline) {
  if (state.cursor + recipe.batchSize > order.length) {
    state.epoch++;
    state.cursor = 0;
    order = epochOrder(state.epoch);
  }
  const batch = order.slice(state.cursor, state.cursor + recipe.batchSize).map((i) => rows[i]);
  state.cursor += recipe.batchSize;
  const r = await trainStep({ params, lossFn: () => mlmLoss(model, tokenizer, batch, maskRng, { probability: recipe.maskProbability }, true), optimizer, maxGradNorm: recipe.maxGradNorm });
  if (!Number.isFinite(r.loss) || r.skipped) throw new Error(`step ${state.step + 1}: loss ${r.loss} is not finite; lower --lr and start again`);
  state.step++;
  state.tokensSeen += batch.reduce((n, b) => n + b.length, 0);
  lossSum += r.loss;
  lossCount++;
  if (state.step % 100 === 0) {
    const point: CurvePoint = { step: state.step, loss: lossSum / lossCount, lr: lrAt(state.step - 1) };
    lossSum = 0;
    lossCount = 0;
    if (state.step % evalEvery === 0) {
      const ev = mlmEvaluate(model, tokenizer, heldRows, EVAL_MASKING);
      point.heldOutPerplexity = ev.perplexity;
      point.heldOutAccuracy = ev.mlmAccuracy;
    }
    curve.push(point);
    const tps = (state.tokensSeen - startTokens) / ((Date.now() - sittingStart) / 1000);
    console.log(`step ${state.step}/${state.totalSteps} loss ${point.loss.toFixed(3)} lr ${point.lr.toExponential(2)}${point.heldOutAccuracy !== undefined ? ` held-out ppl ${point.heldOutPerplexity!.toFixed(1)} acc ${point.heldOutAccuracy.toFixed(3)}` : ''} (${tps.toFixed(0)} tok/s)`);
  }
  if (Date.now() - lastSave > saveEveryMs) {
    await save(false);
    lastSave = Date.now();
  }
}
await save(true);

/** Writes the model (F16, HF layout, dropout restored for fine-tuning) and training.json with the state reached. */
async function save(final: boolean): Promise<void> {
  const after = mlmEvaluate(model, tokenizer, heldRows, EVAL_MASKING);
  const sitting = { date: new Date().toISOString(), ...(importedSitting ?? { fromStep: startStep, toStep: state.step, minutes: (Date.now() - sittingStart) / 60_000, backend: info.device }) };
  const sittings = [...state.sittings, sitting];
  mkdirSync(outDir, { recursive: true });
  const forFineTuning = withConfig(model, { ...recipe.config, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1 });
  await saveModelFolder(outDir, { model: forFineTuning, tokenizer, lineage: [name] }, { dtype: 'F16' });
  const report = {
    name,
    date: sitting.date,
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, backend: info.device },
    corpus: sources.map((s) => ({ id: s.id, description: s.description, package: s.package, licence: s.licence, documents: s.documents.length, words: wordCount(s.documents) })),
    heldOutSet: 'Brown Corpus, every 20th text (25 texts), masked at 15% with a fixed seed',
    recipe,
    objective: `masked LM, ${maskingHistory()} of tokens, 80/10/10; ${dropoutHistory()} (0.1 in the saved config for fine-tuning)`,
    state: { ...state, sittings },
    heldOut: { after, sequences: heldRows.length },
    params: model.countParams(),
    curve,
  };
  writeFileSync(join(outDir, 'training.json'), JSON.stringify(report, null, 2));
  if (final) state.sittings = sittings;
  console.log(`${final ? 'saved' : 'checkpoint'} at step ${state.step}: held-out MLM accuracy ${after.mlmAccuracy.toFixed(4)}, perplexity ${after.perplexity.toFixed(2)} → ${outDir}`);
}

/**
 * `--resume` with `--mask=`, `--lr=` or `--total-steps=` continues the same weights under a changed
 * recipe (the optimizer re-warms anyway). Shortening the schedule lets a sitting end with the learning
 * rate annealed; a later sitting can lengthen it again. Each change is recorded with the step it took effect.
 */
function applyRecipeChanges(): void {
  const overrides: [keyof Recipe & ('maskProbability' | 'peakLr' | 'totalSteps'), string][] = [['maskProbability', 'mask'], ['peakLr', 'lr'], ['totalSteps', 'total-steps']];
  const changes: RecipeChange['changes'] = {};
  for (const [field, flagName] of overrides) {
    const raw = arg(flagName, '');
    if (raw === '') continue;
    const to = Number(raw);
    if (!Number.isFinite(to) || to <= 0) throw new Error(`--${flagName}=${raw}: expected a positive number`);
    if (to !== recipe[field]) changes[field] = { from: recipe[field], to };
  }
  if (changes.totalSteps && changes.totalSteps.to <= state.step) throw new Error(`--total-steps=${changes.totalSteps.to}: the model is already at step ${state.step}`);
  if (Object.keys(changes).length === 0) return;
  for (const [field, c] of Object.entries(changes)) (recipe as unknown as Record<string, number>)[field] = c.to;
  state.totalSteps = recipe.totalSteps;
  recipe.changes = [...(recipe.changes ?? []), { atStep: state.step, date: new Date().toISOString(), changes }];
  console.log(`recipe changed at step ${state.step}: ${Object.entries(changes).map(([k, c]) => `${k} ${c.from} → ${c.to}`).join(', ')}`);
}

/**
 * Takes a GPU sitting's weights as the model, after checking them with Tunegraph's loader; the sitting's
 * steps (of its own batch size) extend the schedule, which it annealed to zero, and its recipe is recorded
 * as a change. save() then evaluates the held-out Brown texts with this engine, as after any sitting.
 */
async function importGpuSitting(dir: string, tag: string): Promise<{ fromStep: number; toStep: number; minutes: number; backend: string }> {
  const { model: trained, log } = await loadGpuSitting(outDir, dir, tag, flag('gpu-allow-partial'));
  if (log.seqLength !== recipe.seqLength) throw new Error(`--gpu-import: the sitting trained ${log.seqLength}-token rows; this model's recipe uses ${recipe.seqLength}`);
  model = withConfig(trained, recipe.config);
  const fromStep = state.step;
  const changes: RecipeChange['changes'] = {};
  const numeric = recipe as unknown as Record<string, number>;
  // Each field the sitting ran with becomes the value in force, recorded as a change where it differs.
  const sittingValues: [keyof Recipe, number][] = [['batchSize', log.recipe.batch], ['peakLr', log.recipe.lr], ['maskProbability', log.recipe.mask], ['rewarmSteps', log.recipe.warmup], ['totalSteps', fromStep + log.steps]];
  for (const [field, to] of sittingValues) {
    if (numeric[field] !== to) changes[field] = { from: numeric[field]!, to };
    numeric[field] = to;
  }
  if (recipe.config.hiddenDropoutProb !== log.recipe.dropout) changes.dropout = { from: recipe.config.hiddenDropoutProb, to: log.recipe.dropout };
  recipe.config = { ...recipe.config, hiddenDropoutProb: log.recipe.dropout, attentionProbsDropoutProb: log.recipe.dropout };
  recipe.changes = [...(recipe.changes ?? []), { atStep: fromStep, date: new Date().toISOString(), changes }];
  for (const p of log.curve) curve.push({ step: fromStep + p.step, loss: p.loss ?? NaN, lr: p.lr, sittingCheckAccuracy: p.checkAccuracy });
  state.step = recipe.totalSteps;
  state.totalSteps = recipe.totalSteps;
  state.tokensSeen += log.tokens;
  console.log(`GPU sitting "${tag}" on ${log.device}: ${log.steps.toLocaleString('en')} steps of ${log.recipe.batch} rows, ${log.tokens.toLocaleString('en')} tokens (${log.epochs.toFixed(1)} epochs) in ${(log.seconds / 60).toFixed(1)} min; accuracy on its held-back rows ${log.start.checkAccuracy.toFixed(4)} → ${log.curve.at(-1)?.checkAccuracy.toFixed(4)}`);
  return { fromStep, toStep: state.step, minutes: log.seconds / 60, backend: `GPU: ${log.device}, PyTorch ${log.torch} (scripts/pretrain/gpu-sitting.py), batch ${log.recipe.batch} × ${log.seqLength} tokens` };
}

/** "no dropout while pretraining", or when a sitting changed it, from which step it was on. */
function dropoutHistory(): string {
  const change = (recipe.changes ?? []).find((c) => c.changes.dropout);
  if (!change) return recipe.config.hiddenDropoutProb > 0 ? `dropout ${recipe.config.hiddenDropoutProb}` : 'no dropout while pretraining';
  return `no dropout to step ${change.atStep}, then ${change.changes.dropout!.to}`;
}

/** "15%", or "15% to step 2781, then 40%" when a resume changed the rate. */
function maskingHistory(): string {
  const pct = (p: number) => `${Math.round(p * 100)}%`;
  const steps = (recipe.changes ?? []).filter((c) => c.changes.maskProbability);
  if (steps.length === 0) return pct(recipe.maskProbability);
  return [pct(steps[0].changes.maskProbability!.from), ...steps.map((c) => `to step ${c.atStep}, then ${pct(c.changes.maskProbability!.to)}`)].join(' ');
}

/**
 * Overwrites the learned position table with Vaswani et al.'s sinusoids, scaled to BERT's init spread.
 * The table stays an ordinary learned weight (HF layout unchanged); it only starts with structure in
 * which nearby positions are similar and offsets are linear maps — what attention needs to find neighbours.
 */
function setSinusoidalPositions(target: TaskModel, config: BertConfig): void {
  const P = config.maxPositionEmbeddings;
  const H = config.hiddenSize;
  const table = new Float32Array(P * H);
  const scale = config.initializerRange * Math.SQRT2; // sin/cos have RMS 1/√2
  for (let pos = 0; pos < P; pos++) {
    for (let i = 0; i < H / 2; i++) {
      const angle = pos / 10000 ** ((2 * i) / H);
      table[pos * H + 2 * i] = Math.sin(angle) * scale;
      table[pos * H + 2 * i + 1] = Math.cos(angle) * scale;
    }
  }
  const v = target.params.get('bert.embeddings.position_embeddings.weight') as tf.Variable;
  tf.tidy(() => v.assign(tf.tensor2d(table, [P, H])));
}

/** The same weights under another config (dropout rates differ between pretraining and fine-tuning). */
function withConfig(source: TaskModel, config: BertConfig): TaskModel {
  const copy = new TaskModel(config);
  for (const [k, v] of source.params) copy.params.set(k, v);
  copy.hasMlmHead = source.hasMlmHead;
  return copy;
}
