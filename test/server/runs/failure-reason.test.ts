// The reason a failed run shows in its header and in the run list.
import { describe, expect, it } from 'vitest';
import { runFailureReason } from '../../../server/runs/failure-reason';

const doc = {
  nodes: [
    { id: 'ft1', type: 'fine-tune', typeVersion: 1, params: {}, position: { x: 0, y: 0 } },
    { id: 'ev', type: 'eval', typeVersion: 1, params: {}, position: { x: 0, y: 0 }, label: 'Teacher eval' },
  ],
};

describe('runFailureReason', () => {
  it('names the first failed node by its title and id, with its reason', () => {
    expect(runFailureReason(doc, [{ nodeId: 'ft1', error: 'training diverged at step 12' }])).toBe('Fine-tune (ft1) failed: training diverged at step 12');
  });

  it('prefers the node’s own label and counts the other failed nodes', () => {
    expect(runFailureReason(doc, [{ nodeId: 'ev', error: 'the test split is empty' }, { nodeId: 'ft1', error: 'x' }])).toBe('Teacher eval (ev) failed: the test split is empty (and 1 more node failed)');
  });

  it('says so when a node failed without a reason, and nothing when no node failed', () => {
    expect(runFailureReason(doc, [{ nodeId: 'ft1', error: null }])).toBe('Fine-tune (ft1) failed: no reason was given');
    expect(runFailureReason(doc, [])).toBeUndefined();
  });

  it('keeps a very long reason to 1,000 characters', () => {
    const reason = runFailureReason(doc, [{ nodeId: 'ft1', error: 'e'.repeat(5000) }])!;
    expect(reason).toHaveLength(1000);
    expect(reason.endsWith('…')).toBe(true);
  });
});
