// The "auto" rule: learning rate, epochs and warm-up derived from the model (size, pretrained or
// not, what trains) and the dataset size. The inspector (graphs.check) and the executor call this
// same function on the same facts, so what the inspector shows is what runs.
// The values and why are documented in /work/coord/firstrun-readme.md (README "Defaults").
import { AUTO } from '../../graph-nodes/shared-params';
import { trainExamplesOf, type DatasetFacts, type GraphFacts, type ModelFacts, type ModelShape } from './graph-facts';

/** Bumped whenever a value below changes; part of the cache key of every node with an "auto" param. */
export const AUTO_RULES_VERSION = '2';

/** The value an "auto" param takes, and the plain-words reason shown in the inspector. */
export interface ResolvedParam {
  value: number;
  reason: string;
}

/** Resolved "auto" params by node id, then by param name. */
export type ResolvedParams = Record<string, Record<string, ResolvedParam>>;

/** Peak learning rate for full fine-tuning, by hidden size (largest hidden first matched from the top).
 * BERT-base (768) sits in the 2e-5..5e-5 range of Devlin et al.; the bundled H128 model was measured
 * (firstrun-readme.md): 1e-3 trains in a few epochs where 5e-5 stays at chance. */
const FULL_LR_BY_HIDDEN: readonly (readonly [number, number])[] = [
  [128, 1e-3],
  [256, 3e-4],
  [512, 1e-4],
  [768, 3e-5],
  [1024, 2e-5],
  [Infinity, 1e-5],
];
/** Masked-LM pretraining rates, by hidden size: half the fine-tuning rate for small models, 1e-4 for BERT-base. */
const MLM_LR_BY_HIDDEN: readonly (readonly [number, number])[] = [
  [128, 5e-4],
  [256, 3e-4],
  [512, 2e-4],
  [Infinity, 1e-4],
];
/** LoRA trains few weights from zero-initialised B: ten times the full rate, at most 3e-3. */
const LORA_FACTOR = 10;
const LORA_MAX = 3e-3;
/** A head alone (linear probe on frozen features) takes thirty times the full rate, at most 1e-2. */
const HEAD_ONLY_FACTOR = 30;
const HEAD_ONLY_MAX = 1e-2;
/** Size assumed when the model's config cannot be read (BERT-base). */
const ASSUMED_SHAPE: ModelShape = { layers: 12, hidden: 768, maxPositions: 512 };
/** Optimizer steps a fine-tune aims for; epochs follow from the dataset size, within the bounds below. */
const TARGET_STEPS = 300;
const MIN_EPOCHS = 1;
const MAX_EPOCHS = 10;
/**
 * A small set still gets this many steps, with up to SMALL_SET_MAX_EPOCHS passes (each run keeps its
 * best epoch on validation). Measured (README "Results"): at 50 labelled emails, 10 epochs were 40 steps
 * and validation was still rising at the last one (0.749 on test, below TF-IDF's 0.807).
 */
const MIN_STEPS = 100;
const SMALL_SET_MAX_EPOCHS = 40;
/** Epochs when the dataset size is unknown. */
const UNKNOWN_DATA_EPOCHS = 3;
const WARMUP_RATIO = 0.1;

const byHidden = (table: readonly (readonly [number, number])[], hidden: number) => table.find(([h]) => hidden <= h)![1];

/** 0.001 → "1e-3", 0.0003 → "3e-4". */
export function formatRate(x: number): string {
  return x.toExponential(0).replace('e-', 'e-').replace('e+', 'e');
}

/** Rounds to one significant digit in the 1-2-3-5 series so auto values read like chosen ones. */
function niceRate(x: number): number {
  const exp = Math.floor(Math.log10(x));
  const m = x / 10 ** exp;
  const step = [1, 2, 3, 5, 10].reduce((best, s) => (Math.abs(s - m) < Math.abs(best - m) ? s : best), 1);
  return Number((step * 10 ** exp).toPrecision(1));
}

function describeModel(m: ModelFacts | undefined): { shape: ModelShape; words: string } {
  if (!m?.shape) return { shape: ASSUMED_SHAPE, words: 'a model of unknown size (BERT-base values)' };
  const s = m.shape;
  return { shape: s, words: `a ${s.layers}-layer H${s.hidden} ${m.pretrained ? 'pretrained' : 'randomly initialised'} model` };
}

const TRAINABLE_WORDS = { full: 'full fine-tuning', partial: 'fine-tuning with frozen layers', lora: 'LoRA adapters', 'head-only': 'head only (frozen encoder)' } as const;

