// The 29 MB / 500k-row CSV probe from issue 13: parsing and splitting it must not overflow the stack.
import { describe, expect, it } from 'vitest';
import { parseDatasetFile } from '../../../runtime/data/parse-upload';
import { splitDataset } from '../../../runtime/data/split';

describe('a 500k-row upload', () => {
  it('parses and splits without "Maximum call stack size exceeded"', () => {
    const rows = ['text,label'];
    for (let i = 0; i < 500_000; i++) rows.push(`review number ${i} of a long file with some words,${i % 3 === 0 ? 'spam' : 'ham'}`);
    const text = rows.join('\n') + '\n';
    const d = parseDatasetFile('big.csv', text, { format: 'csv', textColumn: 'text', labelColumn: 'label', task: 'sequence', maxBytes: 64 * 1024 * 1024 });
    expect(d.examples).toHaveLength(500_000);
    const s = splitDataset(d, { train: 0.8, validation: 0.1, test: 0.1, seed: 1, stratify: true }).splits!;
    expect(s.train.length + s.validation.length + s.test.length).toBe(500_000);
    expect(s.test.length).toBeGreaterThan(49_000);
  });
});
