import { describe, expect, it } from 'vitest';
import { graphFacts, type FactSources } from '../../../runtime/compile/graph-facts';
import { applyResolved, resolveAutoParams } from '../../../runtime/compile/resolve-defaults';
import { graphBuilder } from '../../helpers/graph-builder';

const MINI = { layers: 2, hidden: 128, maxPositions: 128 };
const BASE = { layers: 12, hidden: 768, maxPositions: 512 };
const sourcesFor = (shape = MINI): FactSources => ({ modelShape: () => shape });

/** dataset → split → (pretrained → [lora] → head) → fine-tune, with the given knobs. */
function fineTuneGraph(opts: { lora?: boolean; featureExtraction?: boolean; randomInit?: boolean; maxTrain?: number; maxExamples?: number; ft?: Record<string, unknown> } = {}) {
  const g = graphBuilder();
  const data = g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: opts.maxExamples ?? 0 });
  const split = g.node('split', { maxTrainExamples: opts.maxTrain ?? 0 });
  const model = g.node('pretrained-load', { randomInit: !!opts.randomInit });
  let top = model;
  if (opts.lora) {
    top = g.node('lora');
    g.connect(model, 'model', top, 'model');
  }
  const head = g.node('head', { featureExtraction: !!opts.featureExtraction });
  const ft = g.node('fine-tune', opts.ft ?? {});
  g.connect(data, 'dataset', split, 'dataset');
  g.connect(top, 'model', head, 'model');
  g.connect(split, 'dataset', head, 'dataset');
  g.connect(head, 'model', ft, 'model');
  g.connect(split, 'dataset', ft, 'dataset');
  return { doc: g.build(), ft };
}

const resolvedFor = (doc: ReturnType<typeof fineTuneGraph>['doc'], sources: FactSources = sourcesFor()) => resolveAutoParams(graphFacts(doc, sources));

describe('the auto defaults (documented in firstrun-readme.md)', () => {
  it('gives the bundled 2-layer H128 model 1e-3 for full fine-tuning, with the reason in plain words', () => {
    const { doc, ft } = fineTuneGraph({ maxTrain: 200 });
    expect(resolvedFor(doc)[ft].learningRate).toEqual({ value: 1e-3, reason: 'auto: 1e-3 for a 2-layer H128 pretrained model, full fine-tuning' });
  });

  it('gives LoRA and head-only training higher rates than full fine-tuning', () => {
    const lora = fineTuneGraph({ lora: true });
    const head = fineTuneGraph({ featureExtraction: true });
    expect(resolvedFor(lora.doc)[lora.ft].learningRate.value).toBe(3e-3);
    expect(resolvedFor(lora.doc)[lora.ft].learningRate.reason).toContain('LoRA adapters');
    expect(resolvedFor(head.doc)[head.ft].learningRate.value).toBe(1e-2);
    expect(resolvedFor(head.doc)[head.ft].learningRate.reason).toContain('head only');
  });

  it('gives a BERT-base-sized model BERT settings (3e-5 full, 3e-4 LoRA)', () => {
    const full = fineTuneGraph();
    const lora = fineTuneGraph({ lora: true });
    expect(resolvedFor(full.doc, sourcesFor(BASE))[full.ft].learningRate).toEqual({ value: 3e-5, reason: 'auto: 3e-5 for a 12-layer H768 pretrained model, full fine-tuning' });
    expect(resolvedFor(lora.doc, sourcesFor(BASE))[lora.ft].learningRate.value).toBe(3e-4);
  });

  it('says when the model size is unknown and falls back to BERT-base values', () => {
    const { doc, ft } = fineTuneGraph();
    expect(resolvedFor(doc, {})[ft].learningRate).toEqual({ value: 3e-5, reason: 'auto: 3e-5 for a model of unknown size (BERT-base values), full fine-tuning' });
  });

  it('names a randomly initialised model as such', () => {
    const { doc, ft } = fineTuneGraph({ randomInit: true });
    expect(resolvedFor(doc)[ft].learningRate.reason).toContain('randomly initialised');
  });

  it('picks epochs from the training-set size: about 300 steps, between 1 and 10 epochs', () => {
    // A small set gets at least 100 steps (up to 40 epochs): 40 emails at batch 16 are 3 steps per epoch.
    const tiny = fineTuneGraph({ maxTrain: 40 });
    expect(resolvedFor(tiny.doc)[tiny.ft].epochs).toEqual({ value: 34, reason: 'auto: 34 epochs (102 steps) for 40 training examples at batch 16 (a small set: at least 100 steps)' });
    const small = fineTuneGraph({ maxTrain: 200 });
    expect(resolvedFor(small.doc)[small.ft].epochs).toEqual({ value: 10, reason: 'auto: 10 epochs (130 steps) for 200 training examples at batch 16' });
    const mid = fineTuneGraph({ maxTrain: 1000, ft: { batchSize: 32 } });
    expect(resolvedFor(mid.doc)[mid.ft].epochs.value).toBe(9); // 32 steps per epoch → 300 / 32 ≈ 9
    const all = fineTuneGraph();
    // 70% of 6,046 emails = 4,232 → 265 steps per epoch → one epoch.
    expect(resolvedFor(all.doc)[all.ft].epochs).toEqual({ value: 1, reason: 'auto: 1 epoch (265 steps) for 4232 training examples at batch 16' });
  });

  it('warms up over 10% of the steps', () => {
    const { doc, ft } = fineTuneGraph();
    expect(resolvedFor(doc)[ft].warmupRatio.value).toBe(0.1);
  });

  it('leaves values the user chose alone', () => {
    const { doc, ft } = fineTuneGraph({ ft: { learningRate: 2e-4, epochs: 4, warmupRatio: 0 } });
    expect(resolvedFor(doc)[ft]).toBeUndefined();
  });

  it('resolves DAPT and distill rates from their model', () => {
    const g = graphBuilder();
    const model = g.node('pretrained-load');
    const corpus = g.node('corpus-bundled');
    const dapt = g.node('dapt');
    g.connect(model, 'model', dapt, 'model');
    g.connect(corpus, 'corpus', dapt, 'corpus');
    const r = resolveAutoParams(graphFacts(g.build(), sourcesFor()));
    expect(r[dapt].learningRate).toEqual({ value: 5e-4, reason: 'auto: 5e-4 for masked-LM training of a 2-layer H128 pretrained model' });
    const { doc, ft } = fineTuneGraph({ maxTrain: 200 });
    const distillDoc = structuredClone(doc);
    distillDoc.nodes.push({ id: 'student', type: 'distill', typeVersion: 2, params: {}, position: { x: 0, y: 0 } });
    distillDoc.edges.push({ id: 'd1', source: ft, sourcePort: 'model', target: 'student', targetPort: 'teacher' }, { id: 'd2', source: 'n2', sourcePort: 'dataset', target: 'student', targetPort: 'dataset' });
    const rd = resolvedFor(distillDoc)['student'];
    expect(rd.learningRate.reason).toBe('auto: 1e-3 for a 1-layer H128 pretrained model, full fine-tuning');
    expect(rd.epochs.value).toBe(10);
  });

  it('applies resolved values and refuses to run an "auto" it has no value for', () => {
    expect(applyResolved('ft', { learningRate: 'auto', batchSize: 16 }, { learningRate: { value: 1e-3, reason: '' } })).toEqual({ learningRate: 1e-3, batchSize: 16 });
    expect(() => applyResolved('ft', { epochs: 'auto' }, {})).toThrow(/"epochs" is "auto"/);
  });
});
