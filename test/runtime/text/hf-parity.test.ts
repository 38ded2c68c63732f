// Ids for tricky strings worked out by hand from hf-interop.md §3 (the fast tokenizer's algorithm),
// on a bert-base-uncased-shaped vocabulary ([UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignWordLabels, WordPieceTokenizer } from '../../../runtime/text/wordpiece-tokenizer';

// Ids from 104 on are listed in test/fixtures/tokenizer/README.md.
const vocabTxt = readFileSync(new URL('../../fixtures/tokenizer/bert-tiny-uncased/vocab.txt', import.meta.url), 'utf8');
const tok = WordPieceTokenizer.fromVocabTxt(vocabTxt);
const ids = (text: string) => tok.encode(text).ids;

describe('hand-worked Hugging Face ids (uncased)', () => {
  it('reads the bert-base-uncased special-token layout', () => {
    expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([0, 100, 101, 102, 103]);
    expect(tok.vocabSize).toBe(149);
    expect(tok.idToToken(145)).toBe('𝒳');
    expect(tok.tokenToId('##ed')).toBe(148);
  });

  it('splits contractions and prices into punctuation pieces', () => {
    // "don't" → don ' t
    expect(ids("Don't")).toEqual([101, 119, 107, 115, 102]);
    // "$" is ASCII punctuation for BERT (33–47): $ 5 . 00
    expect(ids('$5.00')).toEqual([101, 106, 112, 109, 113, 102]);
    // " quote , " he said . — quote/he/said are not in the vocabulary
    expect(ids('"Quote," he said.')).toEqual([101, 105, 100, 108, 105, 100, 100, 109, 102]);
    // e - mail @ x
    expect(ids('e-mail@x')).toEqual([101, 137, 136, 139, 140, 134, 102]);
  });

  it('strips accents after NFD and lower-cases', () => {
    // café résumé naïve → cafe resume naive
    expect(ids('Café RÉSUMÉ naïve')).toEqual([101, 120, 121, 123, 102]);
    // Same text already decomposed (e + U+0301) gives the same ids.
    expect(ids('Cafe\u0301')).toEqual([101, 120, 102]);
  });

  it('lower-cases Greek per code point (no final sigma)', () => {
    // ΟΣ → οσ (131); a whole-string lower-case would give ος, which is not in the vocabulary.
    expect(ids('ΟΣ')).toEqual([101, 131, 102]);
    expect(ids('Σ')).toEqual([101, 129, 102]);
  });

  it('isolates CJK characters', () => {
    expect(ids('中国')).toEqual([101, 124, 125, 102]);
    // the中国s → "the 中  国 s"; a lone "s" has no word-initial piece → [UNK]
    expect(ids('the中国s')).toEqual([101, 122, 124, 125, 100, 102]);
  });

  it('makes an emoji [UNK], and a word with an unmatched tail a single [UNK]', () => {
    expect(ids('hello 🙂 world')).toEqual([101, 127, 100, 128, 102]);
    // hello🙂 is one pre-token: "hello" matches, "##🙂" does not, so the whole word is [UNK].
    expect(ids('hello🙂')).toEqual([101, 100, 102]);
    // unwanted: "un" then nothing for "##w…" → [UNK] (no "un" left behind)
    expect(ids('unwanted')).toEqual([101, 100, 102]);
    expect(ids('unaffable wanted!')).toEqual([101, 116, 117, 118, 147, 148, 104, 102]);
  });

  it('removes control characters and maps Unicode whitespace to spaces', () => {
    // U+0000, U+200B (Cf), U+0007 (Cc) and U+FFFD are deleted → "hello world"
    expect(ids('hel\u0000lo\u200b wor\u0007ld\ufffd')).toEqual([101, 127, 128, 102]);
    // U+0085 is Cc, so it is deleted (not a space): "helloworld" → [UNK]
    expect(ids('hello\u0085world')).toEqual([101, 100, 102]);
    // NBSP, ideographic space, tab and newline are whitespace
    expect(ids('hello\u00a0world\u3000hello\tworld\nhello')).toEqual([101, 127, 128, 127, 128, 127, 102]);
  });

  it('counts max_input_chars_per_word in code points', () => {
    // 100 × "x" is allowed: x ##x×99
    expect(ids('x'.repeat(100))).toEqual([101, 134, ...Array(99).fill(135), 102]);
    expect(ids('x'.repeat(101))).toEqual([101, 100, 102]);
    // 𝒳 is one code point but two UTF-16 units: 100 of them (200 units) are still allowed.
    expect(ids('𝒳'.repeat(100))).toEqual([101, 145, ...Array(99).fill(146), 102]);
    expect(ids('𝒳'.repeat(101))).toEqual([101, 100, 102]);
  });

  it('matches special tokens on the raw text only', () => {
    // [MASK] is found before normalization; [mask] and [Mask] are lower-cased text: [ mask ]
    expect(ids('[MASK] and [mask]')).toEqual([101, 103, 144, 141, 142, 143, 102]);
    expect(ids('[Mask]')).toEqual([101, 141, 142, 143, 102]);
    expect(ids('hello[MASK][SEP]world')).toEqual([101, 127, 103, 102, 128, 102]);
  });
});

