// Seeded, stratified train/validation/test splits and subsamples.
import { shuffled } from './seeded';
import type { Dataset, Splits } from './types';

function labelOf(d: Dataset, i: number): string {
  // Token datasets are not stratified by label (a sentence has many); they group under one key.
  return d.task === 'sequence' ? d.examples[i].label : '';
}

/** Splits by ratios; with `stratify` every label is split in the same proportions.
 * Example order inside each part is shuffled by the seed. */
export function splitDataset(d: Dataset, opts: { train: number; validation: number; test: number; stratify: boolean; seed: number; maxTrain?: number }): Dataset {
  const total = opts.train + opts.validation + opts.test;
  const groups = new Map<string, number[]>();
  d.examples.forEach((_, i) => {
    const key = opts.stratify ? labelOf(d, i) : '';
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(i);
  });
  const splits: Splits = { train: [], validation: [], test: [] };
  let g = 0;
  for (const key of [...groups.keys()].sort()) {
    const idx = shuffled(groups.get(key)!, opts.seed * 7919 + g++);
    const nTest = Math.round((idx.length * opts.test) / total);
    const nVal = Math.round((idx.length * opts.validation) / total);
    // A tiny class keeps at least one training example when it can.
    const test = idx.slice(0, Math.min(nTest, Math.max(0, idx.length - 1)));
    const validation = idx.slice(test.length, test.length + Math.min(nVal, Math.max(0, idx.length - test.length - 1)));
    splits.test.push(...test);
    splits.validation.push(...validation);
    splits.train.push(...idx.slice(test.length + validation.length));
  }
  splits.train = shuffled(splits.train, opts.seed + 1);
  splits.validation = shuffled(splits.validation, opts.seed + 2);
  splits.test = shuffled(splits.test, opts.seed + 3);
  if (opts.maxTrain && splits.train.length > opts.maxTrain) splits.train = subsampleIndices(d, splits.train, opts.maxTrain, opts.seed, opts.stratify);
  return { ...d, splits } as Dataset;
}

/** `n` of the given indices, keeping label proportions when stratified (largest remainder). */
export function subsampleIndices(d: Dataset, indices: number[], n: number, seed: number, stratify: boolean): number[] {
  if (n >= indices.length) return [...indices];
  if (!stratify || d.task !== 'sequence') return shuffled(indices, seed + 11).slice(0, n);
  const groups = new Map<string, number[]>();
  for (const i of indices) (groups.get(labelOf(d, i)) ?? groups.set(labelOf(d, i), []).get(labelOf(d, i))!).push(i);
  const keys = [...groups.keys()].sort();
  const exact = keys.map((k) => (groups.get(k)!.length * n) / indices.length);
  const take = exact.map(Math.floor);
  let left = n - take.reduce((a, b) => a + b, 0);
  exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0])
    .forEach(([, i]) => {
      if (left > 0) {
        take[i]++;
        left--;
      }
    });
  const out = keys.flatMap((k, i) => shuffled(groups.get(k)!, seed + 13 + i).slice(0, take[i]));
  return shuffled(out, seed + 17);
}

/** A dataset reduced to `n` examples (stratified), splits dropped. */
export function subsampleDataset(d: Dataset, n: number, seed: number): Dataset {
  if (n <= 0 || n >= d.examples.length) return d;
  const keep = subsampleIndices(d, d.examples.map((_, i) => i), n, seed, true).sort((a, b) => a - b);
  return { ...d, examples: keep.map((i) => d.examples[i]), splits: undefined } as Dataset;
}
