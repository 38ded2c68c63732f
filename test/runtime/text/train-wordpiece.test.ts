// WordPiece vocabulary learning: layout of the vocabulary, merge order, stopping rules, and a
// full-size Brown run (8,000 pieces) that must cover held-out text.
import { describe, expect, it } from 'vitest';
import { loadBrownFiles } from '../../../runtime/data/brown';
import { trainWordPieceTokenizer } from '../../../runtime/text/train-wordpiece';

// The Hugging Face course's toy corpus: hug×10, pug×5, pun×12, bun×4, hugs×5.
const toy = [...Array(10).fill('hug'), ...Array(5).fill('pug'), ...Array(12).fill('pun'), ...Array(4).fill('bun'), ...Array(5).fill('hugs')];
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const ALPHABET = ['b', 'g', 'h', 'n', 'p', 's', 'u'];

describe('trainWordPieceTokenizer', () => {
  it('lays out specials, the alphabet, ##alphabet, then merges by pair frequency', () => {
    const t = trainWordPieceTokenizer(toy, { vocabSize: 5 + 14 + 3 });
    // Pair counts at the start: ##u ##g = 10+5+5 = 20, p ##u = 17, ##u ##n = 16, h ##u = 15 → "##ug" first.
    // Then ##u ##n = 16 beats h ##ug = 15 and p ##u = 12 → "##un"; then h ##ug = 15 → "hug".
    expect(t.idToTokenList).toEqual([...SPECIALS, ...ALPHABET, ...ALPHABET.map((c) => `##${c}`), '##ug', '##un', 'hug']);
    expect(t.tokenize('hugs pun')).toEqual(['hug', '##s', 'p', '##un']);
  });

  it('stops merging when no pair reaches minFrequency', () => {
    // After ##ug (20), ##un (16), hug (15) the best pair is p ##un (12) < 13.
    const t = trainWordPieceTokenizer(toy, { vocabSize: 1000, minFrequency: 13 });
    expect(t.vocabSize).toBe(5 + 14 + 3);
    expect(t.idToTokenList.slice(-3)).toEqual(['##ug', '##un', 'hug']);
  });

  it('keeps case when lowercase is false and leaves rare characters out of the alphabet', () => {
    const t = trainWordPieceTokenizer(['Hug hug hug Hug', 'zebra'], { vocabSize: 40, lowercase: false });
    expect(t.idToTokenList).toContain('H');
    expect(t.idToTokenList).not.toContain('z'); // seen once < minCharFrequency 2
    expect(t.tokenize('Hug')).not.toContain('[UNK]');
    expect(t.tokenize('zebra')).toEqual(['[UNK]']);
    const lower = trainWordPieceTokenizer(['Hug hug hug Hug'], { vocabSize: 40 });
    expect(lower.idToTokenList).not.toContain('H');
  });

  it('learns 8,000 pieces from most of Brown that cover the held-out files', () => {
    const files = loadBrownFiles();
    const text = (fs: typeof files) => fs.map((f) => f.sentences.map((s) => s.map(([w]) => w).join(' ')).join('\n'));
    // Speed is for benchmarks, not assertions (measured 2.5 s on an idle core).
    const t = trainWordPieceTokenizer(text(files.slice(0, 450)), { vocabSize: 8000 });
    expect(t.vocabSize).toBe(8000);
    // No piece is added twice (merges that rebuild an alphabet piece must not duplicate it).
    expect(new Set(t.idToTokenList).size).toBe(8000);
    const heldOut = text(files.slice(450)).join('\n');
    const tokens = t.tokenize(heldOut);
    const unkRate = tokens.filter((x) => x === '[UNK]').length / tokens.length;
    expect(unkRate).toBeLessThan(0.002);
    // Measured 1.26 pieces per whitespace word on files 450–499.
    expect(tokens.length / heldOut.split(/\s+/).length).toBeLessThan(1.4);
    for (const w of ['the', 'and', 'of', 'said']) expect(t.tokenize(w)).toEqual([w]);
  });
});
