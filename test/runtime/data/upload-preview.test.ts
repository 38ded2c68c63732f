import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBrownGenre, loadBrownPos } from '../../../runtime/data/brown';
import { BUNDLED_DATASETS } from '../../../runtime/data/bundled-sizes';
import { CsvStream } from '../../../runtime/data/csv-stream';
import { parseCsv } from '../../../runtime/data/parse-upload';
import { loadSpamAssassin } from '../../../runtime/data/spam-assassin';
import { previewChunks, previewUploadFile } from '../../../runtime/data/upload-preview';

const csv = 'id,text,label\r\n1,"Great, really great",pos\n2,"said ""meh""\nthen left",neg\n3,fine,pos\n\n4,awful,neg\n5,ok,pos\n';

/** Splits text into chunks of `size` characters, the way a stream would hand them over. */
const chunked = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('streaming CSV', () => {
  it('gives the same rows as the whole-file parser, whatever the chunk size', () => {
    const whole = parseCsv(csv);
    for (const size of [1, 2, 3, 7, 1000]) {
      const s = new CsvStream();
      const rows = [...chunked(csv, size).flatMap((c) => s.push(c)), ...s.end()];
      expect(rows, `chunk size ${size}`).toEqual(whole);
    }
  });

  it('names the line of a quote that never closes', () => {
    const s = new CsvStream();
    s.push('text,label\n"open,a\n');
    expect(() => s.end()).toThrow(/line 2: a quoted field is never closed/);
  });
});

describe('upload preview', () => {
  it('shows columns, the first rows, the row count, the label distribution and suggested columns', () => {
    const p = previewChunks('reviews.csv', chunked(csv, 5));
    expect(p).toMatchObject({ kind: 'csv', delimiter: ',', columns: ['id', 'text', 'label'], rows: 5, problems: [] });
    expect(p.sample[1]).toEqual({ id: '2', text: 'said "meh"\nthen left', label: 'neg' });
    expect(p.labels).toEqual({ column: 'label', counts: [{ label: 'pos', count: 3 }, { label: 'neg', count: 2 }] });
    expect(p.suggested).toEqual({ textColumn: 'text', labelColumn: 'label' });
    expect(p.distinct).toMatchObject({ id: 5, label: 2 });
  });

  it('counts a chosen column, sniffs semicolons, and reports rows with the wrong field count', () => {
    const p = previewChunks('data.csv', ['body;topic\nhello;a\nbye;b\nbroken\n']);
    expect(p.delimiter).toBe(';');
    expect(p.problems).toEqual(['line 4: 1 field, the header has 2']);
    expect(previewChunks('data.csv', ['body;topic\nhello;a\nbye;b\n'], { labelColumn: 'body' }).labels?.column).toBe('body');
  });

  it('reads JSONL fields and TXT documents', () => {
    const j = previewChunks('train.jsonl', ['{"text": "a", "label": "x"}\n{"text": "b", "lab', 'el": "y", "extra": [1]}\nnot json\n']);
    expect(j).toMatchObject({ kind: 'jsonl', columns: ['text', 'label', 'extra'], rows: 3, problems: [expect.stringMatching(/^line 3: invalid JSON/)] });
    expect(j.labels?.counts).toHaveLength(2);
    const t = previewChunks('notes.txt', ['\uFEFFfirst doc\nstill first\n\n\nsecond\n']);
    expect(t).toMatchObject({ kind: 'txt', columns: [], rows: 2, sample: [{ text: 'first doc still first' }, { text: 'second' }] });
  });

  it('streams a file from disk and stops counting distinct values of free text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'preview-'));
    const path = join(dir, 'f_big');
    const lines = ['text,label', ...Array.from({ length: 3000 }, (_, i) => `message number ${i},${i % 2 ? 'spam' : 'ham'}`)];
    writeFileSync(path, lines.join('\n'));
    const p = previewUploadFile(path, 'big.csv');
    expect(p.rows).toBe(3000);
    expect(p.distinct).toEqual({ text: null, label: 2 });
    expect(p.sample).toHaveLength(10);
  });
});

describe('bundled dataset sizes the compiler assumes', () => {
  it('match the datasets as loaded', () => {
    const loaded = { 'spam-assassin': loadSpamAssassin(), 'brown-genre': loadBrownGenre(), 'brown-pos': loadBrownPos() };
    for (const [name, d] of Object.entries(loaded)) {
      expect({ examples: d.examples.length, labels: d.labels.length, task: d.task }, name).toEqual(BUNDLED_DATASETS[name as keyof typeof BUNDLED_DATASETS]);
    }
  });
});
