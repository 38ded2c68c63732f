'use client';
// The run panel's team actions: "Rerun with changes…" for the run on screen, and the run list —
// every run of the graph with its parent ("rerun of #…") and sweep, a rerun button per run, and
// checkboxes to compare runs side by side.
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { StatusChip } from '../_editor/run-panel';
import { shortRunId } from './compare-data';
import { RerunDialog } from './rerun-dialog';

export interface RunListRow {
  id: string;
  status: string;
  graphVersion: number | null;
  createdAt: Date;
  parentRunId: string | null;
  sweepId: string | null;
}

/** The URL of the compare page for some runs of a graph. */
export const compareUrl = (graphId: string, runIds: readonly string[]) => `/graphs/${graphId}/compare?runs=${runIds.map(encodeURIComponent).join(',')}`;

export function RunActions({
  graphId,
  runId,
  runs,
  canRun,
  onPickRun,
  onRerunStarted,
}: {
  graphId: string;
  /** The run on screen. */
  runId: string;
  runs: readonly RunListRow[];
  /** The caller may start runs (editor, admin, owner). */
  canRun: boolean;
  onPickRun: (runId: string) => void;
  onRerunStarted: (started: { runId: string; version: number; message: string }) => void;
}) {
  const [rerunOf, setRerunOf] = useState<string | null>(null);
  const [listOpen, setListOpen] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!listOpen) return;
    const close = (e: MouseEvent) => box.current && !box.current.contains(e.target as Node) && setListOpen(false);
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [listOpen]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  // Oldest first in the comparison, so "before → after" reads left to right.
  const compareIds = runs.filter((r) => picked.includes(r.id)).map((r) => r.id).reverse();
  return (
    <>
      <button
        data-testid="rerun-with-changes"
        onClick={() => setRerunOf(runId)}
        disabled={!canRun}
        title={canRun ? 'Change params of this run and run it again (unchanged stages come from the cache)' : 'Viewers cannot run'}
        className="h-7 whitespace-nowrap rounded border border-neutral-300 bg-white px-2 hover:bg-neutral-50 disabled:opacity-40"
      >
        Rerun with changes…
      </button>
      <div ref={box} className="relative">
        <button data-testid="open-run-list" onClick={() => setListOpen((o) => !o)} title="Every run of this graph: compare, rerun, parents" className="h-7 whitespace-nowrap rounded border border-neutral-300 bg-white px-2 hover:bg-neutral-50">
          Runs ({runs.length}) ▾
        </button>
        {listOpen && (
          <div data-testid="run-list" className="absolute bottom-full right-0 z-30 mb-1 flex max-h-[60vh] w-[560px] flex-col rounded-md border border-neutral-200 bg-white text-xs shadow-xl">
            <div className="min-h-0 flex-1 overflow-y-auto">
              <table className="w-full">
                <tbody>
                  {runs.map((r) => (
                    <tr key={r.id} data-testid="run-list-row" data-run-id={r.id} className={`border-b border-neutral-100 ${r.id === runId ? 'bg-accent-soft' : ''}`}>
                      <td className="w-6 py-1 pl-2">
                        <input type="checkbox" data-testid={`run-select-${r.id}`} checked={picked.includes(r.id)} onChange={() => toggle(r.id)} aria-label={`compare run ${r.id}`} />
                      </td>
                      <td className="py-1"><StatusChip status={r.status} /></td>
                      <td className="py-1">
                        <button onClick={() => onPickRun(r.id)} className="font-mono text-accent hover:underline" title={`show run ${r.id}`}>{shortRunId(r.id)}</button>
                      </td>
                      <td className="whitespace-nowrap py-1 text-neutral-500">{new Date(r.createdAt).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })}</td>
                      <td className="py-1 text-neutral-500">{r.graphVersion ? `v${r.graphVersion}` : 'unsaved'}</td>
                      <td className="py-1">
                        {r.parentRunId && (
                          <button data-testid={`run-parent-${r.id}`} onClick={() => onPickRun(r.parentRunId!)} className="text-neutral-600 hover:underline" title="show the run this one reran">
                            rerun of {shortRunId(r.parentRunId)}
                          </button>
                        )}
                        {r.sweepId && (
                          <Link href={`/graphs/${graphId}/compare?sweep=${encodeURIComponent(r.sweepId)}`} className="ml-1 rounded bg-amber-50 px-1 text-amber-800 hover:underline">sweep</Link>
                        )}
                      </td>
                      <td className="py-1 pr-2 text-right">
                        <button data-testid={`run-rerun-${r.id}`} disabled={!canRun} onClick={() => setRerunOf(r.id)} title="Rerun with changes…" className="whitespace-nowrap rounded px-1.5 py-0.5 text-neutral-600 hover:bg-neutral-100 disabled:opacity-40">Rerun…</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="flex items-center gap-2 border-t border-neutral-200 px-2 py-1.5">
              <span className="text-neutral-500">{picked.length === 0 ? 'Tick two or more runs to compare them.' : `${picked.length} picked`}</span>
              {picked.length > 0 && <button onClick={() => setPicked([])} className="text-neutral-500 hover:underline">clear</button>}
              {compareIds.length >= 2 ? (
                <Link data-testid="compare-selected" href={compareUrl(graphId, compareIds)} className="ml-auto rounded-md bg-accent px-2.5 py-1 font-medium text-white hover:opacity-90">
                  Compare {compareIds.length} runs
                </Link>
              ) : (
                <span data-testid="compare-selected-disabled" className="ml-auto rounded-md bg-neutral-200 px-2.5 py-1 font-medium text-neutral-500">Compare</span>
              )}
            </div>
          </div>
        )}
      </div>
      {rerunOf && (
        <RerunDialog
          runId={rerunOf}
          canRun={canRun}
          onClose={() => setRerunOf(null)}
          onStarted={(s) => {
            setRerunOf(null);
            setListOpen(false);
            onRerunStarted(s);
          }}
        />
      )}
    </>
  );
}
