'use client';
// The graph difference between two compared runs' documents, drawn in the version diff's colours
// on the canvas and listed (nodes added/removed/changed with each param old → new, edges).
import Link from 'next/link';
import { useMemo } from 'react';
import type { GraphDocument } from '../../graph-nodes';
import { diffGraphs } from '../../runtime/compile/graph-diff';
import { diffDrawing, DIFF_COLOR, showValue } from './diff-view';
import { GraphView } from './graph-view';

export function RunGraphDiff({ graphId, before, after, fromVersion, toVersion }: { graphId: string; before: GraphDocument; after: GraphDocument; fromVersion: number | null; toVersion: number | null }) {
  const diff = useMemo(() => diffGraphs(before, after), [before, after]);
  const drawing = useMemo(() => diffDrawing(after, diff), [after, diff]);
  const changed = diff.nodesModified.filter((m) => !m.movedOnly);
  return (
    <div className="flex min-h-[360px] gap-3">
      <div className="h-[360px] min-w-0 flex-1 rounded-md border border-neutral-200 bg-white">
        <GraphView testId="compare-diff-canvas" document={drawing.document} nodeStyle={drawing.nodeStyle} edgeStyle={drawing.edgeStyle} extraEdges={drawing.extraEdges} />
      </div>
      <div data-testid="compare-diff-list" className="w-80 shrink-0 overflow-y-auto text-xs">
        {diff.same && <p data-testid="compare-diff-same" className="text-neutral-500">The two graphs run the same{diff.nodesModified.length ? ' (only positions moved)' : ''}.</p>}
        {diff.nodesAdded.map((n) => <p key={`a${n.id}`} style={{ color: DIFF_COLOR.added }}>+ node {n.label || n.type} <code>{n.id}</code></p>)}
        {diff.nodesRemoved.map((n) => <p key={`r${n.id}`} style={{ color: DIFF_COLOR.removed }}>− node {n.label || n.type} <code>{n.id}</code></p>)}
        {changed.map((m) => (
          <div key={`m${m.nodeId}`} data-testid="compare-diff-node" className="mb-1">
            <p style={{ color: DIFF_COLOR.modified }}>~ node {m.label || m.type} <code>{m.nodeId}</code></p>
            <ul className="ml-4 list-disc">
              {m.changes.map((c) => <li key={c.field}><code>{c.param ?? c.field}</code>: {showValue(c.before)} → {showValue(c.after)}</li>)}
            </ul>
          </div>
        ))}
        {diff.edgesAdded.map((e) => <p key={`ea${e.id}`} style={{ color: DIFF_COLOR.added }}>+ edge {e.source}.{e.sourcePort} → {e.target}.{e.targetPort}</p>)}
        {diff.edgesRemoved.map((e) => <p key={`er${e.id}`} style={{ color: DIFF_COLOR.removed }}>− edge {e.source}.{e.sourcePort} → {e.target}.{e.targetPort}</p>)}
        {fromVersion && toVersion && fromVersion !== toVersion && (
          <Link data-testid="open-version-diff" href={`/graphs/${graphId}/diff?from=${fromVersion}&to=${toVersion}`} className="mt-3 inline-block text-accent hover:underline">
            Open the version diff v{fromVersion} → v{toVersion}
          </Link>
        )}
      </div>
    </div>
  );
}
