// Expected outputs published in Hugging Face transformers' BERT tokenizer tests
// (tests/models/bert/test_tokenization_bert.py), re-checked against our implementation.
import { describe, expect, it } from 'vitest';
import { isPunctuation, normalizeBert, preTokenizeBert, type NormalizerOptions } from '../../../runtime/text/bert-normalizer';
import { wordPiece } from '../../../runtime/text/wordpiece';
import { WordPieceTokenizer } from '../../../runtime/text/wordpiece-tokenizer';

// The vocabulary of transformers' BertTokenizationTest.setUp, in file order (ids 0…14).
const VOCAB = ['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',', 'low', 'lowest'];
const basic = (text: string, o: Partial<NormalizerOptions>) =>
  preTokenizeBert(normalizeBert(text, { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true, ...o }));
const MIXED = ' \tHäLLo!how  \n Are yoU?  ';

describe('transformers BERT tokenizer test cases', () => {
  it('full tokenizer: UNwantéd,running', () => {
    const tok = new WordPieceTokenizer(VOCAB);
    const tokens = tok.tokenize('UNwant\u00E9d,running');
    expect(tokens).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    expect(tokens.map((t) => tok.tokenToId(t))).toEqual([9, 6, 7, 12, 10, 11]);
  });

  it('chinese characters', () => {
    expect(basic('ah\u535A\u63A8zz', {})).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
  });

  it('lower-casing and accent stripping in every combination', () => {
    expect(basic(' \tHeLLo!how  \n Are yoU?  ', {})).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
    expect(basic('H\u00E9llo', {})).toEqual(['hello']);
    expect(basic(MIXED, { stripAccents: false })).toEqual(['hällo', '!', 'how', 'are', 'you', '?']);
    expect(basic('H\u00E9llo', { stripAccents: false })).toEqual(['h\u00E9llo']);
    expect(basic(MIXED, { stripAccents: true })).toEqual(['hallo', '!', 'how', 'are', 'you', '?']);
    expect(basic(MIXED, {})).toEqual(['hallo', '!', 'how', 'are', 'you', '?']);
    expect(basic(' \tHeLLo!how  \n Are yoU?  ', { lowercase: false })).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?']);
    expect(basic(MIXED, { lowercase: false, stripAccents: false })).toEqual(['HäLLo', '!', 'how', 'Are', 'yoU', '?']);
    expect(basic(MIXED, { lowercase: false, stripAccents: true })).toEqual(['HaLLo', '!', 'how', 'Are', 'yoU', '?']);
  });

  it('wordpiece alone', () => {
    const vocab = new Map(['[UNK]', '[CLS]', '[SEP]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing'].map((t, i) => [t, i]));
    const wp = (text: string) => preTokenizeBert(text).flatMap((w) => wordPiece(w, vocab, '[UNK]'));
    expect(wp('')).toEqual([]);
    expect(wp('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(wp('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
  });

  it('character classes', () => {
    for (const ws of [' ', '\t', '\r', '\n', '\u00A0']) expect(preTokenizeBert(`a${ws}b`), JSON.stringify(ws)).toEqual(['a', 'b']);
    expect(preTokenizeBert('A-')).toEqual(['A', '-']);
    expect(normalizeBert('a\u0005b', { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: false })).toBe('ab');
    expect(normalizeBert('A \t\r', { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: false })).toBe('A   ');
    for (const p of ['-', '$', '`', '.']) expect(isPunctuation(p), p).toBe(true);
    for (const p of ['A', ' ']) expect(isPunctuation(p), p).toBe(false);
  });

  it('clean text: a soft hyphen alone tokenizes to nothing (tokenizers issue 340)', () => {
    const tok = new WordPieceTokenizer(VOCAB);
    expect(['Test', '\xad', 'test'].map((t) => tok.tokenize(t))).toEqual([['[UNK]'], [], ['[UNK]']]);
  });

  it('special token inside text, cased and uncased ("A, naïve [MASK] AllenNLP sentence.")', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ',', '.', 'a', 'naive', 'allen', '##nl', '##p', 'sentence', 'A', 'na', '##ï', '##ve', 'Allen', '##NL', '##P'];
    const sentence = 'A, naïve [MASK] AllenNLP sentence.';
    expect(new WordPieceTokenizer(vocab, { lowercase: true }).encode(sentence).tokens).toEqual([
      '[CLS]', 'a', ',', 'naive', '[MASK]', 'allen', '##nl', '##p', 'sentence', '.', '[SEP]',
    ]);
    expect(new WordPieceTokenizer(vocab, { lowercase: false }).encode(sentence).tokens).toEqual([
      '[CLS]', 'A', ',', 'na', '##ï', '##ve', '[MASK]', 'Allen', '##NL', '##P', 'sentence', '.', '[SEP]',
    ]);
  });
});
