// Upload parsing edge cases: delimiters, BOM, CRLF, unclosed quotes, JSON values of the wrong kind, error caps.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCorpusFile, parseCsv, parseDatasetFile, UploadParseError } from '../../../runtime/data/parse-upload';
import type { TextExample } from '../../../runtime/data/types';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/data/${name}`, import.meta.url), 'utf8');

/** The problems of the UploadParseError that `fn` throws. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UploadParseError);
    return (err as UploadParseError).problems;
  }
  throw new Error('expected an UploadParseError');
}

describe('CSV', () => {
  it('reads a BOM, CRLF, a ";" delimiter and whitespace-only lines', () => {
    const d = parseDatasetFile('hotel.csv', fixture('semicolon.csv'), { format: 'csv', delimiter: ';', task: 'sequence', textColumn: 'review', labelColumn: 'label' });
    expect(d.examples as TextExample[]).toEqual([
      { text: 'Great; would stay again', label: 'positive' },
      { text: 'Cold room, "noisy" street', label: 'negative' },
      { text: 'Okay', label: 'neutral' },
    ]);
    expect(d.labels).toEqual(['negative', 'neutral', 'positive']);
    expect(d.source).toBe('hotel.csv');
  });

  it('counts lines across CRLF and skips the blank line', () => {
    expect(parseCsv('a,b\r\n\r\n1,2\r\n"x\r\ny",3\r\n4,5').map((r) => r.line)).toEqual([1, 3, 4, 6]);
  });

  it('reads tab-separated files', () => {
    const d = parseDatasetFile('t.tsv', 'text\tlabel\ngood, really\tpos\nbad\tneg\n', { format: 'csv', delimiter: 'tab', task: 'sequence', textColumn: 'text', labelColumn: 'label' });
    expect((d.examples as TextExample[])[0]).toEqual({ text: 'good, really', label: 'pos' });
  });

  it('names the file and the line where a quoted field never closes', () => {
    expect(problemsOf(() => parseDatasetFile('reviews.csv', fixture('unclosed.csv'), { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' }))).toEqual([
      'line 3: a quoted field is never closed',
    ]);
    expect(() => parseDatasetFile('reviews.csv', fixture('unclosed.csv'), { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' })).toThrow(/^reviews\.csv: /);
  });

  it('stops collecting after 20 problems', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},`).join('\n');
    const problems = problemsOf(() => parseDatasetFile('r.csv', `text,label\n${rows}`, { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' }));
    expect(problems).toHaveLength(20);
    expect(problems[0]).toBe('line 2: column "label" is empty');
    expect(problems[19]).toBe('line 21: column "label" is empty');
  });

  it('refuses a file with one label', () => {
    expect(() => parseDatasetFile('r.csv', 'text,label\na,x\nb,x\n', { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' })).toThrow(
      'column "label" has only one label (x)',
    );
  });

  it('refuses a file with only a header', () => {
    expect(() => parseDatasetFile('r.csv', 'text,label\n', { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' })).toThrow('expected a header row and at least one data row');
  });
});

describe('token CSV', () => {
  it('reads tokens and tags as JSON arrays or space-separated strings', () => {
    const csv = 'tokens,tags\n"[""New"",""York""]","[""PROPN"",""PROPN""]"\nit rains,PRON VERB\n';
    const d = parseDatasetFile('ner.csv', csv, { format: 'csv', task: 'token', textColumn: 'tokens', labelColumn: 'tags' });
    expect(d.examples).toEqual([
      { tokens: ['New', 'York'], tags: ['PROPN', 'PROPN'] },
      { tokens: ['it', 'rains'], tags: ['PRON', 'VERB'] },
    ]);
    expect(d.labels).toEqual(['PRON', 'PROPN', 'VERB']);
  });
});

describe('JSONL', () => {
  it('reports every bad line with its number and what is wrong', () => {
    expect(problemsOf(() => parseDatasetFile('reviews.jsonl', fixture('bad-reviews.jsonl'), { format: 'jsonl', task: 'sequence', textColumn: 'text', labelColumn: 'label' }))).toEqual([
      'line 2: expected a JSON object',
      expect.stringMatching(/^line 6: invalid JSON: /),
    ]);
    // With the syntax errors gone, the field-level problems show, each by line.
    const parsable = fixture('bad-reviews.jsonl')
      .split('\n')
      .filter((_, i) => i !== 1 && i !== 5)
      .join('\n');
    expect(problemsOf(() => parseDatasetFile('reviews.jsonl', parsable, { format: 'jsonl', task: 'sequence', textColumn: 'text', labelColumn: 'label' }))).toEqual(['line 3: no field "text"']);
    const fieldsPresent = parsable.split('\n').filter((l) => !l.includes('"body"')).join('\n');
    expect(problemsOf(() => parseDatasetFile('reviews.jsonl', fieldsPresent, { format: 'jsonl', task: 'sequence', textColumn: 'text', labelColumn: 'label' }))).toEqual([
      'line 2: column "text" should be text, not a number',
      'line 3: column "label" should be a label, not an array',
    ]);
  });

  it('accepts a byte-order mark and numeric labels', () => {
    const d = parseDatasetFile('n.jsonl', '\uFEFF{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n', { format: 'jsonl', task: 'sequence', textColumn: 'text', labelColumn: 'label' });
    expect(d.labels).toEqual(['0', '1']);
  });

  it('checks token and tag counts per line', () => {
    expect(problemsOf(() => parseDatasetFile('p.jsonl', fixture('bad-pos.jsonl').split('\n')[0], { format: 'jsonl', task: 'token', textColumn: 'tokens', labelColumn: 'tags' }))).toEqual([
      'line 1: 2 tokens but 1 tags',
    ]);
  });
});

describe('corpora', () => {
  it('reads JSONL corpora, skipping blank lines, and names lines without the text field', () => {
    expect(parseCorpusFile('c.jsonl', fixture('corpus.jsonl'), { format: 'jsonl' }).documents).toEqual(['Claims are filed within thirty days.', 'Policy holders may appeal.']);
    expect(problemsOf(() => parseCorpusFile('c.jsonl', fixture('corpus.jsonl'), { format: 'jsonl', textField: 'body' }))).toEqual([
      'line 1: field "body" is missing or empty',
      'line 3: field "body" is missing or empty',
    ]);
  });

  it('refuses an empty text file and hashes content, not the file name', () => {
    expect(() => parseCorpusFile('e.txt', '\n\n  \n', { format: 'txt' })).toThrow('e.txt: 1 problem: the file holds no text');
    const a = parseCorpusFile('a.txt', 'one\n\ntwo', { format: 'txt' });
    expect(parseCorpusFile('b.txt', 'one\n\ntwo\n', { format: 'txt' }).contentHash).toBe(a.contentHash);
    expect(parseCorpusFile('a.txt', 'one\n\nthree', { format: 'txt' }).contentHash).not.toBe(a.contentHash);
  });

  it('states sizes in units that show the difference', () => {
    expect(() => parseCorpusFile('big.txt', 'x'.repeat(3_200_000), { format: 'txt', maxBytes: 2_000_000 })).toThrow('the file is 3.2 MB; the limit is 2.0 MB');
  });
});
