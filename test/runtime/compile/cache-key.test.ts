import { describe, expect, it } from 'vitest';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { descendantsOf } from '../../../runtime/compile/plan';
import { graphBuilder, pipelineGraph } from '../../helpers/graph-builder';

describe('cacheKeysFor', () => {
  it('does not depend on the order of keys in params', () => {
    const a = pipelineGraph('n', { learningRate: 1e-4, epochs: 2 });
    const b = pipelineGraph('n', { epochs: 2, learningRate: 1e-4 });
    expect(cacheKeysFor(a.doc)).toEqual(cacheKeysFor(b.doc));
  });

  it('treats an omitted default like the default written out', () => {
    const a = pipelineGraph('n', {});
    const b = pipelineGraph('n', { learningRate: 'auto', epochs: 'auto', warmupRatio: 'auto' });
    expect(cacheKeysFor(a.doc)).toEqual(cacheKeysFor(b.doc));
  });

  it('changing fine-tune learningRate changes fine-tune and everything below, nothing above', () => {
    const before = pipelineGraph('n', { learningRate: 5e-5 });
    const after = pipelineGraph('n', { learningRate: 1e-4 });
    const k1 = cacheKeysFor(before.doc);
    const k2 = cacheKeysFor(after.doc);
    const below = descendantsOf(before.doc, before.ids.ft);
    expect([...below]).toEqual([before.ids.ev]);
    for (const id of Object.keys(k1)) {
      const shouldChange = id === before.ids.ft || below.has(id);
      expect(k1[id] !== k2[id], `node ${id}`).toBe(shouldChange);
    }
  });

  it('changing the DAPT seed changes DAPT and every node below it', () => {
    const a = pipelineGraph();
    const b = pipelineGraph();
    b.doc.nodes.find((n) => n.id === b.ids.dapt)!.params.seed = 7;
    const k1 = cacheKeysFor(a.doc);
    const k2 = cacheKeysFor(b.doc);
    const changed = Object.keys(k1).filter((id) => k1[id] !== k2[id]).sort();
    expect(changed).toEqual([a.ids.dapt, ...descendantsOf(a.doc, a.ids.dapt)].sort());
  });

  it('gives an identical stage in another graph (other ids, positions, labels) the same key', () => {
    const a = pipelineGraph('a');
    const b = pipelineGraph('zz');
    b.doc.nodes.forEach((n, i) => {
      n.position = { x: i * 13, y: -i };
      n.label = `step ${i}`;
    });
    b.doc.nodes.reverse();
    const ka = cacheKeysFor(a.doc);
    const kb = cacheKeysFor(b.doc);
    expect(kb[b.ids.ft]).toBe(ka[a.ids.ft]);
    expect(new Set(Object.values(kb))).toEqual(new Set(Object.values(ka)));
  });

  it('does not depend on the order of edges into a multiple input, but on which outputs they are', () => {
    const build = (lrs: number[], reverse: boolean) => {
      const g = graphBuilder(reverse ? 'r' : 'f');
      const c = g.node('compare');
      const evals = lrs.map((lr) => {
        const m = g.node('pretrained-load');
        const d = g.node('dataset-bundled');
        const ft = g.node('fine-tune', { learningRate: lr });
        const e = g.node('eval');
        g.connect(m, 'model', ft, 'model');
        g.connect(d, 'dataset', ft, 'dataset');
        g.connect(ft, 'model', e, 'model');
        g.connect(d, 'dataset', e, 'dataset');
        return e;
      });
      for (const e of reverse ? [...evals].reverse() : evals) g.connect(e, 'metrics', c, 'metrics');
      return cacheKeysFor(g.build())[c];
    };
    expect(build([1e-5, 3e-5], true)).toBe(build([1e-5, 3e-5], false));
    expect(build([1e-5, 5e-5], false)).not.toBe(build([1e-5, 3e-5], false));
  });

  it('changes with the stage code version and the data content hash', () => {
    const { doc, ids } = pipelineGraph();
    const base = cacheKeysFor(doc);
    expect(cacheKeysFor(doc, { stageVersions: { 'fine-tune': '2' } })[ids.ft]).not.toBe(base[ids.ft]);
    expect(cacheKeysFor(doc, { stageVersions: { 'fine-tune': '2' } })[ids.dapt]).toBe(base[ids.dapt]);
    const withData = cacheKeysFor(doc, { dataHashes: { [ids.data]: 'abc' } });
    expect(withData[ids.data]).not.toBe(base[ids.data]);
    expect(withData[ids.ev]).not.toBe(base[ids.ev]);
    expect(withData[ids.dapt]).toBe(base[ids.dapt]);
  });
});
