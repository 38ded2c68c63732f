'use client';
// The list of everything the compiler objects to; a click selects the node at fault. It sits in a
// strip above the canvas (not over it), so it never hides a node.
import { useState } from 'react';
import type { CompileIssue } from '../../runtime/compile/issues';

export function IssuesPanel({ issues, onPick }: { issues: CompileIssue[]; onPick: (nodeId: string) => void }) {
  const [open, setOpen] = useState(true);
  return (
    <div className="shrink-0 border-b border-neutral-200 bg-white text-xs" data-testid="issues-bar">
      <button onClick={() => setOpen((o) => !o)} className="flex w-full items-center gap-2 px-3 py-1.5 text-left font-medium">
        <span className={issues.length ? 'text-red-700' : 'text-emerald-700'}>
          {issues.length ? (issues.length === 1 ? '1 problem to fix before running' : `${issues.length} problems to fix before running`) : 'Graph is valid'}
        </span>
        <span data-testid="issues-count" className="rounded-full bg-neutral-100 px-1.5 text-neutral-700">{issues.length}</span>
        {issues.length > 0 && <span className="ml-auto text-neutral-400">{open ? 'hide ▴' : 'show ▾'}</span>}
      </button>
      {open && issues.length > 0 && (
        <ul data-testid="issues-list" className="max-h-28 overflow-y-auto border-t border-neutral-100">
          {issues.map((i, n) => (
            <li key={n}>
              <button disabled={!i.nodeId} onClick={() => i.nodeId && onPick(i.nodeId)} className="w-full px-3 py-1 text-left hover:bg-neutral-50">
                {i.nodeId && <span className="mr-1.5 font-mono text-neutral-500">{i.nodeId}</span>}
                {i.port && <span className="mr-1.5 text-neutral-400">[{i.port}]</span>}
                <span className="text-neutral-800">{i.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
