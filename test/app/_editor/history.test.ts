// Undo/redo history of the editor: one gesture is one step; keystrokes in one field coalesce.
import { describe, expect, it } from 'vitest';
import { emptyGraph, type GraphDocument } from '../../../graph-nodes';
import { addNode, moveNodes, setParam } from '../../../app/_editor/graph-ops';
import { commit, commitFrom, initHistory, redo, replace, undo } from '../../../app/_editor/history';

const base = (): GraphDocument => addNode(emptyGraph(), 'lora', { x: 0, y: 0 }).doc;

describe('history', () => {
  it('undoes and redoes plain commits one at a time, and a new commit clears redo', () => {
    let h = initHistory(base());
    const a = h.present;
    const b = addNode(a, 'head', { x: 300, y: 0 }).doc;
    const c = addNode(b, 'eval', { x: 600, y: 0 }).doc;
    h = commit(h, b);
    h = commit(h, c);
    h = undo(h);
    expect(h.present).toBe(b);
    h = undo(h);
    expect(h.present).toBe(a);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(b);
    h = commit(h, setParam(b, 'lora-1', 'rank', 4));
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
  });

  it('coalesces quick edits with the same key into one step, but not different keys or slow edits', () => {
    const a = base();
    let h = initHistory(a);
    // Typing "1", "16" into rank is one step back to the original value.
    h = commit(h, setParam(h.present, 'lora-1', 'rank', 1), 'param:lora-1:rank', 1000);
    h = commit(h, setParam(h.present, 'lora-1', 'rank', 16), 'param:lora-1:rank', 1200);
    expect(h.past).toHaveLength(1);
    expect(undo(h).present).toBe(a);
    // Another field is its own step.
    h = commit(h, setParam(h.present, 'lora-1', 'alpha', 32), 'param:lora-1:alpha', 1300);
    expect(h.past).toHaveLength(2);
    // The same field much later is a new step.
    h = commit(h, setParam(h.present, 'lora-1', 'alpha', 64), 'param:lora-1:alpha', 60_000);
    expect(h.past).toHaveLength(3);
    expect(undo(h).present.nodes[0].params.alpha).toBe(32);
  });

  it('does not coalesce across an undo', () => {
    let h = initHistory(base());
    h = commit(h, setParam(h.present, 'lora-1', 'rank', 2), 'param:lora-1:rank', 0);
    h = undo(h);
    h = commit(h, setParam(h.present, 'lora-1', 'rank', 3), 'param:lora-1:rank', 10);
    expect(h.past).toHaveLength(1);
    expect(undo(h).present.nodes[0].params.rank).toBe(base().nodes[0].params.rank);
  });

  it('makes a whole drag one step, however many moves it had', () => {
    const a = base();
    let h = initHistory(a);
    const dragBase = h.present;
    for (let x = 1; x <= 20; x++) h = replace(h, moveNodes(h.present, new Map([['lora-1', { x: x * 10, y: 0 }]])));
    expect(h.past).toHaveLength(0);
    h = commitFrom(h, dragBase);
    expect(h.past).toHaveLength(1);
    expect(h.present.nodes[0].position).toEqual({ x: 200, y: 0 });
    h = undo(h);
    expect(h.present).toBe(a);
    expect(redo(h).present.nodes[0].position).toEqual({ x: 200, y: 0 });
  });

  it('adds no step for a drag that moved nothing or a commit of the same document', () => {
    let h = initHistory(base());
    expect(commitFrom(h, h.present)).toBe(h);
    expect(commit(h, h.present)).toBe(h);
    h = commit(h, setParam(h.present, 'lora-1', 'rank', 2));
    expect(h.past).toHaveLength(1);
  });
});
