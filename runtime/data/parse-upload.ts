// Parsing user files (CSV, JSONL, TXT) into datasets and corpora, with errors that name the file,
// the line and what is wrong; up to 20 problems are collected before giving up.
import { contentHash } from './content-hash';
import type { Corpus, Dataset, TextExample, TokenExample } from './types';

/** A file could not be read; `problems` lists each bad line. */
export class UploadParseError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ' …' : ''}`);
  }
}

const MAX_PROBLEMS = 20;

/** RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. Rows carry their starting line;
 * blank (or whitespace-only) lines are skipped. `file` names the file in errors. */
export function parseCsv(text: string, delimiter = ',', file = 'CSV'): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      cells.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(field);
      if (cells.length > 1 || cells[0].trim() !== '') rows.push({ line: rowLine, cells });
      cells = [];
      field = '';
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (quoted) throw new UploadParseError(file, [`line ${rowLine}: a quoted field is never closed`]);
  if (field.trim() !== '' || cells.length > 0) {
    cells.push(field);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

export interface DatasetMapping {
  task: 'sequence' | 'token';
  textColumn: string;
  labelColumn: string;
}

function tokensOf(value: unknown): string[] | null {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (s.startsWith('[')) {
    try {
      return tokensOf(JSON.parse(s));
    } catch {
      return null;
    }
  }
  return s.split(/\s+/).filter(Boolean);
}

/** "an array", "a number" … for messages about JSON values of the wrong kind. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function buildDataset(file: string, records: { line: number; get: (col: string) => unknown; columns: string[] }[], m: DatasetMapping): Dataset {
  const problems: string[] = [];
  if (records.length === 0) throw new UploadParseError(file, ['the file has no data rows']);
  for (const col of [m.textColumn, m.labelColumn]) {
    if (!records[0].columns.includes(col)) throw new UploadParseError(file, [`missing column "${col}"; columns are ${records[0].columns.join(', ')}`]);
  }
  const text: TextExample[] = [];
  const tokens: TokenExample[] = [];
  for (const r of records) {
    if (problems.length >= MAX_PROBLEMS) break;
    const t = r.get(m.textColumn);
    const l = r.get(m.labelColumn);
    if (m.task === 'sequence') {
      if (t !== undefined && t !== null && typeof t !== 'string') problems.push(`line ${r.line}: column "${m.textColumn}" should be text, not ${describe(t)}`);
      else if (typeof t !== 'string' || t.trim() === '') problems.push(`line ${r.line}: column "${m.textColumn}" is empty`);
      else if (l === undefined || l === null || String(l).trim() === '') problems.push(`line ${r.line}: column "${m.labelColumn}" is empty`);
      else if (typeof l === 'object') problems.push(`line ${r.line}: column "${m.labelColumn}" should be a label, not ${describe(l)}`);
      else text.push({ text: t, label: String(l).trim() });
    } else {
      const words = tokensOf(t);
      const tags = tokensOf(l);
      if (!words || words.length === 0) problems.push(`line ${r.line}: column "${m.textColumn}" holds no tokens`);
      else if (!tags) problems.push(`line ${r.line}: column "${m.labelColumn}" holds no tags`);
      else if (words.length !== tags.length) problems.push(`line ${r.line}: ${words.length} tokens but ${tags.length} tags`);
      else tokens.push({ tokens: words, tags });
    }
  }
  if (problems.length > 0) throw new UploadParseError(file, problems);
  if (m.task === 'sequence') {
    const labels = [...new Set(text.map((e) => e.label))].sort();
    if (labels.length < 2) throw new UploadParseError(file, [`column "${m.labelColumn}" has only one label (${labels[0]}); classification needs at least two`]);
    return { task: 'sequence', labels, examples: text, source: file, contentHash: contentHash(text) };
  }
  const labels = [...new Set(tokens.flatMap((e) => e.tags))].sort();
  return { task: 'token', labels, examples: tokens, source: file, contentHash: contentHash(tokens) };
}

/** "812 bytes", "4.2 KB", "51.0 MB". */
function formatBytes(n: number): string {
  if (n < 1e3) return `${n} bytes`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} KB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

function checkSize(file: string, text: string, maxBytes: number) {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new UploadParseError(file, [`the file is ${formatBytes(bytes)}; the limit is ${formatBytes(maxBytes)}`]);
}

/** Editors often save UTF-8 with a byte-order mark; JSON.parse and header names must not see it. */
const stripBom = (text: string) => text.replace(/^\uFEFF/, '');

/** A labelled dataset from CSV (header row required) or JSONL. */
export function parseDatasetFile(file: string, text: string, opts: DatasetMapping & { format: 'csv' | 'jsonl'; delimiter?: string; maxBytes?: number }): Dataset {
  checkSize(file, text, opts.maxBytes ?? 50e6);
  text = stripBom(text);
  if (opts.format === 'csv') {
    const rows = parseCsv(text, opts.delimiter === 'tab' ? '\t' : (opts.delimiter ?? ','), file);
    if (rows.length < 2) throw new UploadParseError(file, ['expected a header row and at least one data row']);
    const header = rows[0].cells.map((c) => c.trim());
    const problems: string[] = [];
    const records = rows.slice(1).flatMap((r) => {
      if (r.cells.length !== header.length) {
        if (problems.length < MAX_PROBLEMS) problems.push(`line ${r.line}: ${r.cells.length} field${r.cells.length === 1 ? '' : 's'}, the header has ${header.length}`);
        return [];
      }
      return [{ line: r.line, columns: header, get: (col: string) => r.cells[header.indexOf(col)] }];
    });
    if (problems.length > 0) throw new UploadParseError(file, problems);
    return buildDataset(file, records, opts);
  }
  const problems: string[] = [];
  const records: { line: number; columns: string[]; get: (c: string) => unknown }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim() || problems.length >= MAX_PROBLEMS) return;
    try {
      const obj = JSON.parse(raw);
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) problems.push(`line ${i + 1}: expected a JSON object`);
      else records.push({ line: i + 1, columns: Object.keys(obj), get: (c) => obj[c] });
    } catch (err) {
      problems.push(`line ${i + 1}: invalid JSON: ${(err as Error).message}`);
    }
  });
  if (problems.length > 0) throw new UploadParseError(file, problems);
  // Every record must have the mapped columns; report the first that lacks one by line.
  for (const r of records) {
    for (const col of [opts.textColumn, opts.labelColumn]) if (!r.columns.includes(col)) problems.push(`line ${r.line}: no field "${col}"`);
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length > 0) throw new UploadParseError(file, problems);
  return buildDataset(file, records, opts);
}

/** An unlabelled corpus: TXT (blank-line-separated documents) or JSONL with a text field. */
export function parseCorpusFile(file: string, text: string, opts: { format: 'txt' | 'jsonl'; textField?: string; maxBytes?: number }): Corpus {
  checkSize(file, text, opts.maxBytes ?? 50e6);
  text = stripBom(text);
  let documents: string[];
  if (opts.format === 'txt') documents = text.split(/\r?\n\s*\r?\n/).map((d) => d.replace(/\s+/g, ' ').trim()).filter(Boolean);
  else {
    const field = opts.textField ?? 'text';
    const problems: string[] = [];
    documents = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      if (!raw.trim() || problems.length >= MAX_PROBLEMS) return;
      try {
        const v = JSON.parse(raw)?.[field];
        if (typeof v !== 'string' || !v.trim()) problems.push(`line ${i + 1}: field "${field}" is missing or empty`);
        else documents.push(v);
      } catch (err) {
        problems.push(`line ${i + 1}: invalid JSON: ${(err as Error).message}`);
      }
    });
    if (problems.length > 0) throw new UploadParseError(file, problems);
  }
  if (documents.length === 0) throw new UploadParseError(file, ['the file holds no text']);
  return { documents, source: file, contentHash: contentHash(documents) };
}
