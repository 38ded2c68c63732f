// Learning a WordPiece vocabulary from a corpus, the way Hugging Face's WordPieceTrainer does:
// BPE merges over words split into characters (non-initial ones carrying "##"), most frequent
// pair first, until the vocabulary is full.
import { normalizeBert, preTokenizeBert, type NormalizerOptions } from './bert-normalizer';
import { DEFAULT_SPECIAL, WordPieceTokenizer } from './wordpiece-tokenizer';

export interface TrainVocabOptions {
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged. */
  minFrequency?: number;
  lowercase?: boolean;
  /** Characters seen fewer times are left out of the alphabet (they become [UNK]). */
  minCharFrequency?: number;
}

/** A tokenizer with a vocabulary learned from `texts`: specials at ids 0–4, then the alphabet, then merges. */
export function trainWordPieceTokenizer(texts: Iterable<string>, opts: TrainVocabOptions): WordPieceTokenizer {
  const norm: NormalizerOptions = { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: opts.lowercase ?? true };
  const wordCounts = new Map<string, number>();
  for (const text of texts) for (const w of preTokenizeBert(normalizeBert(text, norm))) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);

  const specials = [DEFAULT_SPECIAL.pad, DEFAULT_SPECIAL.unk, DEFAULT_SPECIAL.cls, DEFAULT_SPECIAL.sep, DEFAULT_SPECIAL.mask];
  const charCounts = new Map<string, number>();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const alphabet = [...charCounts].filter(([, c]) => c >= (opts.minCharFrequency ?? 2)).map(([ch]) => ch).sort();
  const known = new Set(alphabet);

  // Each word as a list of symbol ids; symbols are strings in `symbols`.
  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const intern = (s: string) => symbolId.get(s) ?? (symbolId.set(s, symbols.push(s) - 1), symbols.length - 1);
  const words: { parts: number[]; count: number }[] = [];
  for (const [w, count] of wordCounts) {
    const chars = Array.from(w);
    if (chars.length > 100 || chars.some((c) => !known.has(c))) continue;
    words.push({ parts: chars.map((c, i) => intern(i === 0 ? c : `##${c}`)), count });
  }
  const vocab = [...specials];
  const inVocab = new Set(vocab);
  const add = (t: string) => {
    if (!inVocab.has(t)) {
      inVocab.add(t);
      vocab.push(t);
    }
  };
  for (const ch of alphabet) add(ch);
  for (const ch of alphabet) add(`##${ch}`);

  // Pair counts and, per pair, the words that contain it (so a merge only revisits those).
  const key = (a: number, b: number) => a * 1_000_003 + b;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number) => {
    const { parts, count } = words[wi];
    for (let i = 0; i + 1 < parts.length; i++) {
      const k = key(parts[i], parts[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * count);
      if (sign > 0) (pairWords.get(k) ?? pairWords.set(k, new Set()).get(k)!).add(wi);
    }
  };
  words.forEach((_, wi) => addPairs(wi, 1));
  const minFrequency = opts.minFrequency ?? 2;

  while (vocab.length < opts.vocabSize) {
    let best = -1;
    let bestCount = 0;
    for (const [k, c] of pairCount) {
      if (c > bestCount || (c === bestCount && best >= 0 && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    if (best < 0 || bestCount < minFrequency) break;
    const a = Math.floor(best / 1_000_003);
    const b = best % 1_000_003;
    const merged = symbols[a] + symbols[b].replace(/^##/, '');
    const m = intern(merged);
    add(merged);
    for (const wi of pairWords.get(best) ?? []) {
      const w = words[wi];
      addPairs(wi, -1);
      const next: number[] = [];
      for (let i = 0; i < w.parts.length; i++) {
        if (i + 1 < w.parts.length && w.parts[i] === a && w.parts[i + 1] === b) {
          next.push(m);
          i++;
        } else next.push(w.parts[i]);
      }
      w.parts = next;
      addPairs(wi, 1);
    }
    pairCount.delete(best);
    pairWords.delete(best);
  }
  return new WordPieceTokenizer(vocab, { lowercase: norm.lowercase });
}
