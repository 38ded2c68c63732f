// A live event that overtakes the join's replay must not hide the older events it overtook.
import { describe, expect, it } from 'vitest';
import { RunFollower } from '../../../app/_lib/run-follower';
import { applyRunEvents, emptyRunView, type RunView } from '../../../app/_lib/run-state';
import type { NumberedRunEvent, RunEvent } from '../../../runtime/exec/events';

const ev = (seq: number, e: RunEvent): NumberedRunEvent => ({ ...e, runId: 'r_1', seq, at: new Date(0).toISOString() }) as NumberedRunEvent;
const history = [
  ev(1, { type: 'run-status', status: 'running' }),
  ev(2, { type: 'node-status', nodeId: 'emails', status: 'done' }),
  ev(3, { type: 'node-status', nodeId: 'split', status: 'done' }),
  ev(4, { type: 'node-status', nodeId: 'ft', status: 'running' }),
  ev(5, { type: 'node-status', nodeId: 'ft', status: 'done' }),
];

function watcher() {
  let view: RunView = emptyRunView();
  const follower = new RunFollower((events) => (view = applyRunEvents(view, events)));
  return { follower, view: () => view };
}

describe('RunFollower', () => {
  it('holds a live event that arrives before the replay, so the early statuses are kept', () => {
    const w = watcher();
    w.follower.joinSent();
    w.follower.live(history[4]); // pushed to the room between the server's join and its backlog read
    w.follower.replay(history.slice(0, 4), false);
    expect(Object.fromEntries(Object.entries(w.view().nodes).map(([id, n]) => [id, n.status]))).toEqual({ emails: 'done', split: 'done', ft: 'done' });
    expect(w.view().lastSeq).toBe(5);
  });

  it('without it, folding in arrival order loses them (the bug this guards against)', () => {
    const view = applyRunEvents(applyRunEvents(emptyRunView(), [history[4]]), history.slice(0, 4));
    expect(view.nodes.emails).toBeUndefined();
  });

  it('keeps holding across replay pages and releases after the last one; a refusal releases too', () => {
    const w = watcher();
    w.follower.joinSent();
    w.follower.live(history[4]);
    w.follower.replay(history.slice(0, 2), true);
    expect(w.view().lastSeq).toBe(2);
    w.follower.joinSent();
    w.follower.replay(history.slice(2, 4), false);
    expect(w.view().nodes.ft.status).toBe('done');

    const refused = watcher();
    refused.follower.joinSent();
    refused.follower.live(history[0]);
    refused.follower.replay([], false);
    expect(refused.view().status).toBe('running');
  });

  it('passes live events straight through once joined; a replayed duplicate changes nothing', () => {
    const w = watcher();
    w.follower.joinSent();
    w.follower.replay(history.slice(0, 3), false);
    w.follower.live(history[2]);
    w.follower.live(history[3]);
    expect(w.view().nodes.ft.status).toBe('running');
    expect(w.view().lastSeq).toBe(4);
  });
});
