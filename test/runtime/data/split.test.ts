// Seeded stratified splits and subsamples: proportions, tiny classes, determinism, hashes, bad ratios.
import { describe, expect, it } from 'vitest';
import { splitDataset, subsampleDataset, subsampleIndices } from '../../../runtime/data/split';
import type { Dataset, TextExample } from '../../../runtime/data/types';

/** A sequence dataset with `counts[label]` examples of each label, labels interleaved. */
function dataset(counts: Record<string, number>): Dataset {
  const examples: TextExample[] = [];
  for (const [label, n] of Object.entries(counts)) for (let i = 0; i < n; i++) examples.push({ text: `${label}${i}`, label });
  return { task: 'sequence', labels: Object.keys(counts).sort(), examples, source: 'test', contentHash: 'base' };
}

const countLabels = (d: Dataset, idx: number[]) => {
  const out: Record<string, number> = {};
  for (const i of idx) out[(d.examples[i] as TextExample).label] = (out[(d.examples[i] as TextExample).label] ?? 0) + 1;
  return out;
};

describe('splitDataset', () => {
  const d = dataset({ ham: 600, spam: 300, rare: 2, single: 1 });
  const ratios = { train: 0.8, validation: 0.1, test: 0.1, stratify: true };

  it('keeps every label in proportion in every part and covers each example once', () => {
    const s = splitDataset(d, { ...ratios, seed: 42 }).splits!;
    expect(countLabels(d, s.test)).toMatchObject({ ham: 60, spam: 30 });
    expect(countLabels(d, s.validation)).toMatchObject({ ham: 60, spam: 30 });
    expect(countLabels(d, s.train)).toEqual({ ham: 480, spam: 240, rare: 2, single: 1 });
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(d.examples.map((_, i) => i));
  });

  it('is the same for a seed and differs between seeds', () => {
    const a = splitDataset(d, { ...ratios, seed: 7 });
    expect(splitDataset(d, { ...ratios, seed: 7 })).toEqual(a);
    expect(splitDataset(d, { ...ratios, seed: 8 }).splits!.test).not.toEqual(a.splits!.test);
  });

  it('gives the split its own content hash', () => {
    const a = splitDataset(d, { ...ratios, seed: 7 });
    expect(a.contentHash).not.toBe('base');
    expect(splitDataset(d, { ...ratios, seed: 8 }).contentHash).not.toBe(a.contentHash);
  });

  it('splits token datasets by sentence', () => {
    const tok: Dataset = { task: 'token', labels: ['N'], examples: Array.from({ length: 50 }, (_, i) => ({ tokens: [`w${i}`], tags: ['N'] })), source: 't', contentHash: 'h' };
    const s = splitDataset(tok, { train: 0.6, validation: 0.2, test: 0.2, stratify: true, seed: 1 }).splits!;
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([30, 10, 10]);
  });

  it('names a bad ratio', () => {
    expect(() => splitDataset(d, { train: 0.8, validation: -0.1, test: 0.3, stratify: true, seed: 1 })).toThrow('the validation ratio is -0.1');
    expect(() => splitDataset(d, { train: 0, validation: 0, test: 0, stratify: true, seed: 1 })).toThrow('ratios are all 0');
  });
});

describe('subsample', () => {
  it('keeps label shares and still takes one of a class that rounds to nothing', () => {
    const d = dataset({ ham: 900, spam: 97, rare: 3 });
    // Exact shares 90, 9.7, 0.3 round down to 90, 9, 0; the one example left over goes to rare's minimum, not spam's remainder.
    const idx = subsampleIndices(d, d.examples.map((_, i) => i), 100, 5, true);
    expect(new Set(idx).size).toBe(100);
    expect(countLabels(d, idx)).toEqual({ ham: 90, spam: 9, rare: 1 });
  });

  it('gives the rounding remainder to the class that is owed it, not one already lifted to its minimum', () => {
    const d = dataset({ a: 9, b: 15, c: 16 });
    // Exact shares 0.9, 1.5, 1.6 → floors 0, 1, 1; a is lifted to 1; the last example is c's (0.6), not a's again (0.9).
    expect(countLabels(d, subsampleIndices(d, d.examples.map((_, i) => i), 4, 0, true))).toEqual({ a: 1, b: 1, c: 2 });
  });

  it('pays for the minimums from the largest class', () => {
    const d = dataset({ a: 1, b: 1, c: 8 });
    // Exact shares: 0.5, 0.5, 4 → minimums lift a and b to 1, c keeps the remaining 3.
    expect(countLabels(d, subsampleIndices(d, d.examples.map((_, i) => i), 5, 0, true))).toEqual({ a: 1, b: 1, c: 3 });
  });

  it('reduces a dataset to n examples with a fresh hash and the full label set', () => {
    const d = dataset({ ham: 150, spam: 50 });
    const s = subsampleDataset(d, 20, 3);
    expect(s.examples).toHaveLength(20);
    expect(countLabels(s, s.examples.map((_, i) => i))).toEqual({ ham: 15, spam: 5 });
    expect(s.labels).toEqual(['ham', 'spam']);
    expect(s.contentHash).not.toBe(d.contentHash);
    expect(subsampleDataset(d, 20, 3)).toEqual(s);
    expect(subsampleDataset(d, 20, 4).contentHash).not.toBe(s.contentHash);
  });
});
