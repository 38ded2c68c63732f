import { describe, expect, it } from 'vitest';
import { isConnectionLegal, validateGraph } from '../../../runtime/compile/validate';
import { graphBuilder, pipelineGraph } from '../../helpers/graph-builder';

const kinds = (doc: unknown) => validateGraph(doc).map((i) => i.kind);

describe('validateGraph', () => {
  it('accepts the full adaptation pipeline', () => {
    expect(validateGraph(pipelineGraph().doc)).toEqual([]);
  });

  it('reports a structurally broken document with the path', () => {
    const { doc } = pipelineGraph();
    (doc.nodes[3].position as { x: unknown }).x = 'left';
    const issues = validateGraph(doc);
    expect(issues[0].kind).toBe('bad-document');
    expect(issues[0].message).toContain('nodes.3.position.x');
    expect(issues[0].nodeId).toBe(doc.nodes[3].id);
  });

  it('reports an unknown node type on its node', () => {
    const g = graphBuilder();
    const a = g.node('no-such-stage');
    expect(validateGraph(g.build())).toEqual([expect.objectContaining({ kind: 'unknown-type', nodeId: a })]);
  });

  it('reports a bad param with its zod path', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const l = g.node('lora', { rank: 0, targetModules: ['query', 'nope'] });
    g.connect(m, 'model', l, 'model');
    const issues = validateGraph(g.build());
    expect(issues.map((i) => [i.kind, i.nodeId, i.param])).toEqual(
      expect.arrayContaining([
        ['bad-param', l, 'rank'],
        ['bad-param', l, 'targetModules.1'],
      ]),
    );
  });

  it('reports a cross-field rule from the type’s check on its param', () => {
    const g = graphBuilder();
    const d = g.node('dataset-bundled');
    const s = g.node('split', { trainRatio: 0.9, validationRatio: 0.1, testRatio: 0.2 });
    g.connect(d, 'dataset', s, 'dataset');
    expect(validateGraph(g.build())).toEqual([expect.objectContaining({ kind: 'bad-param', nodeId: s, param: 'testRatio' })]);
  });

  it('reports a port type mismatch naming both types', () => {
    const g = graphBuilder();
    const d = g.node('dataset-bundled');
    const l = g.node('lora');
    g.connect(d, 'dataset', l, 'model');
    const issue = validateGraph(g.build()).find((i) => i.kind === 'port-type-mismatch')!;
    expect(issue).toMatchObject({ nodeId: l, port: 'model' });
    expect(issue.message).toMatch(/Model.*Dataset/);
  });

  it('reports an unknown port', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const l = g.node('lora');
    g.connect(m, 'weights', l, 'model');
    expect(validateGraph(g.build())).toContainEqual(expect.objectContaining({ kind: 'unknown-port', nodeId: m, port: 'weights' }));
  });

  it('reports a missing required input and a missing one-of group', () => {
    const g = graphBuilder();
    const e = g.node('eval');
    const issues = validateGraph(g.build());
    expect(issues).toContainEqual(expect.objectContaining({ kind: 'missing-input', nodeId: e, port: 'model' }));
    expect(issues).toContainEqual(expect.objectContaining({ kind: 'missing-input', nodeId: e, message: 'connect one of: dataset, corpus' }));
  });

  it('reports two edges into a single input', () => {
    const g = graphBuilder();
    const a = g.node('pretrained-load');
    const b = g.node('pretrained-load');
    const l = g.node('lora');
    g.connect(a, 'model', l, 'model');
    g.connect(b, 'model', l, 'model');
    expect(kinds(g.build())).toContain('too-many-inputs');
  });

  it('lets compare take many metrics inputs', () => {
    const g = graphBuilder();
    const c = g.node('compare');
    for (let i = 0; i < 3; i++) {
      const m = g.node('pretrained-load');
      const d = g.node('dataset-bundled');
      const h = g.node('head', { numLabels: 2 });
      const e = g.node('eval', { split: 'train' });
      g.connect(m, 'model', h, 'model');
      g.connect(h, 'model', e, 'model');
      g.connect(d, 'dataset', e, 'dataset');
      g.connect(e, 'metrics', c, 'metrics');
    }
    expect(validateGraph(g.build())).toEqual([]);
  });

  it('reports a cycle, blaming one node and listing the loop', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const a = g.node('freeze');
    const b = g.node('lora');
    g.connect(a, 'model', b, 'model');
    g.connect(b, 'model', a, 'model');
    void m;
    const cycle = validateGraph(g.build()).filter((i) => i.kind === 'cycle');
    expect(cycle).toHaveLength(1);
    expect(cycle[0].message).toMatch(/n2 → n3 → n2|n3 → n2 → n3/);
  });

  it('reports duplicate node and edge ids', () => {
    const g = graphBuilder();
    g.node('pretrained-load', {}, { id: 'x' });
    g.node('pretrained-load', {}, { id: 'x' });
    const doc = g.build();
    doc.edges.push({ id: 'e', source: 'x', sourcePort: 'model', target: 'x', targetPort: 'model' });
    doc.edges.push({ id: 'e', source: 'x', sourcePort: 'model', target: 'x', targetPort: 'model' });
    const issues = validateGraph(doc);
    expect(issues.filter((i) => i.kind === 'duplicate-id').map((i) => i.message)).toEqual([
      'node id "x" is used by more than one node',
      'edge id "e" is used by more than one edge',
    ]);
  });

  it('reports a dangling edge naming the missing node', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const doc = g.build();
    doc.edges.push({ id: 'e1', source: m, sourcePort: 'model', target: 'ghost', targetPort: 'model' });
    expect(validateGraph(doc)).toContainEqual(expect.objectContaining({ kind: 'dangling-edge', nodeId: m, edgeId: 'e1' }));
  });

  it('reports a node saved by a newer Tunegraph than this catalog', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const doc = g.build();
    doc.nodes[0].typeVersion = 99;
    const issues = validateGraph(doc);
    expect(issues).toEqual([expect.objectContaining({ kind: 'unknown-type', nodeId: m })]);
    expect(issues[0].message).toContain('version 99');
  });

  it('reports a param the type does not have instead of silently dropping it', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const l = g.node('lora', { rnak: 4 });
    g.connect(m, 'model', l, 'model');
    const issues = validateGraph(g.build());
    expect(issues).toEqual([expect.objectContaining({ kind: 'bad-param', nodeId: l, param: 'rnak' })]);
    expect(issues[0].message).toContain('rank');
  });

  it('reports an upload node with no file, whether fileId is omitted or written empty', () => {
    for (const params of [{}, { fileId: '' }]) {
      const g = graphBuilder();
      const u = g.node('dataset-upload', params);
      expect(validateGraph(g.build())).toEqual([expect.objectContaining({ kind: 'bad-param', nodeId: u, param: 'fileId' })]);
    }
    const g = graphBuilder();
    g.node('corpus-upload', { fileId: 'f_abcd1234' });
    expect(validateGraph(g.build())).toEqual([]);
  });

  it('reports the same output wired twice into a multiple input', () => {
    const g = graphBuilder();
    const m = g.node('pretrained-load');
    const d = g.node('dataset-bundled');
    const e = g.node('eval', { split: 'train' });
    const c = g.node('compare');
    const h = g.node('head', { numLabels: 2 });
    g.connect(m, 'model', h, 'model');
    g.connect(h, 'model', e, 'model');
    g.connect(d, 'dataset', e, 'dataset');
    g.connect(e, 'metrics', c, 'metrics');
    const doc = g.build();
    doc.edges.push({ ...doc.edges[3], id: 'again' });
    expect(validateGraph(doc)).toEqual([expect.objectContaining({ kind: 'duplicate-edge', nodeId: c, edgeId: 'again', port: 'metrics' })]);
  });

  it('keeps going after the first problem', () => {
    const g = graphBuilder();
    g.node('no-such-stage');
    g.node('lora', { rank: -1 });
    expect(new Set(kinds(g.build()))).toEqual(new Set(['unknown-type', 'bad-param', 'missing-input']));
  });
});

