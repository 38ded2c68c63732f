// RFC 4180 CSV read chunk by chunk: quoted fields, doubled quotes, newlines inside quotes, CRLF.
// Holds one row at a time, so a preview of a 50 MB file needs no more memory than its longest row.

/** One parsed row and the line it starts on. */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** Feeds text chunks in, gets complete rows out; `end()` flushes the last row. Blank lines are skipped. */
export class CsvStream {
  private cells: string[] = [];
  private field = '';
  private quoted = false;
  /** After a closing quote inside a quoted field: the next char decides (doubled quote or end). */
  private quotePending = false;
  private pendingCr = false;
  private line = 1;
  private rowLine = 1;
  /** True once the current field has had a quote or a character (a quote may only open a field). */
  private fieldStarted = false;

  constructor(private readonly delimiter = ',') {}

  /** Rows completed by this chunk. */
  push(chunk: string): CsvRow[] {
    const rows: CsvRow[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (this.pendingCr) {
        this.pendingCr = false;
        if (ch === '\n') continue;
      }
      if (this.quotePending) {
        this.quotePending = false;
        if (ch === '"') {
          this.field += '"';
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        if (ch === '"') this.quotePending = true;
        else {
          if (ch === '\n') this.line++;
          this.field += ch;
        }
      } else if (ch === '"' && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
      } else if (ch === this.delimiter) {
        this.cells.push(this.field);
        this.field = '';
        this.fieldStarted = false;
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r') this.pendingCr = true;
        this.endRow(rows);
        this.line++;
        this.rowLine = this.line;
      } else {
        this.field += ch;
        this.fieldStarted = true;
      }
    }
    return rows;
  }

  /** The last row (when the file does not end in a newline); throws on an unclosed quote. */
  end(): CsvRow[] {
    if (this.quotePending) {
      this.quotePending = false;
      this.quoted = false;
    }
    if (this.quoted) throw new Error(`line ${this.rowLine}: a quoted field is never closed`);
    const rows: CsvRow[] = [];
    if (this.field.trim() !== '' || this.cells.length > 0) this.endRow(rows);
    return rows;
  }

  private endRow(rows: CsvRow[]) {
    this.cells.push(this.field);
    if (this.cells.length > 1 || this.cells[0].trim() !== '') rows.push({ line: this.rowLine, cells: this.cells });
    this.cells = [];
    this.field = '';
    this.fieldStarted = false;
  }
}

/** The delimiter a header line most likely uses (the most frequent of , ; tab | outside quotes). */
export function sniffDelimiter(firstLine: string): ',' | ';' | '\t' | '|' {
  const counts = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  return (Object.entries(counts) as [keyof typeof counts, number][]).reduce((best, e) => (e[1] > best[1] ? e : best), [',', 0] as [keyof typeof counts, number])[0];
}
