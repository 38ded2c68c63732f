// Data work reports progress: parsing bundled corpora, tokenizing, perplexity and scoring batches, throttled per phase.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../runtime/backend';
import type { Dataset } from '../../../runtime/data/types';
import type { RunEvent } from '../../../runtime/exec/events';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { countProgress, COUNT_PROGRESS_PER_SEC } from '../../../runtime/stages/common/count-progress';
import { corpusRows } from '../../../runtime/stages/common/encode';
import { mlmEvaluate } from '../../../runtime/stages/common/mlm';
import { evalStage } from '../../../runtime/stages/eval-stages';
import { corpusBundledStage, datasetBundledStage } from '../../../runtime/stages/sources';
import { tf } from '../../../runtime/tf';

type Progress = Omit<Extract<RunEvent, { type: 'progress' }>, 'type' | 'nodeId'>;
const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));

/** A reporter whose events land in `events`, on a clock the test moves by hand. */
function recorder() {
  const events: Progress[] = [];
  let t = 0;
  return { events, tick: (ms: number) => (t += ms), now: () => t, report: (p: Progress) => events.push(p) };
}

/** The events must count up from 0 to the total, in one phase and unit. */
function expectCountsUp(events: Progress[], phase: string, unit: string, total: number) {
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events[0]).toMatchObject({ step: 0, totalSteps: total, phase, unit });
  expect(events.at(-1)).toMatchObject({ step: total, totalSteps: total, phase, unit });
  for (let i = 1; i < events.length; i++) expect(events[i].step).toBeGreaterThan(events[i - 1].step);
}

describe('countProgress', () => {
  it('sends the first and the last count at once and at most COUNT_PROGRESS_PER_SEC a second between them', () => {
    const r = recorder();
    const report = countProgress(r.report, 'parsing emails', 'emails', r.now);
    // 10,000 rows over 5 simulated seconds (0.5 ms each).
    for (let i = 0; i <= 10_000; i++) {
      report(i, 10_000);
      r.tick(0.5);
    }
    expectCountsUp(r.events, 'parsing emails', 'emails', 10_000);
    // One at t=0, then one per 250 ms over 5 s, and the last: 1 + 20 + 1 at most.
    expect(r.events.length).toBeLessThanOrEqual(1 + 5 * COUNT_PROGRESS_PER_SEC + 1);
    expect(r.events.length).toBeGreaterThanOrEqual(5 * COUNT_PROGRESS_PER_SEC);
    expect(r.events.every((e) => e.epoch === 0 && e.loss === undefined)).toBe(true);
  });

  it('always sends the end even right after another event, and nothing after it', () => {
    const r = recorder();
    const report = countProgress(r.report, 'scoring test', 'batches', r.now);
    report(0, 3);
    report(1, 3);
    report(2, 3);
    report(3, 3);
    report(3, 3);
    expect(r.events.map((e) => e.step)).toEqual([0, 3]);
  });
});

describe('data stages report their work', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('the Brown corpus stage reports files parsed of the total, then its corpus', async () => {
    const events: Progress[] = [];
    const out = await corpusBundledStage.run({ params: { corpus: 'brown', genres: ['humor'], maxDocuments: 3 }, progress: (p: Progress) => events.push(p) } as never);
    expect(out.corpus.documents).toHaveLength(3);
    // The whole corpus is parsed once (500 files), whatever the genres picked.
    expectCountsUp(events, 'parsing Brown files', 'files', 500);
  });

  it('the spam dataset reports emails parsed; the email corpus then reuses them without parsing again', async () => {
    const events: Progress[] = [];
    const out = await datasetBundledStage.run({ params: { dataset: 'spam-assassin', maxExamples: 0, seed: 0 }, log: () => {}, progress: (p: Progress) => events.push(p) } as never);
    const total = out.dataset.examples.length;
    expect(total).toBeGreaterThan(6000);
    expectCountsUp(events, 'parsing emails', 'emails', total);
    const again: Progress[] = [];
    const corpus = await corpusBundledStage.run({ params: { corpus: 'spam-assassin-emails', genres: [], maxDocuments: 10 }, progress: (p: Progress) => again.push(p) } as never);
    expect(corpus.corpus.documents).toHaveLength(10);
    expect(again).toEqual([]);
  });

  it('tokenizing a corpus counts documents, also when maxRows stops it early', async () => {
    const { tokenizer, model } = await loadModelFolder(fixture);
    model.dispose();
    const docs = Array.from({ length: 40 }, (_, i) => `document ${i} says the patient had a note about billing and more words`);
    const all: Progress[] = [];
    corpusRows(tokenizer, docs, 16, Infinity, countProgress((p) => all.push(p), 'tokenizing corpus', 'documents', () => 0));
    expect(all.map((e) => [e.step, e.totalSteps])).toEqual([[0, 40], [40, 40]]);
    const early: Progress[] = [];
    const rows = corpusRows(tokenizer, docs, 16, 3, countProgress((p) => early.push(p), 'tokenizing corpus', 'documents', () => 0));
    expect(rows).toHaveLength(3);
    expect(early.at(-1)).toMatchObject({ step: 40, totalSteps: 40 });
  });

  it('perplexity counts batches (DAPT before/after, Eval on a corpus) and keeps tensors clean', async () => {
    const { tokenizer, model } = await loadModelFolder(fixture);
    try {
      if (!model.hasMlmHead) model.addMlmHead(1);
      const rows = corpusRows(tokenizer, Array.from({ length: 30 }, (_, i) => `note ${i} about billing and clinical other words here`), 16);
      const batches: [number, number][] = [];
      const before = tf.memory().numTensors;
      const r = mlmEvaluate(model, tokenizer, rows, { probability: 0.15 }, 4, (done, total) => batches.push([done, total]));
      expect(tf.memory().numTensors).toBe(before);
      expect(Number.isFinite(r.perplexity)).toBe(true);
      const total = Math.ceil(rows.length / 4);
      expect(batches).toEqual(Array.from({ length: total + 1 }, (_, i) => [i, total]));
    } finally {
      model.dispose();
    }
  });

  it('Eval reports batches scored of its split', async () => {
    const value = await loadModelFolder(fixture);
    const labels = ['billing', 'clinical', 'other'];
    const examples = Array.from({ length: 40 }, (_, i) => ({ text: `note number ${i} about ${labels[i % 3]}`, label: labels[i % 3] }));
    const data: Dataset = { task: 'sequence', labels, examples, splits: { train: [], validation: [], test: examples.map((_, i) => i) }, source: 'test', contentHash: 'h' };
    const events: Progress[] = [];
    try {
      await evalStage.run({ params: { split: 'test', batchSize: 16, name: 'ev' }, inputs: { model: value, dataset: data, corpus: undefined }, nodeId: 'ev', log: () => {}, progress: (p: Progress) => events.push(p) } as never);
    } finally {
      value.model.dispose();
    }
    // 40 examples in batches of 16: 3 batches; the middle ones may be thinned, the ends never are.
    expectCountsUp(events, 'scoring test', 'batches', 3);
  });
});