describe('isConnectionLegal', () => {
  const g = graphBuilder();
  const m = g.node('pretrained-load');
  const d = g.node('dataset-bundled');
  const l = g.node('lora');
  const f = g.node('freeze');
  g.connect(m, 'model', l, 'model');
  g.connect(l, 'model', f, 'model');
  const doc = g.build();

  it('refuses a Dataset into a Model input with the reason', () => {
    expect(isConnectionLegal(doc, { source: d, sourcePort: 'dataset', target: f, targetPort: 'model' })).toEqual({
      ok: false,
      reason: 'Dataset cannot connect to Model: input "model" takes Model',
    });
  });
  it('refuses an input already taken, a self-loop and a cycle', () => {
    expect(isConnectionLegal(doc, { source: m, sourcePort: 'model', target: f, targetPort: 'model' }).ok).toBe(false);
    expect(isConnectionLegal(doc, { source: l, sourcePort: 'model', target: l, targetPort: 'model' }).ok).toBe(false);
    const loose = { ...doc, edges: doc.edges.slice(0, 1) };
    expect(isConnectionLegal({ ...loose, edges: [...loose.edges, { id: 'x', source: l, sourcePort: 'model', target: f, targetPort: 'model' }] }, { source: f, sourcePort: 'model', target: l, targetPort: 'model' })).toMatchObject({ ok: false });
  });
  it('refuses unknown ports and a second copy of an edge into a multiple input', () => {
    expect(isConnectionLegal(doc, { source: m, sourcePort: 'weights', target: f, targetPort: 'model' })).toMatchObject({ ok: false, reason: expect.stringContaining('weights') });
    expect(isConnectionLegal(doc, { source: m, sourcePort: 'model', target: d, targetPort: 'model' })).toMatchObject({ ok: false, reason: expect.stringContaining('model') });
    const g2 = graphBuilder();
    const e = g2.node('eval');
    const c = g2.node('compare');
    const e2 = g2.node('eval');
    g2.connect(e, 'metrics', c, 'metrics');
    const d2 = g2.build();
    expect(isConnectionLegal(d2, { source: e, sourcePort: 'metrics', target: c, targetPort: 'metrics' })).toEqual({ ok: false, reason: 'those ports are already connected' });
    expect(isConnectionLegal(d2, { source: e2, sourcePort: 'metrics', target: c, targetPort: 'metrics' })).toEqual({ ok: true });
  });
  it('allows a legal edge', () => {
    const g2 = graphBuilder();
    const a = g2.node('pretrained-load');
    const b = g2.node('lora');
    expect(isConnectionLegal(g2.build(), { source: a, sourcePort: 'model', target: b, targetPort: 'model' })).toEqual({ ok: true });
  });
});
