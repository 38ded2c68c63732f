// Undo/redo over whole graph documents. One user gesture (a drag, a paste, a param edit) is one step:
// drags commit once at drag end, and edits with the same coalesce key within a short time merge.
import type { GraphDocument } from '../../graph-nodes';

export interface History {
  past: GraphDocument[];
  present: GraphDocument;
  future: GraphDocument[];
  /** Coalesce key and time of the last commit, so typing in one field stays one step. */
  lastKey?: string;
  lastAt?: number;
}

const LIMIT = 200;
const COALESCE_MS = 1500;

export function initHistory(doc: GraphDocument): History {
  return { past: [], present: doc, future: [] };
}

/** Records `next` as a new step (merged into the previous one when `key` repeats quickly). */
export function commit(h: History, next: GraphDocument, key?: string, now = Date.now()): History {
  if (next === h.present) return h;
  const merge = key !== undefined && key === h.lastKey && h.lastAt !== undefined && now - h.lastAt < COALESCE_MS;
  return {
    past: merge ? h.past : [...h.past, h.present].slice(-LIMIT),
    present: next,
    future: [],
    lastKey: key,
    lastAt: now,
  };
}

/** Changes the present without an undo step (used while a drag is in flight). */
export function replace(h: History, next: GraphDocument): History {
  return { ...h, present: next };
}

/** Ends a gesture that began at `base`: one undo step back to `base`. */
export function commitFrom(h: History, base: GraphDocument): History {
  if (base === h.present) return h;
  return { past: [...h.past, base].slice(-LIMIT), present: h.present, future: [], lastKey: undefined };
}

export function undo(h: History): History {
  if (h.past.length === 0) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future], lastKey: undefined };
}

export function redo(h: History): History {
  if (h.future.length === 0) return h;
  return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1), lastKey: undefined };
}
