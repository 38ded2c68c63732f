// Turns the measured metrics into the report's answers: numbers per question, and where the method
// loses, a plain sentence saying why (with the test split's noise level, so small gaps read as such).
import type { MetricFlag, MetricsValue } from '../../runtime/exec/port-values';
import type { GraphResult } from './run-graph';
import { EMAIL_PIPELINES, pipelineNodes, type EmailPipeline } from './email-graph';
import type { ReportSettings } from './settings';

export interface PipelineRow {
  id: string;
  name: string;
  macroF1: number;
  accuracy: number;
  trainable?: number;
  total?: number;
  /** Wall time of the pipeline's own nodes (head, training, evaluation; LoRA/DAPT/distillation where it has one). */
  seconds?: number;
  /** Test examples per second at evaluation. */
  examplesPerSec: number;
  /** Best validation macro-F1 of its training (what picks the best pipeline — never the test split). */
  validationMacroF1?: number;
  /** Learning rate and epochs the "auto" rule resolved, with its reason. */
  learningRate?: { value: number; reason: string };
  epochs?: { value: number; reason: string };
  flags: MetricFlag[];
}

export interface CurvePoint {
  labels: number;
  macroF1: number;
  seconds?: number;
  /** The fine-tune's kept epoch and the epochs it ran (neural points): best = last means it stopped still improving. */
  bestEpoch?: number;
  epochs?: number;
}

type Resolved = Record<string, Record<string, { value: number; reason: string }>>;

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function evalOf(r: GraphResult, id: string): MetricsValue {
  const m = r.metrics[id] as unknown as MetricsValue | undefined;
  if (!m?.values) throw new Error(`report: node "${id}" reported no metrics`);
  return m;
}

function secondsOf(r: GraphResult, ids: string[]): number | undefined {
  const known = ids.filter((id) => r.seconds[id] !== undefined);
  return known.length === ids.length ? known.reduce((a, id) => a + r.seconds[id], 0) : undefined;
}

export function pipelineRow(r: GraphResult, resolved: Resolved, kind: EmailPipeline | 'student', id: string): PipelineRow {
  const m = evalOf(r, `eval-${id}`);
  const trainNode = kind === 'student' ? 'distill' : `ft-${id}`;
  const train = r.metrics[trainNode] ?? {};
  return {
    id,
    name: m.name,
    macroF1: m.values.macroF1,
    accuracy: m.values.accuracy,
    trainable: m.params?.trainable,
    total: m.params?.total,
    seconds: secondsOf(r, pipelineNodes(kind, id)),
    examplesPerSec: m.values.examplesPerSec,
    validationMacroF1: typeof train.bestValidationMacroF1 === 'number' ? train.bestValidationMacroF1 : undefined,
    learningRate: resolved[trainNode]?.learningRate,
    epochs: resolved[trainNode]?.epochs,
    flags: m.flags ?? [],
  };
}

/** The pipeline with the best validation macro-F1 (ties: the order of EMAIL_PIPELINES). */
export function bestOnValidation(rows: Record<EmailPipeline, PipelineRow>): EmailPipeline {
  return EMAIL_PIPELINES.reduce((best, k) => ((rows[k].validationMacroF1 ?? -1) > (rows[best].validationMacroF1 ?? -1) ? k : best), EMAIL_PIPELINES[0]);
}

/** Two standard errors of accuracy on n test examples: gaps smaller than this are within noise. */
export function noiseOf(accuracy: number, n: number): number {
  return 2 * Math.sqrt((accuracy * (1 - accuracy)) / Math.max(1, n));
}

const flagText = (flags: MetricFlag[]) => (flags.length ? ` Flagged: ${flags.map((f) => `${f.code} (${f.message})`).join('; ')}.` : '');

export interface AnswerInput {
  s: ReportSettings;
  rows: Record<EmailPipeline | 'student', PipelineRow>;
  best: EmailPipeline;
  baseline: MetricsValue;
  /** N-gram features the baseline kept. */
  baselineFeatures: number;
  dapt: Record<string, unknown>;
  pos: MetricsValue;
  trainEmails: number;
  testEmails: number;
  curve: { name: string; points: CurvePoint[] }[];
}

/** Where TF-IDF beats the curve's pipeline, from the measured gaps: does more labelled data close the gap? */
export function curveWhy(neural: CurvePoint[], base: CurvePoint[], losses: number[]): string {
  const gapAt = (p: CurvePoint) => (base.find((q) => q.labels === p.labels)?.macroF1 ?? 0) - p.macroF1;
  const first = neural[0];
  const last = neural[neural.length - 1];
  const trend = gapAt(last) < gapAt(first) ? 'narrows' : 'does not narrow';
  const head = `TF-IDF scores higher at ${losses.join(', ')} labels; the gap ${trend} with more labels (${f3(gapAt(first))} at ${first.labels}, ${f3(gapAt(last))} at ${last.labels}).`;
  // A fine-tune whose best validation epoch was its last stopped while still improving: say that, not a story about features.
  const undertrained = neural.filter((p) => losses.includes(p.labels) && p.bestEpoch !== undefined && p.bestEpoch === p.epochs);
  if (undertrained.length > 0) {
    return `${head} At ${undertrained.map((p) => `${p.labels} labels the fine-tune kept its last epoch (${p.bestEpoch} of ${p.epochs})`).join('; ')}: validation was still rising when the auto schedule ended, so that run is undertrained rather than beaten on representation.`;
  }
  return `${head} Word and word-pair counts already separate spam well, so the linear model learns from few examples, and the encoder's pretraining does not give it representations that separate the classes better than those counts do.`;
}

