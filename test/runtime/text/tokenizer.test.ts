import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBrownFiles } from '../../../runtime/data/brown';
import { readTokenizerFolder, writeTokenizerFiles } from '../../../runtime/io/hf-tokenizer-files';
import { normalizeBert, preTokenizeBert } from '../../../runtime/text/bert-normalizer';
import { trainWordPieceTokenizer } from '../../../runtime/text/train-wordpiece';
import { alignWordLabels, WordPieceTokenizer } from '../../../runtime/text/wordpiece-tokenizer';

// The toy vocabulary of BERT's own tokenizer docs, plus a few pieces for the cases below.
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'un', '##aff', '##able', 'want', '##ed', 'wa', 'runn', '##ing', ',', '.', '!', '?', "'", 't', 'don', '$', '5', '00', 'cafe', 'resume', '中', '国', 'hello', 'world', 'a'];
const tok = new WordPieceTokenizer(VOCAB);

describe('BERT normalizer and pre-tokenizer', () => {
  it('lower-cases and strips accents (NFD, drop Mn)', () => {
    expect(normalizeBert('Café RÉSUMÉ', { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true })).toBe('cafe resume');
    expect(normalizeBert('Café', { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: false })).toBe('Café');
  });

  it('lower-cases per code point, without the final-sigma rule', () => {
    // Whole-string toLowerCase would give "οσ" → "ος"; the Rust path maps Σ to σ always.
    expect(normalizeBert('ΟΣ', { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: true })).toBe('οσ');
  });

  it('removes control characters and maps Unicode whitespace to spaces', () => {
    expect(normalizeBert('a\u0000b\u200bc\u00a0d\u0085e\tf', { cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false })).toBe('abc de f');
  });

  it('treats ASCII exactly as the Unicode tables do (the fast path for ASCII text)', () => {
    // Every ASCII character alone and between letters: C0 controls and DEL go (VT and FF too), tab/newline/CR become spaces.
    const opts = { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true };
    const slow = (ch: string) => {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || (cp < 32 && ![9, 10, 13].includes(cp)) || cp === 127) return '';
      return /\p{White_Space}/u.test(ch) ? ' ' : ch.toLowerCase();
    };
    for (let cp = 0; cp < 128; cp++) {
      const ch = String.fromCharCode(cp);
      expect(normalizeBert(`A${ch}b`, opts)).toBe(`a${slow(ch)}b`);
      expect(preTokenizeBert(`a${ch}b`)).toEqual(/\p{White_Space}/u.test(ch) ? ['a', 'b'] : /[\p{P}\p{S}]/u.test(ch) ? ['a', ch, 'b'] : [`a${ch}b`]);
    }
    // Mixed text still takes the Unicode path: accents stripped, no final-sigma rule.
    expect(normalizeBert('Résumé ΟΣ\u000b!', opts)).toBe('resume οσ!');
  });

  it('tokenizeToIds gives the ids of tokenize, cached per word', () => {
    for (const text of ["Don't wanted UNAFFABLE runnING, cafe!", 'Café 中国 hello\u0000world [MASK] a', '', '   ', 'unknownword $500.']) {
      const expected = tok.tokenize(text).map((t) => tok.tokenToId(t));
      expect(tok.tokenizeToIds(text)).toEqual(expected);
      expect(tok.tokenizeToIds(text)).toEqual(expected);
    }
  });

  it('splits punctuation into its own tokens, including ASCII symbols', () => {
    expect(preTokenizeBert('Hey friend!     How are you?!?')).toEqual(['Hey', 'friend', '!', 'How', 'are', 'you', '?', '!', '?']);
    expect(preTokenizeBert("don't $5.00")).toEqual(['don', "'", 't', '$', '5', '.', '00']);
  });

  it('puts spaces around CJK characters', () => {
    expect(preTokenizeBert(normalizeBert('ab中国c', { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true }))).toEqual(['ab', '中', '国', 'c']);
  });
});

describe('WordPiece tokenizer', () => {
  it('splits unaffable into un ##aff ##able', () => {
    expect(tok.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(tok.tokenize('UNwanted, running!')).toEqual(['[UNK]', ',', 'runn', '##ing', '!']);
  });

  it('makes an over-long word a single [UNK]', () => {
    expect(tok.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    expect(tok.tokenize('wanted')).toEqual(['want', '##ed']);
  });

  it('keeps literal special tokens and matches HF ids for tricky strings', () => {
    // Worked by hand: [CLS]=2; "don ' t" = 19 17 18; "$ 5 . 00" = 20 21 14 22; [SEP]=3.
    expect(tok.encode("Don't $5.00").ids).toEqual([2, 19, 17, 18, 20, 21, 14, 22, 3]);
    expect(tok.tokenize('hello [MASK] world')).toEqual(['hello', '[MASK]', 'world']);
    expect(tok.tokenize('Café 中国 🙂')).toEqual(['cafe', '中', '国', '[UNK]']);
  });

  it('truncates, adds specials, pads with attention masks', () => {
    const b = tok.encodeBatch(['hello world', 'hello hello hello hello'], { maxLength: 5, padding: 'longest' });
    expect(b.seqLength).toBe(5);
    expect(Array.from(b.inputIds)).toEqual([2, 27, 28, 3, 0, 2, 27, 27, 27, 3]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  });

  it('encodes pairs with token types and longest-first truncation', () => {
    const e = tok.encode('hello hello hello', { pair: 'world', maxLength: 6 });
    expect(e.tokens).toEqual(['[CLS]', 'hello', 'hello', '[SEP]', 'world', '[SEP]']);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('aligns word labels to the first sub-token', () => {
    const { ids, wordIds } = tok.encodeWords(['unaffable', 'world'], { maxLength: 16 });
    expect(ids).toEqual([2, 5, 6, 7, 28, 3]);
    expect(alignWordLabels(wordIds, [7, 9])).toEqual([-100, 7, -100, -100, 9, -100]);
  });

  it('decodes with ## joining and cleanup', () => {
    expect(tok.decode(tok.encode("unaffable, don't").ids)).toBe("unaffable, don't");
  });

  it('round-trips through tokenizer.json and vocab.txt files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    writeTokenizerFiles(dir, tok);
    const back = readTokenizerFolder(dir);
    expect(back.encode('unaffable running').ids).toEqual(tok.encode('unaffable running').ids);
    const fromVocab = WordPieceTokenizer.fromVocabTxt(tok.toVocabTxt().replace(/\n/g, '\r\n'));
    expect(fromVocab.idToTokenList).toEqual(VOCAB);
  });

  it('refuses a vocabulary without [UNK]', () => {
    expect(() => new WordPieceTokenizer(['[PAD]', 'a'])).toThrow('vocabulary has no [UNK] token');
  });
});

describe('vocabulary training', () => {
  it('learns a WordPiece vocabulary from Brown that covers held-out text with few [UNK]s', () => {
    const files = loadBrownFiles();
    const text = (ids: typeof files) => ids.map((f) => f.sentences.map((s) => s.map(([w]) => w).join(' ')).join('\n'));
    const t = trainWordPieceTokenizer(text(files.slice(0, 120)), { vocabSize: 3000 });
    expect(t.vocabSize).toBe(3000);
    expect(t.idToTokenList.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    const heldOut = text(files.slice(450, 460)).join(' ');
    const tokens = t.tokenize(heldOut);
    const unk = tokens.filter((x) => x === '[UNK]').length / tokens.length;
    expect(unk).toBeLessThan(0.01);
    expect(t.tokenize('the')).toEqual(['the']);
    expect(tokens.length / heldOut.split(/\s+/).length).toBeLessThan(1.6);
  });
});
