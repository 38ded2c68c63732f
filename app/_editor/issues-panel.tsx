'use client';
// Everything the compiler objects to, in a one-line strip above the canvas: fixed height, so it never
// covers a node nor moves the canvas as problems come and go. The full list opens on demand; a click
// selects the node at fault.
import { useState } from 'react';
import type { CompileIssue } from '../../runtime/compile/issues';

function IssueLine({ issue }: { issue: CompileIssue }) {
  return (
    <>
      {issue.nodeId && <span className="mr-1.5 font-mono text-neutral-500">{issue.nodeId}</span>}
      {issue.port && <span className="mr-1.5 text-neutral-400">[{issue.port}]</span>}
      <span className="text-neutral-800">{issue.message}</span>
    </>
  );
}

export function IssuesPanel({ issues, onPick }: { issues: CompileIssue[]; onPick: (nodeId: string) => void }) {
  const [open, setOpen] = useState(false);
  const first = issues[0];
  return (
    <div className="relative z-20 flex h-8 shrink-0 items-center gap-2 border-b border-neutral-200 bg-white px-3 text-xs" data-testid="issues-bar">
      <span className={`shrink-0 font-medium ${issues.length ? 'text-red-700' : 'text-emerald-700'}`}>
        {issues.length ? (issues.length === 1 ? '1 problem to fix before running' : `${issues.length} problems to fix before running`) : 'Graph is valid'}
      </span>
      <span data-testid="issues-count" className="shrink-0 rounded-full bg-neutral-100 px-1.5 text-neutral-700">{issues.length}</span>
      {first && (
        <button className="min-w-0 truncate text-left hover:underline" onClick={() => first.nodeId && onPick(first.nodeId)} title={first.message}>
          <IssueLine issue={first} />
        </button>
      )}
      {issues.length > 1 && (
        <button data-testid="issues-toggle" onClick={() => setOpen((o) => !o)} className="ml-auto shrink-0 text-neutral-500 hover:text-neutral-900">
          {open ? 'hide list ▴' : `all ${issues.length} ▾`}
        </button>
      )}
      {open && issues.length > 1 && (
        <ul data-testid="issues-list" className="absolute left-0 right-0 top-8 max-h-56 overflow-y-auto border-b border-neutral-200 bg-white shadow-md">
          {issues.map((i, n) => (
            <li key={n}>
              <button
                disabled={!i.nodeId}
                onClick={() => {
                  if (i.nodeId) onPick(i.nodeId);
                  setOpen(false);
                }}
                className="w-full px-3 py-1 text-left hover:bg-neutral-50"
              >
                <IssueLine issue={i} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
