import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrateGraph } from '../../../runtime/compile/migrate';
import { resolveParams } from '../../../runtime/compile/params';
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

  it('fine-tune, DAPT and distill v1 keep training as before: explicit values stay, omitted ones become the old defaults', () => {
    const old = {
      schemaVersion: 1 as const,
      nodes: [
        { id: 'ft', type: 'fine-tune', typeVersion: 1, params: { learningRate: 2e-4, batchSize: 8 }, position: { x: 0, y: 0 } },
        { id: 'dapt', type: 'dapt', typeVersion: 1, params: { maxSteps: 10 }, position: { x: 0, y: 0 } },
        { id: 'student', type: 'distill', typeVersion: 1, params: { epochs: 2 }, position: { x: 0, y: 0 } },
      ],
      edges: [],
    };
    const { document, notes } = migrateGraph(old);
    const params = Object.fromEntries(document.nodes.map((n) => [n.id, [n.typeVersion, n.params]]));
    expect(params).toEqual({
      ft: [2, { learningRate: 2e-4, batchSize: 8, epochs: 3, warmupRatio: 0.1 }],
      dapt: [2, { maxSteps: 10, learningRate: 1e-4, warmupRatio: 0.1 }],
      student: [2, { epochs: 2, learningRate: 1e-4 }],
    });
    expect(notes).toHaveLength(3);
  });

  it('a new fine-tune node defaults to "auto"', () => {
    const g = { schemaVersion: 1 as const, nodes: [{ id: 'ft', type: 'fine-tune', typeVersion: 2, params: {}, position: { x: 0, y: 0 } }], edges: [] };
    expect(resolveParams('fine-tune', g.nodes[0].params)).toMatchObject({ learningRate: 'auto', epochs: 'auto', warmupRatio: 'auto' });
  });
});
