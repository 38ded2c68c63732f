'use client';
// Follows one run live: joins its socket.io room, replays what was missed (by seq), and rejoins
// after a reconnect — so a reload or a dropped connection never loses an event (run-follower.ts
// keeps live events from overtaking the replay).
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { NumberedRunEvent } from '../../runtime/exec/events';
import { RunFollower } from './run-follower';
import { applyRunEvents, emptyRunView, type RunView } from './run-state';

let shared: Socket | null = null;
function socket(): Socket {
  shared ??= io({ path: '/socket.io', transports: ['websocket', 'polling'] });
  return shared;
}

export function useRun(runId: string | null): RunView {
  const [view, setView] = useState<RunView>(emptyRunView);
  const lastSeq = useRef(0);
  useEffect(() => {
    setView(emptyRunView());
    lastSeq.current = 0;
    if (!runId) return;
    const s = socket();
    const follower = new RunFollower((events) =>
      setView((v) => {
        const next = applyRunEvents(v, events);
        lastSeq.current = next.lastSeq;
        return next;
      }),
    );
    // The server replays a page at a time; `more` asks for the next page from the last seq received.
    const join = (afterSeq: number = lastSeq.current) => {
      follower.joinSent();
      s.emit('join', { runId, afterSeq }, (reply: { ok: boolean; events?: NumberedRunEvent[]; more?: boolean }) => {
        const events = reply.ok ? (reply.events ?? []) : [];
        const more = !!reply.more && events.length > 0;
        follower.replay(events, more);
        if (more) join(events[events.length - 1].seq);
      });
    };
    const onEvent = (e: NumberedRunEvent) => e.runId === runId && follower.live(e);
    s.on('run-event', onEvent);
    const onConnect = () => join();
    s.on('connect', onConnect);
    if (s.connected) join();
    return () => {
      s.off('run-event', onEvent);
      s.off('connect', onConnect);
      s.emit('leave', runId);
    };
  }, [runId]);
  return view;
}