describe('normalizer flags', () => {
  it('strips accents without lower-casing when asked', () => {
    const t = WordPieceTokenizer.fromVocabTxt(vocabTxt, { lowercase: false, stripAccents: true });
    expect(t.encode('café').ids).toEqual([101, 120, 102]);
    // "Cafe" keeps its capital, which the vocabulary lacks
    expect(t.encode('Café').ids).toEqual([101, 100, 102]);
  });

  it('lower-cases without stripping accents when strip_accents is false', () => {
    const t = WordPieceTokenizer.fromVocabTxt(vocabTxt, { lowercase: true, stripAccents: false });
    expect(t.encode('Café CAFE').ids).toEqual([101, 100, 120, 102]);
  });

  it('leaves CJK runs joined and control characters in place when those steps are off', () => {
    const t = WordPieceTokenizer.fromVocabTxt(vocabTxt, { handleChineseChars: false, cleanText: false });
    expect(t.encode('the中国').ids).toEqual([101, 100, 102]);
    expect(t.encode('hello\u0000').ids).toEqual([101, 100, 102]);
  });
});

describe('truncation, pairs and padding', () => {
  const xs = (n: number) => Array(n).fill('x').join(' ');
  const es = (n: number) => Array(n).fill('e').join(' ');

  it('halves the budget when both sides are long (shorter side first gets the floor)', () => {
    // budget 9 − 3 = 6; n1 = n2 = 10 → 3 and 3
    const e = tok.encode(xs(10), { pair: es(10), maxLength: 9 });
    expect(e.ids).toEqual([101, 134, 134, 134, 102, 137, 137, 137, 102]);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(e.attentionMask).toEqual(Array(9).fill(1));
    // budget 7, equal lengths: no swap, A (the "shorter") gets 3, B gets 4
    expect(tok.encode(xs(10), { pair: es(10), maxLength: 10 }).ids).toEqual([101, 134, 134, 134, 102, 137, 137, 137, 137, 102]);
    // budget 7, A longer (10 vs 9): the odd extra token goes to A
    expect(tok.encode(xs(10), { pair: es(9), maxLength: 10 }).ids).toEqual([101, 134, 134, 134, 134, 102, 137, 137, 137, 102]);
  });

  it('keeps a short side whole and gives the rest of the budget to the long side', () => {
    // budget 6; n1 = 2 → long side gets max(2, 4) = 4
    expect(tok.encode(xs(2), { pair: es(10), maxLength: 9 }).ids).toEqual([101, 134, 134, 102, 137, 137, 137, 137, 102]);
    // no truncation when the pair fits
    expect(tok.encode(xs(2), { pair: es(2), maxLength: 9 }).ids).toEqual([101, 134, 134, 102, 137, 137, 102]);
  });

  it('pads to max_length with [PAD], mask 0 and token type 0', () => {
    const b = tok.encodeBatch(['hello world', "don't", xs(8)], { maxLength: 6, padding: 'max_length' });
    expect([b.batchSize, b.seqLength]).toEqual([3, 6]);
    expect(Array.from(b.inputIds)).toEqual([101, 127, 128, 102, 0, 0, 101, 119, 107, 115, 102, 0, 101, 134, 134, 134, 134, 102]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(b.tokenTypeIds)).toEqual(Array(18).fill(0));
  });

  it('pads a very large batch (more rows than a spread argument list allows)', () => {
    const b = tok.encodeBatch(Array(200_000).fill('x'), { maxLength: 8, padding: 'longest' });
    expect([b.batchSize, b.seqLength]).toEqual([200_000, 3]);
    expect(Array.from(b.inputIds.subarray(-3))).toEqual([101, 134, 102]);
  });

  it('pads to the longest row with padding longest', () => {
    const b = tok.encodeBatch(['hello', 'hello world hello'], { maxLength: 64, padding: 'longest' });
    expect(b.seqLength).toBe(5);
    expect(Array.from(b.inputIds)).toEqual([101, 127, 102, 0, 0, 101, 127, 128, 127, 102]);
  });
});

describe('word alignment for token classification', () => {
  it('gives every piece of a word its word index and specials null', () => {
    const r = tok.encodeWords(["Don't", 'x', 'unaffable'], { maxLength: 32 });
    expect(r.ids).toEqual([101, 119, 107, 115, 134, 116, 117, 118, 102]);
    expect(r.wordIds).toEqual([null, 0, 0, 0, 1, 2, 2, 2, null]);
    expect(r.attentionMask).toEqual(Array(9).fill(1));
    expect(alignWordLabels(r.wordIds, [4, 5, 6])).toEqual([-100, 4, -100, -100, 5, 6, -100, -100, -100]);
    expect(alignWordLabels(r.wordIds, [4, 5, 6], -1)).toEqual([-1, 4, -1, -1, 5, 6, -1, -1, -1]);
  });

  it('truncates to maxLength and still ends with [SEP]', () => {
    const r = tok.encodeWords(['unaffable', 'hello', 'world'], { maxLength: 5 });
    expect(r.ids).toEqual([101, 116, 117, 118, 102]);
    expect(r.wordIds).toEqual([null, 0, 0, 0, null]);
    expect(alignWordLabels(r.wordIds, [1, 2, 3])).toEqual([-100, 1, -100, -100, -100]);
  });

  it('keeps the same word repeated as separate words', () => {
    const r = tok.encodeWords(['hello', 'hello'], { maxLength: 8 });
    expect(alignWordLabels(r.wordIds, [7, 8])).toEqual([-100, 7, 8, -100]);
  });
});

describe('decode', () => {
  it('glues ## pieces, cleans spaces before punctuation and drops specials', () => {
    expect(tok.decode(ids('unaffable, wanted!'))).toBe('unaffable, wanted!');
    expect(tok.decode(ids("don't"))).toBe("don't");
    expect(tok.decode(ids('wanted!'), { keepSpecial: true })).toBe('[CLS] wanted! [SEP]');
  });
});
