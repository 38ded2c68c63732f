// Seeded, stratified train/validation/test splits and subsamples.
import { contentHash } from './content-hash';
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
  for (const part of ['train', 'validation', 'test'] as const) {
    if (!Number.isFinite(opts[part]) || opts[part] < 0) throw new Error(`splitDataset: the ${part} ratio is ${opts[part]}; ratios must be finite and ≥ 0`);
  }
  if (!(total > 0)) throw new Error('splitDataset: the train, validation and test ratios are all 0');
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
    // Loops, not push(...list): spreading a 500k-row class overflows the call stack.
    for (const i of test) splits.test.push(i);
    for (const i of validation) splits.validation.push(i);
    for (let k = test.length + validation.length; k < idx.length; k++) splits.train.push(idx[k]);
  }
  splits.train = shuffled(splits.train, opts.seed + 1);
  splits.validation = shuffled(splits.validation, opts.seed + 2);
  splits.test = shuffled(splits.test, opts.seed + 3);
  if (opts.maxTrain && splits.train.length > opts.maxTrain) splits.train = subsampleIndices(d, splits.train, opts.maxTrain, opts.seed, opts.stratify);
  // The same examples split differently are different data for everything downstream.
  return { ...d, splits, contentHash: contentHash({ examples: d.contentHash, splits }) } as Dataset;
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
  // A class that rounds down to nothing still gets one example when there is room for every class.
  if (n >= keys.length) take.forEach((t, i) => (take[i] = Math.max(t, 1)));
  let left = n - take.reduce((a, b) => a + b, 0);
  while (left < 0) {
    // Pay for those minimums from the largest class.
    const i = take.reduce((best, t, j) => (t > take[best] ? j : best), 0);
    take[i]--;
    left++;
  }
  exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0])
    .forEach(([, i]) => {
      // A class already raised to its rounded-up share (by the minimum above) gets no more.
      if (left > 0 && take[i] < Math.ceil(exact[i])) {
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
  const examples = keep.map((i) => d.examples[i]);
  // `labels` stays the full set so a head built on the sample still knows every class.
  return { ...d, examples, splits: undefined, contentHash: contentHash(examples) } as Dataset;
}
