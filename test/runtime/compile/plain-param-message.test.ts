// Param problems in plain words: what the value must be, and what was given.
import { describe, expect, it } from 'vitest';
import { getNodeDefinition } from '../../../graph-nodes';
import { resolveNodeParams } from '../../../runtime/compile/params';

const messages = (type: string, params: Record<string, unknown>) => resolveNodeParams(getNodeDefinition(type)!, 'n1', params).issues.map((i) => [i.param, i.message]);

describe('plain param messages', () => {
  it('a fraction where a whole number belongs, and out-of-range numbers, say what is allowed and what came', () => {
    expect(messages('lora', { rank: 2.5 })).toEqual([['rank', 'rank: must be a whole number (got 2.5)']]);
    expect(messages('lora', { rank: 0 })).toEqual([['rank', 'rank: must be at least 1 (got 0)']]);
    expect(messages('lora', { rank: 100000 })).toEqual([['rank', 'rank: must be at most 256 (got 100000)']]);
    expect(messages('lora', { rank: 'eight' })).toEqual([['rank', 'rank: must be a number (got "eight")']]);
  });

  it('choices and lists name what they accept; a schema’s own message is kept', () => {
    expect(messages('eval', { split: 'dev' })).toEqual([['split', 'split: must be one of test, validation, train (got "dev")']]);
    expect(messages('export', { formats: [] })).toEqual([['formats', 'formats: choose at least 1']]);
    expect(messages('export', { name: 'my model' })).toEqual([['name', 'name: letters, digits, dot, dash and underscore only']]);
  });

  it('no message leaks zod’s wording', () => {
    const all = [...messages('lora', { rank: 2.5 }), ...messages('eval', { split: 'x', batchSize: -1 }), ...messages('export', { formats: [] })];
    for (const [, m] of all) expect(m).not.toMatch(/Invalid input|Too small|Too big|expected int/);
  });
});
