// Folding run events into what the editor shows: failure reasons in the header, the logs and on nodes; badges that follow cache keys.
import { describe, expect, it } from 'vitest';
import { applyRunEvents, emptyRunView, nodesMatchingRun, runFailureReason } from '../../../app/_lib/run-state';
import type { NumberedRunEvent, RunEvent } from '../../../runtime/exec/events';

let seq = 0;
const ev = (e: RunEvent): NumberedRunEvent => ({ ...e, runId: 'r_1', seq: ++seq, at: new Date(0).toISOString() }) as NumberedRunEvent;

describe('run-state', () => {
  it('a failed stage puts its reason on the node, in the logs and in the run header', () => {
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'run-status', status: 'running' }),
      ev({ type: 'node-status', nodeId: 'ft', status: 'running', cacheKey: 'k1' }),
      ev({ type: 'node-status', nodeId: 'ft', status: 'failed', error: 'loss became NaN at step 3', cacheKey: 'k1' }),
      ev({ type: 'node-status', nodeId: 'eval', status: 'skipped', error: 'upstream node "ft" failed', cacheKey: 'k2' }),
      ev({ type: 'run-status', status: 'failed' }),
    ]);
    expect(view.nodes.ft).toMatchObject({ status: 'failed', error: 'loss became NaN at step 3', cacheKey: 'k1' });
    expect(view.nodes.eval.error).toBe('upstream node "ft" failed');
    expect(view.logs.map((l) => [l.level, l.nodeId, l.message])).toEqual([
      ['error', 'ft', 'failed: loss became NaN at step 3'],
      ['warn', 'eval', 'skipped: upstream node "ft" failed'],
    ]);
    expect(runFailureReason(view)).toBe('node "ft" failed: loss became NaN at step 3');
  });

  it('the run’s own error wins over a node’s, and a run that did not fail has no reason', () => {
    const failed = applyRunEvents(emptyRunView(), [ev({ type: 'run-status', status: 'failed', error: 'worker process exited unexpectedly (signal SIGKILL)' })]);
    expect(runFailureReason(failed)).toBe('worker process exited unexpectedly (signal SIGKILL)');
    const done = applyRunEvents(emptyRunView(), [ev({ type: 'run-status', status: 'done' })]);
    expect(runFailureReason(done)).toBeUndefined();
  });

  it('replayed events are ignored, so a reload does not double the log', () => {
    const events = [ev({ type: 'node-status', nodeId: 'a', status: 'failed', error: 'boom' })];
    const once = applyRunEvents(emptyRunView(), events);
    expect(applyRunEvents(once, events)).toBe(once);
  });

  it('badges follow cache keys: an edited node no longer shows the run’s state, the others keep it', () => {
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'node-status', nodeId: 'head', status: 'done', cacheKey: 'h1' }),
      ev({ type: 'node-status', nodeId: 'ft', status: 'done', cacheKey: 'f1' }),
    ]);
    expect(Object.keys(nodesMatchingRun(view, undefined))).toEqual(['head', 'ft']);
    expect(Object.keys(nodesMatchingRun(view, { head: 'h1', ft: 'f1' }))).toEqual(['head', 'ft']);
    expect(Object.keys(nodesMatchingRun(view, { head: 'h1', ft: 'f2' }))).toEqual(['head']);
  });
});
