// Tokenised pretraining rows cached on disk: tokenising millions of words takes minutes, and every
// sitting of a resumed pretraining needs exactly the same rows.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WordPieceTokenizer } from '../../runtime/text/wordpiece-tokenizer';

/** The cache file for this vocabulary, corpus and sequence length. */
function cachePath(dir: string, tok: WordPieceTokenizer, documents: string[], seqLength: number): string {
  const h = createHash('sha256');
  h.update(String(seqLength));
  for (let id = 0; id < tok.vocabSize; id++) h.update(`${tok.idToToken(id)}\n`);
  for (const d of documents) h.update(d);
  return join(dir, `rows-${h.digest('hex').slice(0, 16)}.bin`);
}

/** Rows from the cache, or null when there is none for these inputs. Layout: [count, then per row: length, ids…] (int32). */
export function loadRows(dir: string, tok: WordPieceTokenizer, documents: string[], seqLength: number): number[][] | null {
  const path = cachePath(dir, tok, documents, seqLength);
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  const a = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const rows: number[][] = [];
  let i = 1;
  for (let r = 0; r < a[0]; r++) {
    const n = a[i++];
    rows.push(Array.from(a.subarray(i, i + n)));
    i += n;
  }
  return rows;
}

/** Writes rows to the cache and returns them. */
export function saveRows(dir: string, tok: WordPieceTokenizer, documents: string[], seqLength: number, rows: number[][]): number[][] {
  mkdirSync(dir, { recursive: true });
  const a = new Int32Array(1 + rows.length + rows.reduce((n, r) => n + r.length, 0));
  a[0] = rows.length;
  let i = 1;
  for (const r of rows) {
    a[i++] = r.length;
    a.set(r, i);
    i += r.length;
  }
  writeFileSync(cachePath(dir, tok, documents, seqLength), Buffer.from(a.buffer));
  return rows;
}
