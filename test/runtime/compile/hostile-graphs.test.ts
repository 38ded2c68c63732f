// Hostile documents at the compiler: the 5,000-node chain with 15,000 back edges, prototype-named
// ids and ports, and random documents (fast-check) that must come back as issues, never a throw.
import fc from 'fast-check';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { checkGraphDocument } from '../../../runtime/compile/read-graph';
import { MAX_ISSUES, validateGraph, validateGraphInSlices } from '../../../runtime/compile/validate';
import { graphBuilder } from '../../helpers/graph-builder';
import { chainWithBackEdges, graphDocumentArb } from '../../helpers/hostile-docs';

describe('validation of hostile documents', () => {
  it('validates the 5,000-node chain with 15,000 back edges into a bounded issue list', () => {
    const doc = chainWithBackEdges();
    expect(doc.edges).toHaveLength(19_999);
    const issues = validateGraph(doc);
    expect(issues.length).toBeLessThanOrEqual(MAX_ISSUES);
    expect(issues[issues.length - 1].message).toMatch(/^and \d+ more problems$/);
    const cycles = issues.filter((i) => i.kind === 'cycle');
    expect(cycles.length).toBeGreaterThan(0);
    // Long loops are shown with their middle elided; the whole answer stays small.
    expect(Math.max(...issues.map((i) => i.message.length))).toBeLessThan(400);
    expect(JSON.stringify(issues).length).toBeLessThan(200_000);
  });

  it('reports one long cycle with its length, not the whole path', () => {
    const doc = chainWithBackEdges(5000, 0);
    doc.edges.push({ id: 'back', source: 's4999', sourcePort: 'dataset', target: 's0', targetPort: 'dataset' });
    const cycles = validateGraph(doc).filter((i) => i.kind === 'cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0].message).toMatch(/^cycle: s0 → s1 → .* → … \(4989 more\) … → s4999 → s0$/);
  });

  it('validates in slices without holding the event loop (generous bound: 1 s)', async () => {
    const doc = chainWithBackEdges();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const issues = await validateGraphInSlices(doc);
    delay.disable();
    expect(issues).toEqual(validateGraph(doc));
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('refuses documents over the node and edge limits before parsing them', () => {
    const doc = chainWithBackEdges(5001, 0);
    expect(validateGraph(doc)).toEqual([{ kind: 'bad-document', message: 'nodes: the graph has 5001 nodes; the limit is 5000' }]);
    expect(() => checkGraphDocument(doc)).toThrow('nodes: the graph has 5001 nodes; the limit is 5000');
  });
});

describe('prototype-named ids and ports', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('refuses node id "%s" with a clear issue', (id) => {
    const g = graphBuilder();
    g.node('pretrained-load', {}, { id });
    const issues = validateGraph(g.build());
    expect(issues).toContainEqual({ kind: 'bad-document', nodeId: id, message: `node id "${id}" is a reserved name (a built-in JavaScript property); choose another id` });
  });

  it('treats a port named constructor as unknown, not as a port of every node', () => {
    const g = graphBuilder();
    const a = g.node('pretrained-load');
    const b = g.node('freeze');
    g.connect(a, 'constructor', b, 'constructor');
    const issues = validateGraph(g.build());
    expect(issues.filter((i) => i.kind === 'unknown-port').map((i) => i.port)).toEqual(['constructor', 'constructor']);
  });

  it('computes distinct cache keys for nodes downstream of __proto__ and constructor (never "[object Object]")', () => {
    const g = graphBuilder();
    g.node('dataset-bundled', {}, { id: '__proto__' });
    g.node('dataset-bundled', { dataset: 'brown-pos' }, { id: 'constructor' });
    g.node('split', {}, { id: 'a' });
    g.node('split', {}, { id: 'b' });
    g.connect('__proto__', 'dataset', 'a', 'dataset');
    g.connect('constructor', 'dataset', 'b', 'dataset');
    const keys = cacheKeysFor(g.build());
    expect(Object.keys(keys).sort()).toEqual(['__proto__', 'a', 'b', 'constructor']);
    expect(keys.a).not.toBe(keys.b);
    expect(new Set(Object.values(keys)).size).toBe(4);
    expect(keys.toString).toBeUndefined();
  });
});

describe('random documents', () => {
  it('always come back as a list of issues, never a throw', () => {
    fc.assert(
      fc.property(graphDocumentArb, (doc) => {
        const issues = validateGraph(doc);
        expect(Array.isArray(issues)).toBe(true);
        for (const i of issues) expect(typeof i.message).toBe('string');
        if (issues.length === 0) cacheKeysFor(doc as never);
      }),
      { numRuns: 400 },
    );
  });
});