/** Why pretraining may not have helped, from the model's held-out MLM accuracy (training.json), when known. */
function pretrainingNote(mlm: number | undefined): string {
  if (mlm === undefined) return '';
  if (mlm < 0.3) return `The bundled model's masked-LM pretraining stopped early (held-out MLM accuracy ${f3(mlm)}: mostly frequent-word guesses), so it brings little knowledge of context to transfer.`;
  return `The bundled model is well pretrained (held-out MLM accuracy ${f3(mlm)}); what it learnt from general prose did not transfer to this task at this label count.`;
}

/** Below target on POS: which tags the tagger gets most wrong, from its per-tag scores. */
function posWhy(pos: MetricsValue, layers: number): string {
  const worst = [...(pos.perClass ?? [])].filter((c) => c.support > 0).sort((x, y) => x.f1 - y.f1).slice(0, 3);
  const tags = worst.map((c) => `${c.label} ${f3(c.f1)}`).join(', ');
  return `Below the 0.93 target: the ${layers}-layer encoder's token representations leave ambiguous words to little context${tags ? `; the weakest tags (F1) are ${tags}` : ''}.`;
}

/** Every question, answered with numbers; `why` is set where the method does worse than its comparison. */
export function answer(a: AnswerInput) {
  const { rows, baseline } = a;
  const best = rows[a.best];
  const full = rows.full;
  const noise = noiseOf(baseline.values.accuracy, a.testEmails);
  const gap = (d: number) => (Math.abs(d) < noise ? `a gap of ${f3(Math.abs(d))} is within the test split's noise (±${f3(noise)}, two standard errors on ${a.testEmails} emails)` : `a gap of ${f3(Math.abs(d))}, beyond the test split's noise (±${f3(noise)})`);

  const bestVsBaseline = {
    pipeline: best.name,
    chosenBy: 'best validation macro-F1 among the neural pipelines at this label count',
    macroF1: best.macroF1,
    baselineMacroF1: baseline.values.macroF1,
    labels: a.trainEmails,
    noise,
    why:
      best.macroF1 < baseline.values.macroF1
        ? `TF-IDF wins (${gap(baseline.values.macroF1 - best.macroF1)}): spam is largely told apart by which words and word pairs occur, and a linear model over ${a.baselineFeatures.toLocaleString('en')} word and word-pair features learns those cues directly from ${a.trainEmails} emails, while the ${(best.total ?? 0).toLocaleString('en')}-parameter encoder has to bend general-English representations to email with the same few examples.`
        : undefined,
  };

  const curveNeural = a.curve[0]?.points ?? [];
  const curveBase = a.curve[1]?.points ?? [];
  const losses = curveNeural.filter((p) => (curveBase.find((q) => q.labels === p.labels)?.macroF1 ?? -1) > p.macroF1).map((p) => p.labels);
  const labelEfficiency = {
    pipeline: a.curve[0]?.name,
    winsAt: curveNeural.filter((p) => !losses.includes(p.labels)).map((p) => p.labels),
    losesAt: losses,
    why: losses.length > 0 ? curveWhy(curveNeural, curveBase, losses) : undefined,
  };

  const features = rows.features;
  const featureExtractionVsFull = {
    features: features.macroF1,
    full: full.macroF1,
    featureTrainable: features.trainable,
    collapsed: features.flags.some((f) => f.code === 'collapsed'),
    chance: features.flags.some((f) => f.code === 'chance'),
    learningRate: features.learningRate,
    epochs: features.epochs,
    why:
      features.macroF1 < full.macroF1
        ? `Feature extraction trails full fine-tuning (${gap(full.macroF1 - features.macroF1)}): only the head's ${(features.trainable ?? 0).toLocaleString('en')} weights learn, on features the frozen encoder learned from masked-LM on general prose rather than from what separates spam; full fine-tuning can reshape those features.${flagText(features.flags)}`
        : undefined,
  };

  const dapt = rows['dapt-full'];
  const daptAnswer = {
    withDapt: dapt.macroF1,
    without: full.macroF1,
    perplexityBefore: a.dapt.perplexityBefore as number,
    perplexityAfter: a.dapt.perplexityAfter as number,
    steps: a.dapt.steps as number,
    why:
      dapt.macroF1 < full.macroF1
        ? `DAPT lowered held-out email perplexity (${Number(a.dapt.perplexityBefore).toFixed(1)} → ${Number(a.dapt.perplexityAfter).toFixed(1)}), so the encoder models email text better, but masked-LM on emails does not single out the cues that separate spam from ham, and ${a.dapt.steps} steps on a model this small move it little; ${gap(full.macroF1 - dapt.macroF1)}.`
        : undefined,
  };

  const lora = rows.lora;
  const share = (lora.trainable ?? 0) / Math.max(1, lora.total ?? 1);
  const loraAnswer = {
    trainableShare: share,
    trainable: lora.trainable ?? 0,
    total: lora.total ?? 0,
    macroF1: lora.macroF1,
    relativeToFull: lora.macroF1 / full.macroF1,
    seconds: lora.seconds,
    fullSeconds: full.seconds,
    why:
      lora.macroF1 / full.macroF1 < 0.95
        ? `LoRA reaches ${pct(lora.macroF1 / full.macroF1)} of full fine-tuning: it trains rank-8 updates to the query and value projections only (${pct(share)} of the weights), which on a model this small leaves less room to adapt than updating every weight.${flagText(lora.flags)}`
        : undefined,
  };

  const student = rows.student;
  const studentLayers = Math.max(1, Math.floor(a.s.teacherLayers / 2));
  const distillation = {
    teacherLayers: a.s.teacherLayers,
    studentLayers,
    teacherParams: full.total ?? 0,
    studentParams: student.total ?? 0,
    teacherMacroF1: full.macroF1,
    studentMacroF1: student.macroF1,
    teacherExamplesPerSec: full.examplesPerSec,
    studentExamplesPerSec: student.examplesPerSec,
    speedup: student.examplesPerSec / full.examplesPerSec,
    relativeScore: student.macroF1 / full.macroF1,
    why:
      student.macroF1 / full.macroF1 < 0.95
        ? `The student keeps ${studentLayers} of ${a.s.teacherLayers} layers and learns from the teacher's soft labels on the same ${a.trainEmails} emails only, too few to recover what the dropped layers computed.${flagText(student.flags)}`
        : undefined,
  };

  const posAccuracy = a.pos.values.tokenAccuracy ?? 0;
  const pos = {
    tokenAccuracy: posAccuracy,
    macroF1: a.pos.values.macroF1,
    sentences: a.pos.examples,
    why: posAccuracy < 0.93 ? posWhy(a.pos, a.s.teacherLayers) : undefined,
  };

  const scratch = rows.scratch;
  const mlm = a.s.modelHeldOutMlmAccuracy;
  const pretrainingVsScratch = {
    pretrained: full.macroF1,
    scratch: scratch.macroF1,
    scratchFlags: scratch.flags,
    why:
      scratch.macroF1 >= full.macroF1
        ? `Pretraining did not help here: the same architecture from random weights, with the same tokenizer, learning rate and epochs, scored ${scratch.macroF1 > full.macroF1 ? 'higher' : 'the same'} (${gap(scratch.macroF1 - full.macroF1)}). ${pretrainingNote(mlm)}`.trim()
        : undefined,
  };
  return { bestVsBaseline, labelEfficiency, featureExtractionVsFull, dapt: daptAnswer, lora: loraAnswer, distillation, pos, pretrainingVsScratch };
}

