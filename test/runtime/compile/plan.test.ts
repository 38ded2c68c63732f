import { describe, expect, it } from 'vitest';
import { planRun } from '../../../runtime/compile/plan';
import { compileGraph } from '../../../runtime/compile';
import { pipelineGraph } from '../../helpers/graph-builder';

describe('planRun', () => {
  it('orders every node after all of its inputs', () => {
    const { doc } = pipelineGraph();
    const order = planRun(doc);
    expect(order).toHaveLength(doc.nodes.length);
    for (const e of doc.edges) expect(order.indexOf(e.source)).toBeLessThan(order.indexOf(e.target));
  });

  it('plans only what a requested output needs (run to here)', () => {
    const { doc, ids } = pipelineGraph();
    expect(new Set(planRun(doc, [ids.dapt]))).toEqual(new Set([ids.model, ids.corpus, ids.dapt]));
  });

  it('is stable for the same document', () => {
    const { doc } = pipelineGraph();
    expect(planRun(doc)).toEqual(planRun(structuredClone(doc)));
  });

  it('breaks ties by document order', () => {
    const { doc, ids } = pipelineGraph();
    // Sources come first in the order they appear in the document.
    expect(planRun(doc).slice(0, 4)).toEqual([ids.data, ids.split, ids.corpus, ids.model]);
    const swapped = { ...doc, nodes: [...doc.nodes].reverse() };
    expect(planRun(swapped).slice(0, 2)).toEqual([ids.model, ids.corpus]);
  });

  it('compileGraph keys only the planned nodes of a valid graph', () => {
    const { doc, ids } = pipelineGraph();
    const compiled = compileGraph(doc, { targets: [ids.dapt] });
    expect(compiled.issues).toEqual([]);
    expect(compiled.order).toEqual([ids.corpus, ids.model, ids.dapt]);
    expect(Object.keys(compiled.keys).sort()).toEqual([...compiled.order].sort());
    expect(compiled.keys[ids.dapt]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compileGraph returns issues and no plan for a broken graph', () => {
    const { doc } = pipelineGraph();
    doc.edges.pop();
    const compiled = compileGraph(doc);
    expect(compiled.issues.length).toBeGreaterThan(0);
    expect(compiled.order).toEqual([]);
  });
});
