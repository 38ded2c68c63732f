import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../runtime/data/content-hash';
import { splitDataset } from '../../../runtime/data/split';
import type { Dataset } from '../../../runtime/data/types';
import { baselineTfidfStage } from '../../../runtime/stages/baseline-stage';
import { resolveParams } from '../../../runtime/compile/params';
import { StageError } from '../../../runtime/stages/stage-error';

/** Three topics with their own words, plus shared filler, so the classes are learnable but not trivial. */
function topics(n: number): Dataset {
  const words: Record<string, string[]> = {
    sport: ['match', 'goal', 'team', 'score', 'league', 'coach'],
    cooking: ['oven', 'flour', 'recipe', 'bake', 'salt', 'butter'],
    travel: ['flight', 'hotel', 'beach', 'passport', 'train', 'museum'],
  };
  const filler = ['the', 'a', 'was', 'very', 'today', 'and', 'we', 'it'];
  const examples = Array.from({ length: n }, (_, i) => {
    const label = Object.keys(words)[i % 3];
    const pick = (xs: string[], k: number) => xs[(i * 7 + k * 13) % xs.length];
    return { text: [pick(filler, 1), pick(words[label], 2), pick(filler, 3), pick(words[label], 4), pick(filler, 5)].join(' '), label };
  });
  return { task: 'sequence', labels: Object.keys(words).sort(), examples, source: 'topics', contentHash: contentHash(examples) };
}

function run(params: Record<string, unknown>, inputs: { dataset: Dataset; test?: Dataset }) {
  const logs: string[] = [];
  const progress: { step: number; totalSteps: number; phase?: string; unit?: string }[] = [];
  const ctx = {
    runId: 'r', nodeId: 'baseline', cacheKey: 'k', params: resolveParams('baseline-tfidf', params), inputs, env: {} as never, artifactDir: '', checkpointDir: '',
    signal: new AbortController().signal, progress: (p: (typeof progress)[number]) => progress.push(p), metrics: () => {}, log: (m: string) => logs.push(m), throwIfCancelled: () => {},
  };
  return { result: baselineTfidfStage.run(ctx as never), logs, progress };
}

describe('baseline-tfidf stage', () => {
  it('trains on the train split and scores the test split with the metrics Eval reports', async () => {
    const data = splitDataset(topics(90), { train: 0.6, validation: 0.1, test: 0.3, stratify: true, seed: 1 });
    const r = run({}, { dataset: data });
    const { metrics } = await r.result;
    // The fit reports its epochs from 0 to the last (the ones between may be thinned).
    expect(r.progress[0]).toMatchObject({ step: 0, phase: 'fitting TF-IDF + logistic regression', unit: 'epochs' });
    expect(r.progress.at(-1)).toMatchObject({ step: r.progress[0].totalSteps, totalSteps: r.progress[0].totalSteps });
    expect(metrics).toMatchObject({ name: 'TF-IDF + logistic regression', kind: 'classification', split: 'test', examples: data.splits!.test.length });
    expect(metrics.values.accuracy).toBeGreaterThan(0.9);
    expect(metrics.values.macroF1).toBeGreaterThan(0.9);
    expect(metrics.perClass!.map((c) => c.label)).toEqual(['cooking', 'sport', 'travel']);
    expect(metrics.confusion!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(data.splits!.test.length);
    expect(metrics.params!.trainable).toBeGreaterThan(0);
    expect(metrics.flags).toEqual([]);
  });

  it('flags a baseline that predicts one class for everything, as Eval does, and logs it', async () => {
    // Every text is the same, so nothing can tell the classes apart: one answer for all of them.
    const base = topics(90);
    const same = { ...base, examples: base.examples.map((e) => ({ ...e, text: 'the same words every time' })) };
    const data = splitDataset(same as Dataset, { train: 0.6, validation: 0.1, test: 0.3, stratify: true, seed: 1 });
    const { result, logs } = run({}, { dataset: data });
    const { metrics } = await result;
    expect(metrics.flags).toHaveLength(1);
    expect(metrics.flags![0].code).toBe('collapsed');
    expect(metrics.flags![0].message).toMatch(/^all 27 predictions are "(cooking|sport|travel)" \(the gold labels are .*\): the model collapsed to one class$/);
    expect(logs).toContain(`TF-IDF + logistic regression: collapsed: ${metrics.flags![0].message}`);
  });

  it('scores a separate test dataset whole when one is connected', async () => {
    const train = topics(60);
    const all = topics(30).examples.map((_, i) => i);
    const test = { ...topics(30), splits: { train: [], validation: [], test: all } };
    const { metrics } = await run({ split: 'test' }, { dataset: train, test }).result;
    expect(metrics.examples).toBe(30);
  });

  it('is a real classifier: labels it cannot learn from score at chance, not perfectly', async () => {
    const data = topics(90);
    const shuffledLabels = { ...data, examples: data.examples.map((e, i) => ({ ...e, label: data.labels[(i * 5 + Math.floor(i / 3)) % 3] })) };
    const split = splitDataset(shuffledLabels as Dataset, { train: 0.6, validation: 0.1, test: 0.3, stratify: true, seed: 1 });
    const { metrics } = await run({}, { dataset: split }).result;
    expect(metrics.values.accuracy).toBeLessThan(0.9);
  });

  it('fails with the reason on an unsplit dataset or token tags', async () => {
    await expect(run({ split: 'test' }, { dataset: topics(30) }).result).rejects.toThrow(StageError);
    await expect(run({ split: 'test' }, { dataset: topics(30) }).result).rejects.toThrow(/no test split/);
    const tags: Dataset = { task: 'token', labels: ['N'], examples: [{ tokens: ['a'], tags: ['N'] }], source: 'tags.jsonl', contentHash: 'x' };
    await expect(run({ split: 'train' }, { dataset: tags }).result).rejects.toThrow(/one tag per token/);
  });
});
