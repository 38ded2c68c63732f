'use client';
// Follows one run live: joins its socket.io room, replays what was missed (by seq), and rejoins
// after a reconnect — so a reload or a dropped connection never loses an event.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { NumberedRunEvent } from '../../runtime/exec/events';
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
    const apply = (events: NumberedRunEvent[]) =>
      setView((v) => {
        const next = applyRunEvents(v, events);
        lastSeq.current = next.lastSeq;
        return next;
      });
    const join = () =>
      s.emit('join', { runId, afterSeq: lastSeq.current }, (reply: { ok: boolean; events?: NumberedRunEvent[] }) => {
        if (reply.ok && reply.events) apply(reply.events);
      });
    const onEvent = (e: NumberedRunEvent) => e.runId === runId && apply([e]);
    s.on('run-event', onEvent);
    s.on('connect', join);
    if (s.connected) join();
    return () => {
      s.off('run-event', onEvent);
      s.off('connect', join);
      s.emit('leave', runId);
    };
  }, [runId]);
  return view;
}
