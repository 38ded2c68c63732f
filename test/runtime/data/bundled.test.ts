// The bundled packages: Brown documents, POS tags and genres; SpamAssassin labels and corpus.
import { describe, expect, it } from 'vitest';
import { coarseBrownTag, loadBrownDocuments, loadBrownFiles, loadBrownGenre, loadBrownPos } from '../../../runtime/data/brown';
import { loadEmailCorpus, loadSpamAssassin } from '../../../runtime/data/spam-assassin';
import type { TextExample, TokenExample } from '../../../runtime/data/types';

describe('Brown Corpus', () => {
  it('gives documents with id, genre and untagged text', () => {
    const docs = loadBrownDocuments({ genres: ['humor'] });
    expect(docs.map((d) => d.id)).toEqual(['cr01', 'cr02', 'cr03', 'cr04', 'cr05', 'cr06', 'cr07', 'cr08', 'cr09']);
    expect(docs.every((d) => d.genre === 'humor')).toBe(true);
    expect(docs[0].text).not.toMatch(/\/(nn|at|in)\b/);
    expect(loadBrownDocuments({ genres: ['humor'], excludeIds: new Set(['cr01']), maxDocuments: 3 }).map((d) => d.id)).toEqual(['cr02', 'cr03', 'cr04']);
  });

  it('parses once per process', () => {
    expect(loadBrownFiles()).toBe(loadBrownFiles());
  });

  it('tags "not" as ADV and possessive and negated forms by their word class', () => {
    expect(['*', '*-hl', 'cd$', 'ap$', 'pp$$', 'nn$-tl', 'md*', 'dod*', 'ppss+ber', '---hl', 'uh', 'fw-at'].map(coarseBrownTag)).toEqual([
      'ADV', 'ADV', 'NUM', 'DET', 'PRON', 'NOUN', 'VERB', 'VERB', 'PRON', '.', 'X', 'X',
    ]);
  });

  it('leaves only foreign words, interjections and nil as X', () => {
    const pos = loadBrownPos({ maxSentences: 3000, rawTags: true });
    const x = new Set(pos.labels.filter((t) => coarseBrownTag(t) === 'X').map((t) => t.split('-')[0]));
    expect(x.has('fw')).toBe(true);
    expect([...x].filter((t) => !['fw', 'uh', 'nil'].includes(t))).toEqual([]);
  });

  it('keeps raw tags on request and caps tokens per sentence', () => {
    const raw = loadBrownPos({ maxSentences: 5, rawTags: true, maxTokens: 6 });
    const first = raw.examples[0] as TokenExample;
    expect(first.tokens).toEqual(['The', 'Fulton', 'County', 'Grand', 'Jury', 'said']);
    expect(first.tags).toEqual(['at', 'np-tl', 'nn-tl', 'jj-tl', 'nn-tl', 'vbd']);
    expect((loadBrownPos({ maxSentences: 5 }).examples[0] as TokenExample).tags.slice(0, 6)).toEqual(['DET', 'NOUN', 'NOUN', 'ADJ', 'NOUN', 'VERB']);
  });

  it('builds a 15-genre classification set from chunks of sentences', () => {
    const g = loadBrownGenre({ chunkSentences: 20 });
    expect(g.labels).toHaveLength(15);
    expect(g.labels).toContain('science_fiction');
    const ex = g.examples as TextExample[];
    expect(ex.length).toBeGreaterThan(2000);
    expect(ex.every((e) => e.text.length > 0 && !e.text.includes('/at '))).toBe(true);
  });
});

describe('SpamAssassin', () => {
  it('has ham and spam in their real shares and no header lines in the text', () => {
    const d = loadSpamAssassin();
    const ex = d.examples as TextExample[];
    const spam = ex.filter((e) => e.label === 'spam').length;
    expect(spam).toBeGreaterThan(1500);
    expect(ex.length - spam).toBeGreaterThan(3500);
    expect(ex.filter((e) => /^(Received|Return-Path|Delivered-To|Message-Id|X-[\w-]+):/im.test(e.text)).length).toBeLessThan(3);
    // Almost every email has body text beyond the subject line.
    expect(ex.filter((e) => e.text.split('\n')[1].length < 5).length).toBeLessThan(30);
    expect(d.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('samples a seeded, stratified subset', () => {
    const s = loadSpamAssassin({ maxExamples: 200, seed: 3 });
    const spam = (s.examples as TextExample[]).filter((e) => e.label === 'spam').length;
    expect(s.examples).toHaveLength(200);
    expect(spam).toBeGreaterThanOrEqual(62);
    expect(spam).toBeLessThanOrEqual(63);
    expect(loadSpamAssassin({ maxExamples: 200, seed: 3 }).contentHash).toBe(s.contentHash);
    expect(loadSpamAssassin({ maxExamples: 200, seed: 4 }).contentHash).not.toBe(s.contentHash);
  });

  it('gives the email texts as a corpus for domain-adaptive pretraining', () => {
    const c = loadEmailCorpus({ maxDocuments: 100 });
    expect(c.documents).toHaveLength(100);
    expect(c.documents.some((t) => /^From \S+@/m.test(t))).toBe(false);
  });
});
