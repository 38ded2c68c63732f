// BERT masking: only real tokens, ~15%, 80/10/10 split, seeded, labels −100 elsewhere.
import { describe, expect, it } from 'vitest';
import { maskTokens } from '../../../runtime/model/masking';
import { createRng } from '../../../runtime/model/rng';

const CLS = 101, SEP = 102, PAD = 0, MASK = 103;

function batch(rows: number, len: number): { ids: number[]; attention: number[] } {
  const ids: number[] = [], attention: number[] = [];
  for (let r = 0; r < rows; r++) {
    const real = len - (r % 5); // some padding at the end of some rows
    for (let t = 0; t < len; t++) {
      const id = t === 0 ? CLS : t === real - 1 ? SEP : t >= real ? PAD : 1000 + ((r * 31 + t * 7) % 500);
      ids.push(id);
      attention.push(t < real ? 1 : 0);
    }
  }
  return { ids, attention };
}

describe('maskTokens', () => {
  const { ids, attention } = batch(200, 64);
  const opts = { maskTokenId: MASK, vocabSize: 2000, specialIds: [CLS, SEP, PAD], attentionMask: attention };

  it('chooses ~15% of real tokens, never specials or padding, with an 80/10/10 split', () => {
    const out = maskTokens(ids, { ...opts, rng: createRng(1) });
    const eligible = ids.filter((id, i) => attention[i] === 1 && id !== CLS && id !== SEP).length;
    expect(out.positions.length / eligible).toBeGreaterThan(0.13);
    expect(out.positions.length / eligible).toBeLessThan(0.17);
    let masked = 0, kept = 0, random = 0;
    for (let i = 0; i < ids.length; i++) {
      const chosen = out.labels[i] !== -100;
      if (!chosen) {
        expect(out.inputIds[i]).toBe(ids[i]);
        continue;
      }
      expect([CLS, SEP, PAD]).not.toContain(ids[i]);
      expect(attention[i]).toBe(1);
      expect(out.labels[i]).toBe(ids[i]);
      if (out.inputIds[i] === MASK) masked++;
      else if (out.inputIds[i] === ids[i]) kept++;
      else random++;
    }
    const n = out.positions.length;
    expect(masked / n).toBeGreaterThan(0.76);
    expect(masked / n).toBeLessThan(0.84);
    expect(random / n).toBeGreaterThan(0.07);
    expect(kept / n).toBeGreaterThan(0.06); // 10% plus random draws that hit the same id
    expect(Array.from(out.positionLabels)).toEqual(Array.from(out.positions, (p) => ids[p]));
    expect(Array.from(out.positions)).toEqual(Array.from(out.positions).sort((a, b) => a - b));
  });

  it('is deterministic per seed and always masks at least one eligible token', () => {
    const a = maskTokens(ids, { ...opts, rng: createRng(9) });
    const b = maskTokens(ids, { ...opts, rng: createRng(9) });
    expect(Array.from(a.inputIds)).toEqual(Array.from(b.inputIds));
    const c = maskTokens(ids, { ...opts, rng: createRng(10) });
    expect(Array.from(c.inputIds)).not.toEqual(Array.from(a.inputIds));
    const tiny = maskTokens([CLS, 1500, SEP], { ...opts, attentionMask: undefined, probability: 1e-9, rng: createRng(1) });
    expect(Array.from(tiny.positions)).toEqual([1]);
    expect(() => maskTokens([1, 2], { ...opts, rng: createRng(1) })).toThrow(/attentionMask has/);
  });
});
