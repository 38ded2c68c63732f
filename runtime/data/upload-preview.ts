// A data tool's first look at an uploaded file: columns (or JSONL fields), the first rows, the
// row count, distinct values per column, the label distribution of a chosen column and which
// columns look like text and label. One streaming pass over the file; memory stays bounded.
import { closeSync, openSync, readSync } from 'node:fs';
import { CsvStream, sniffDelimiter, type CsvRow } from './csv-stream';

/** Rows shown in a preview. */
const SAMPLE_ROWS = 10;
/** Cells in the sample are cut to this many characters. */
const SAMPLE_CELL_CHARS = 300;
/** Distinct values tracked per column; a column with more is not a label column. */
const DISTINCT_CAP = 1000;
const CHUNK_BYTES = 1 << 20;
const LABEL_NAMES = ['label', 'labels', 'class', 'category', 'target', 'tag', 'tags', 'y', 'sentiment', 'intent'];
const TEXT_NAMES = ['text', 'sentence', 'content', 'body', 'message', 'review', 'tokens', 'document'];

/** What a file holds, for the upload dialog and the compiler's checks. */
export interface UploadPreview {
  filename: string;
  kind: 'csv' | 'tsv' | 'jsonl' | 'txt';
  /** CSV delimiter detected from the header (CSV/TSV only). */
  delimiter?: ',' | ';' | 'tab' | '|';
  /** CSV header cells or the JSONL fields seen (in first-seen order); empty for TXT. */
  columns: string[];
  /** Data rows: CSV rows after the header, JSONL records, TXT documents (blank-line separated). */
  rows: number;
  /** The first rows, cells cut to 300 characters (TXT: one `text` cell per document). */
  sample: Record<string, string>[];
  /** Distinct values per column, or null past 1,000 (free text). */
  distinct: Record<string, number | null>;
  /** Label distribution of `labelColumn` (the chosen or suggested one), most frequent first. */
  labels?: { column: string; counts: { label: string; count: number }[] };
  /** Columns that look like the text and the label. */
  suggested: { textColumn?: string; labelColumn?: string };
  /** Rows that will not parse (up to 20), each naming its line. */
  problems: string[];
}

/** The file kind a name implies. */
export function uploadKind(filename: string): UploadPreview['kind'] {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase();
  return ext === 'tsv' ? 'tsv' : ext === 'jsonl' || ext === 'ndjson' ? 'jsonl' : ext === 'txt' ? 'txt' : 'csv';
}

/** Text chunks of a file, read 1 MB at a time (UTF-8 decoded across chunk edges, BOM dropped). */
export function* fileChunks(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      yield decoder.decode(buf.subarray(0, n), { stream: true });
    }
    const tail = decoder.decode();
    if (tail) yield tail;
  } finally {
    closeSync(fd);
  }
}

class ColumnStats {
  readonly values = new Map<string, Map<string, number>>();
  readonly overflow = new Set<string>();
  readonly lengths = new Map<string, number>();
  add(column: string, value: string) {
    this.lengths.set(column, (this.lengths.get(column) ?? 0) + value.length);
    if (this.overflow.has(column)) return;
    const counts = this.values.get(column) ?? this.values.set(column, new Map()).get(column)!;
    counts.set(value, (counts.get(value) ?? 0) + 1);
    if (counts.size > DISTINCT_CAP) {
      this.overflow.add(column);
      this.values.delete(column);
    }
  }
}

