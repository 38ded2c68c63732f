import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coarseBrownTag, loadBrownCorpus, loadBrownFiles, loadBrownPos } from '../../../runtime/data/brown';
import { emailToText } from '../../../runtime/data/email';
import { parseCorpusFile, parseCsv, parseDatasetFile, UploadParseError } from '../../../runtime/data/parse-upload';
import { loadSpamAssassin } from '../../../runtime/data/spam-assassin';
import { splitDataset, subsampleDataset } from '../../../runtime/data/split';
import type { Dataset } from '../../../runtime/data/types';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/data/${name}`, import.meta.url), 'utf8');

describe('upload parsing', () => {
  it('reads RFC 4180 CSV: quotes, doubled quotes, newlines in fields, and the line each row starts on', () => {
    const rows = parseCsv(fixture('reviews.csv'));
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
    expect(rows[2].cells[1]).toBe('Billing charged me twice; "never again"');
    expect(rows[3].cells[1]).toBe('A long\nreview over two lines');
  });

  it('maps columns and detects the label set', () => {
    const d = parseDatasetFile('reviews.csv', fixture('reviews.csv'), { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' });
    expect(d.labels).toEqual(['negative', 'positive']);
    expect(d.examples).toHaveLength(4);
  });

  it('reports every bad row by line number', () => {
    try {
      parseDatasetFile('bad.csv', fixture('bad-reviews.csv'), { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' });
      throw new Error('expected a parse error');
    } catch (err) {
      expect(err).toBeInstanceOf(UploadParseError);
      expect((err as UploadParseError).problems).toEqual(['line 5: 4 fields, the header has 3']);
    }
    const noRagged = fixture('bad-reviews.csv').split('\n').slice(0, 4).join('\n');
    expect(() => parseDatasetFile('bad.csv', noRagged, { format: 'csv', task: 'sequence', textColumn: 'text', labelColumn: 'label' })).toThrow(
      'bad.csv: 2 problems: line 3: column "text" is empty; line 4: column "label" is empty',
    );
  });

  it('names a missing column and lists the columns there are', () => {
    expect(() => parseDatasetFile('r.csv', fixture('reviews.csv'), { format: 'csv', task: 'sequence', textColumn: 'body', labelColumn: 'label' })).toThrow('missing column "body"; columns are id, text, label');
  });

  it('reads token datasets from JSONL with arrays or space-separated strings, and flags bad lines', () => {
    const d = parseDatasetFile('pos.jsonl', fixture('pos.jsonl'), { format: 'jsonl', task: 'token', textColumn: 'tokens', labelColumn: 'tags' });
    expect(d.labels).toEqual(['DET', 'NOUN', 'VERB']);
    expect(() => parseDatasetFile('bad-pos.jsonl', fixture('bad-pos.jsonl'), { format: 'jsonl', task: 'token', textColumn: 'tokens', labelColumn: 'tags' })).toThrow(/line 2: invalid JSON/);
  });

  it('refuses files over the size limit', () => {
    expect(() => parseCorpusFile('big.txt', 'x'.repeat(2000), { format: 'txt', maxBytes: 1000 })).toThrow('big.txt: 1 problem: the file is 2.0 KB; the limit is 1.0 KB');
  });

  it('splits TXT corpora on blank lines', () => {
    expect(parseCorpusFile('notes.txt', fixture('notes.txt'), { format: 'txt' }).documents).toEqual(['First document about claims. Still the first.', 'Second document.', 'Third.']);
  });
});

describe('bundled data', () => {
  it('reads the Brown Corpus: 500 files in 15 genres, tags aligned with tokens', () => {
    const files = loadBrownFiles();
    expect(files).toHaveLength(500);
    expect(new Set(files.map((f) => f.genre)).size).toBe(15);
    const pos = loadBrownPos({ maxSentences: 2000 });
    expect(pos.task).toBe('token');
    for (const e of pos.examples as { tokens: string[]; tags: string[] }[]) expect(e.tags).toHaveLength(e.tokens.length);
    expect(pos.labels).toEqual(['.', 'ADJ', 'ADP', 'ADV', 'CONJ', 'DET', 'NOUN', 'NUM', 'PRON', 'PRT', 'VERB', 'X']);
    expect(loadBrownCorpus({ genres: ['news'] }).documents).toHaveLength(44);
  });

  it('maps Brown tags to universal tags', () => {
    expect(['at', 'nn-tl', 'vbd', 'in', 'jj', 'pps', 'bez*', '.', ',-hl', 'cd', 'to', 'cc', 'fw-nn'].map(coarseBrownTag)).toEqual([
      'DET', 'NOUN', 'VERB', 'ADP', 'ADJ', 'PRON', 'VERB', '.', '.', 'NUM', 'PRT', 'CONJ', 'X',
    ]);
  });

  it('reads SpamAssassin with both labels and headers stripped', () => {
    const d = loadSpamAssassin();
    expect(d.examples.length).toBeGreaterThan(6000);
    expect(d.labels).toEqual(['ham', 'spam']);
    const texts = (d.examples as { text: string }[]).map((e) => e.text);
    expect(texts.filter((t) => /^Received: from/m.test(t))).toHaveLength(0);
  });

  it('turns a multipart email into subject and body text', () => {
    const raw = 'Subject: =?utf-8?q?Caf=C3=A9_offer?=\nContent-Type: multipart/alternative; boundary="b1"\n\n--b1\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nBuy n=\now at 50=25\n--b1\nContent-Type: text/html\n\n<p>Buy now</p>\n--b1--\n';
    expect(emailToText(raw).text).toBe('Café offer\nBuy now at 50%');
  });
});

describe('splits', () => {
  const data: Dataset = {
    task: 'sequence',
    labels: ['a', 'b'],
    examples: Array.from({ length: 100 }, (_, i) => ({ text: `t${i}`, label: i < 80 ? 'a' : 'b' })),
    source: 'test',
    contentHash: 'x',
  };

  it('is stratified, disjoint, complete and deterministic for a seed', () => {
    const s = splitDataset(data, { train: 0.7, validation: 0.1, test: 0.2, stratify: true, seed: 0 }).splits!;
    const all = [...s.train, ...s.validation, ...s.test];
    expect(new Set(all).size).toBe(100);
    expect(s.test.filter((i) => i >= 80)).toHaveLength(4);
    expect(s.test).toHaveLength(20);
    expect(splitDataset(data, { train: 0.7, validation: 0.1, test: 0.2, stratify: true, seed: 0 }).splits).toEqual(s);
    expect(splitDataset(data, { train: 0.7, validation: 0.1, test: 0.2, stratify: true, seed: 1 }).splits).not.toEqual(s);
  });

  it('caps the training part, keeping label shares', () => {
    const s = splitDataset(data, { train: 0.7, validation: 0.1, test: 0.2, stratify: true, seed: 0, maxTrain: 10 }).splits!;
    expect(s.train).toHaveLength(10);
    expect(s.train.filter((i) => i >= 80)).toHaveLength(2);
    expect(subsampleDataset(data, 50, 3).examples).toHaveLength(50);
  });
});
