import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrateGraph } from '../../../runtime/compile/migrate';
import { validateGraph } from '../../../runtime/compile/validate';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/graphs/lora-v1.json', import.meta.url), 'utf8'));

describe('migrateGraph', () => {
  it('an old graph is flagged until migrated', () => {
    expect(validateGraph(fixture)).toContainEqual(expect.objectContaining({ nodeId: 'adapters', kind: 'bad-document' }));
  });

  it('opens a lora v1 graph without losing an edge or a param', () => {
    const { document, notes } = migrateGraph(fixture);
    expect(validateGraph(document)).toEqual([]);
    expect(document.edges).toEqual(fixture.edges);
    const node = document.nodes.find((n) => n.id === 'adapters')!;
    expect(node.typeVersion).toBe(2);
    expect(node.label).toBe('LoRA (old file)');
    expect(node.params).toEqual({ rank: 4, alpha: 8, dropout: 0.05, merge: true, targetModules: ['query', 'key', 'value'] });
    expect(notes).toEqual(['node "adapters" (lora) upgraded from version 1 to 2']);
  });

  it('leaves current nodes untouched', () => {
    const { document } = migrateGraph(fixture);
    expect(migrateGraph(document).document).toEqual(document);
  });
});