/** Fine-tuning learning rate for a model and what trains in it. */
export function fineTuneLearningRate(m: ModelFacts | undefined): ResolvedParam {
  const { shape, words } = describeModel(m);
  const full = byHidden(FULL_LR_BY_HIDDEN, shape.hidden);
  const trainable = m?.trainable ?? 'full';
  const value = trainable === 'lora' ? Math.min(niceRate(full * LORA_FACTOR), LORA_MAX) : trainable === 'head-only' ? Math.min(niceRate(full * HEAD_ONLY_FACTOR), HEAD_ONLY_MAX) : full;
  return { value, reason: `auto: ${formatRate(value)} for ${words}, ${TRAINABLE_WORDS[trainable]}` };
}

/** Masked-LM (DAPT) learning rate for a model. */
export function mlmLearningRate(m: ModelFacts | undefined): ResolvedParam {
  const { shape, words } = describeModel(m);
  const value = byHidden(MLM_LR_BY_HIDDEN, shape.hidden);
  return { value, reason: `auto: ${formatRate(value)} for masked-LM training of ${words}` };
}

/** Epochs that give about TARGET_STEPS optimizer steps, within [MIN_EPOCHS, MAX_EPOCHS], and at least MIN_STEPS steps. */
export function autoEpochs(data: DatasetFacts | undefined, batchSize: number): ResolvedParam {
  const n = trainExamplesOf(data);
  if (n === undefined || n <= 0) return { value: UNKNOWN_DATA_EPOCHS, reason: `auto: ${UNKNOWN_DATA_EPOCHS} epochs (the dataset size is not known before the run)` };
  const stepsPerEpoch = Math.ceil(n / batchSize);
  let value = Math.max(MIN_EPOCHS, Math.min(MAX_EPOCHS, Math.round(TARGET_STEPS / stepsPerEpoch)));
  const small = value * stepsPerEpoch < MIN_STEPS;
  if (small) value = Math.min(SMALL_SET_MAX_EPOCHS, Math.ceil(MIN_STEPS / stepsPerEpoch));
  const why = small ? ` (a small set: at least ${MIN_STEPS} steps)` : '';
  return { value, reason: `auto: ${value} epoch${value === 1 ? '' : 's'} (${value * stepsPerEpoch} steps) for ${n} training examples at batch ${batchSize}${why}` };
}

/** Warm-up share of the steps. */
export function autoWarmup(): ResolvedParam {
  return { value: WARMUP_RATIO, reason: `auto: warm up over the first ${WARMUP_RATIO * 100}% of the steps` };
}

/** Every "auto" param of every node the facts cover, resolved. */
export function resolveAutoParams(facts: GraphFacts): ResolvedParams {
  const out: ResolvedParams = {};
  for (const [nodeId, p] of facts.params) {
    const autos = Object.keys(p).filter((k) => p[k] === AUTO);
    if (autos.length === 0) continue;
    const type = facts.index.nodes.get(nodeId)!.type;
    const model = facts.input(nodeId, type === 'distill' ? 'teacher' : 'model') as ModelFacts | undefined;
    const data = facts.input(nodeId, 'dataset') as DatasetFacts | undefined;
    const student = type === 'distill' ? (facts.outputs.get(nodeId)?.model ?? model) : model;
    const resolved: Record<string, ResolvedParam> = {};
    for (const param of autos) {
      if (param === 'learningRate') resolved[param] = type === 'dapt' ? mlmLearningRate(model) : fineTuneLearningRate(student);
      else if (param === 'epochs') resolved[param] = autoEpochs(data, p.batchSize as number);
      else if (param === 'warmupRatio') resolved[param] = autoWarmup();
      else throw new Error(`resolveAutoParams: no rule for "${type}".${param}`);
    }
    out[nodeId] = resolved;
  }
  return out;
}

/** A node's params with its "auto" values replaced; throws when one has no resolved value. */
export function applyResolved(nodeId: string, params: Record<string, unknown>, resolved: Record<string, ResolvedParam> | undefined): Record<string, unknown> {
  const out = { ...params };
  for (const [k, v] of Object.entries(out)) {
    if (v !== AUTO) continue;
    const r = resolved?.[k];
    if (!r) throw new Error(`node "${nodeId}": param "${k}" is "auto" but no value was resolved for it`);
    out[k] = r.value;
  }
  return out;
}
