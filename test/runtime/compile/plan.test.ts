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

  it('compileGraph returns issues and no plan for a broken graph', () => {
    const { doc } = pipelineGraph();
    doc.edges.pop();
    const compiled = compileGraph(doc);
    expect(compiled.issues.length).toBeGreaterThan(0);
    expect(compiled.order).toEqual([]);
  });
});