export type Answers = ReturnType<typeof answer>;

/** The issue's targets, each marked reached or not with the value measured. */
export function targets(ans: Answers, studentRow: PipelineRow, teacherRow: PipelineRow) {
  return [
    { target: 'best pipeline (picked on validation) macro-F1 ≥ TF-IDF at 200 labels', reached: ans.bestVsBaseline.macroF1 >= ans.bestVsBaseline.baselineMacroF1, value: `${f3(ans.bestVsBaseline.macroF1)} (${ans.bestVsBaseline.pipeline}) vs TF-IDF ${f3(ans.bestVsBaseline.baselineMacroF1)}` },
    { target: 'feature extraction not collapsed', reached: !ans.featureExtractionVsFull.collapsed && !ans.featureExtractionVsFull.chance, value: `macro-F1 ${f3(ans.featureExtractionVsFull.features)}${ans.featureExtractionVsFull.collapsed ? ' (collapsed)' : ans.featureExtractionVsFull.chance ? ' (chance level)' : ''}` },
    { target: 'DAPT ≥ no DAPT', reached: ans.dapt.withDapt >= ans.dapt.without, value: `${f3(ans.dapt.withDapt)} vs ${f3(ans.dapt.without)}` },
    { target: 'Brown POS token accuracy ≥ 0.93', reached: ans.pos.tokenAccuracy >= 0.93, value: f3(ans.pos.tokenAccuracy) },
    { target: 'LoRA ≤ 5% trainable and ≥ 95% of full fine-tuning', reached: ans.lora.trainableShare <= 0.05 && ans.lora.relativeToFull >= 0.95, value: `${pct(ans.lora.trainableShare)} trainable, ${pct(ans.lora.relativeToFull)} of full` },
    { target: 'student ≤ half the layers and ≥ 95% of teacher', reached: ans.distillation.studentLayers * 2 <= ans.distillation.teacherLayers && ans.distillation.relativeScore >= 0.95, value: `${ans.distillation.studentLayers} of ${ans.distillation.teacherLayers} layers, ${pct(ans.distillation.relativeScore)} of teacher (${f3(studentRow.macroF1)} vs ${f3(teacherRow.macroF1)})` },
  ];
}
