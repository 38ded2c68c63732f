'use client';
// The list of everything the compiler objects to; a click selects the node at fault.
import { useState } from 'react';
import type { CompileIssue } from '../../runtime/compile/issues';

export function IssuesPanel({ issues, onPick }: { issues: CompileIssue[]; onPick: (nodeId: string) => void }) {
  const [open, setOpen] = useState(true);
  return (
    <div className="absolute bottom-3 left-14 z-10 w-96 overflow-hidden rounded-lg border border-neutral-200 bg-white/95 text-xs shadow-md backdrop-blur">
      <button onClick={() => setOpen((o) => !o)} className="flex w-full items-center justify-between px-3 py-2 font-medium">
        <span className={issues.length ? 'text-red-700' : 'text-emerald-700'}>
          {issues.length ? 'Problems' : 'Graph is valid'} <span data-testid="issues-count" className="ml-1 rounded-full bg-neutral-100 px-1.5 text-neutral-700">{issues.length}</span>
        </span>
        <span className="text-neutral-400">{open ? '▾' : '▸'}</span>
      </button>
      {open && issues.length > 0 && (
        <ul data-testid="issues-list" className="max-h-48 overflow-y-auto border-t border-neutral-100">
          {issues.map((i, n) => (
            <li key={n}>
              <button disabled={!i.nodeId} onClick={() => i.nodeId && onPick(i.nodeId)} className="w-full px-3 py-1.5 text-left hover:bg-neutral-50">
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