const cut = (s: string) => (s.length > SAMPLE_CELL_CHARS ? `${s.slice(0, SAMPLE_CELL_CHARS)}…` : s);
const cellText = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** Previews a file from its text chunks; `labelColumn` picks the column whose distribution is counted. */
export function previewChunks(filename: string, chunks: Iterable<string>, opts: { labelColumn?: string; delimiter?: ',' | ';' | 'tab' | '|' } = {}): UploadPreview {
  const kind = uploadKind(filename);
  const stats = new ColumnStats();
  const sample: Record<string, string>[] = [];
  const problems: string[] = [];
  const columns: string[] = [];
  let rows = 0;
  let delimiter: UploadPreview['delimiter'];

  if (kind === 'csv' || kind === 'tsv') {
    let stream: CsvStream | null = null;
    let pending = '';
    const onRow = (r: CsvRow) => {
      if (columns.length === 0) {
        columns.push(...r.cells.map((c) => c.trim()));
        return;
      }
      rows++;
      if (r.cells.length !== columns.length) {
        if (problems.length < 20) problems.push(`line ${r.line}: ${r.cells.length} field${r.cells.length === 1 ? '' : 's'}, the header has ${columns.length}`);
        return;
      }
      columns.forEach((c, i) => stats.add(c, r.cells[i]));
      if (sample.length < SAMPLE_ROWS) sample.push(Object.fromEntries(columns.map((c, i) => [c, cut(r.cells[i])])));
    };
    for (const chunk of chunks) {
      if (!stream) {
        // The delimiter is sniffed from the first line, so the stream starts once that line is in.
        pending += chunk;
        const nl = pending.search(/\r?\n/);
        if (nl < 0 && pending.length < CHUNK_BYTES) continue;
        const chosen = opts.delimiter ?? (kind === 'tsv' ? 'tab' : toParam(sniffDelimiter(nl < 0 ? pending : pending.slice(0, nl))));
        delimiter = chosen;
        stream = new CsvStream(chosen === 'tab' ? '\t' : chosen);
        for (const r of stream.push(pending)) onRow(r);
        pending = '';
        continue;
      }
      for (const r of stream.push(chunk)) onRow(r);
    }
    if (!stream && pending) {
      delimiter = opts.delimiter ?? (kind === 'tsv' ? 'tab' : toParam(sniffDelimiter(pending.split(/\r?\n/)[0])));
      stream = new CsvStream(delimiter === 'tab' ? '\t' : delimiter);
      for (const r of stream.push(pending)) onRow(r);
    }
    try {
      for (const r of stream?.end() ?? []) onRow(r);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (columns.length === 0) problems.push('the file is empty');
  } else if (kind === 'jsonl') {
    let carry = '';
    let lineNo = 0;
    const onLine = (raw: string) => {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (!line.trim()) return;
      rows++;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        if (problems.length < 20) problems.push(`line ${lineNo}: invalid JSON: ${(err as Error).message}`);
        return;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        if (problems.length < 20) problems.push(`line ${lineNo}: expected a JSON object`);
        return;
      }
      for (const [k, v] of Object.entries(obj)) {
        if (!columns.includes(k) && columns.length < 200) columns.push(k);
        stats.add(k, cellText(v));
      }
      if (sample.length < SAMPLE_ROWS) sample.push(Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, cut(cellText(v))])));
    };
    for (const chunk of chunks) {
      const parts = (carry + chunk).split(/\r?\n/);
      carry = parts.pop()!;
      for (const p of parts) onLine(p);
    }
    if (carry) onLine(carry);
  } else {
    // TXT: documents are blocks separated by blank lines.
    let carry = '';
    let inDoc = false;
    let doc = '';
    const onLine = (line: string) => {
      if (line.trim() === '') {
        if (inDoc && sample.length < SAMPLE_ROWS) sample.push({ text: cut(doc.replace(/\s+/g, ' ').trim()) });
        inDoc = false;
        doc = '';
        return;
      }
      if (!inDoc) rows++;
      inDoc = true;
      if (doc.length < SAMPLE_CELL_CHARS) doc += ` ${line}`;
    };
    for (const chunk of chunks) {
      const parts = (carry + chunk).split(/\r?\n/);
      carry = parts.pop()!;
      for (const p of parts) onLine(p.replace(/^\uFEFF/, ''));
    }
    if (carry) onLine(carry);
    onLine('');
  }

  const distinct: Record<string, number | null> = {};
  for (const c of columns) distinct[c] = stats.overflow.has(c) ? null : (stats.values.get(c)?.size ?? 0);
  const suggested = suggestColumns(columns, distinct, stats, rows);
  const labelColumn = opts.labelColumn ?? suggested.labelColumn;
  const counts = labelColumn ? stats.values.get(labelColumn) : undefined;
  const labels = labelColumn && counts ? { column: labelColumn, counts: [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1)) } : undefined;
  return { filename, kind, ...(delimiter ? { delimiter } : {}), columns, rows, sample, distinct, ...(labels ? { labels } : {}), suggested, problems };
}

const toParam = (d: ',' | ';' | '\t' | '|') => (d === '\t' ? 'tab' : d);

function suggestColumns(columns: string[], distinct: Record<string, number | null>, stats: ColumnStats, rows: number): UploadPreview['suggested'] {
  if (columns.length === 0) return {};
  const named = (names: string[]) => columns.find((c) => names.includes(c.toLowerCase()));
  // A label column repeats values: at least two, and far fewer than the rows.
  const labelLike = columns.filter((c) => distinct[c] !== null && (distinct[c] ?? 0) >= 2 && (distinct[c] ?? 0) <= Math.max(2, rows / 2));
  const labelColumn = named(LABEL_NAMES) ?? labelLike.sort((a, b) => (distinct[a] ?? 0) - (distinct[b] ?? 0))[0];
  const longest = columns.filter((c) => c !== labelColumn).sort((a, b) => (stats.lengths.get(b) ?? 0) - (stats.lengths.get(a) ?? 0))[0];
  const textColumn = named(TEXT_NAMES) ?? longest;
  return { textColumn, labelColumn };
}

/** Previews a file on disk (streamed). */
export function previewUploadFile(path: string, filename: string, opts: { labelColumn?: string; delimiter?: ',' | ';' | 'tab' | '|' } = {}): UploadPreview {
  return previewChunks(filename, fileChunks(path), opts);
}
