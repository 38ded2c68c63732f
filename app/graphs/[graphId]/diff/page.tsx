'use client';
// Compare two versions of a graph: drawn on the canvas in colours and listed (params old → new).
// The URL (/graphs/<id>/diff?from=2&to=5) opens the same view, e.g. from a save conflict.
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, use } from 'react';
import { useTRPC } from '../../../_lib/trpc';
import { diffDrawing, DIFF_COLOR, showValue } from '../../../_teams/diff-view';
import { GraphView } from '../../../_teams/graph-view';

function DiffBody({ graphId }: { graphId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const versions = useQuery(trpc.graphs.versions.queryOptions({ graphId }));
  const latest = versions.data?.[0]?.version ?? 1;
  const to = Number(params.get('to')) || latest;
  const from = Number(params.get('from')) || Math.max(1, to - 1);
  const diff = useQuery({ ...trpc.graphs.diff.queryOptions({ graphId, from, to }), enabled: !!versions.data });
  const restore = useMutation(trpc.graphs.restore.mutationOptions({ onSuccess: () => router.push(`/graphs/${graphId}`) }));
  const go = (f: number, t: number) => router.replace(`/graphs/${graphId}/diff?from=${f}&to=${t}`);
  const picker = (value: number, onChange: (v: number) => void, testId: string) => (
    <select data-testid={testId} value={value} onChange={(e) => onChange(Number(e.target.value))} className="h-8 rounded-md border border-neutral-300 bg-white px-2 text-xs">
      {versions.data?.map((v) => (
        <option key={v.version} value={v.version}>v{v.version}{v.author ? ` by ${v.author}` : ''}{v.message ? ` — ${v.message.slice(0, 30)}` : ''}</option>
      ))}
    </select>
  );
  const d = diff.data?.diff;
  const drawing = diff.data && d ? diffDrawing(diff.data.after, d) : null;
  return (
    <div className="flex min-h-0 flex-1">
      <div className="min-h-0 flex-1">{drawing && <GraphView testId="diff-canvas" document={drawing.document} nodeStyle={drawing.nodeStyle} edgeStyle={drawing.edgeStyle} extraEdges={drawing.extraEdges} />}</div>
      <aside className="w-96 shrink-0 overflow-y-auto border-l border-neutral-200 bg-white p-4 text-sm">
        <Link href={`/graphs/${graphId}`} className="text-accent hover:underline">← {diff.data?.name ?? 'editor'}</Link>
        <div className="mt-3 flex items-center gap-2">
          {picker(from, (v) => go(v, to), 'diff-from')}
          <span>→</span>
          {picker(to, (v) => go(from, v), 'diff-to')}
        </div>
        {diff.error && <p role="alert" className="mt-3 text-red-700">{diff.error.message}</p>}
        {d && (
          <div data-testid="diff-list" className="mt-4 flex flex-col gap-3">
            {d.same && <p data-testid="diff-same" className="text-neutral-500">These versions run the same{d.nodesModified.length ? ' (only positions moved)' : ''}.</p>}
            {d.nodesAdded.map((n) => (
              <p key={`a${n.id}`} data-testid="diff-node-added" style={{ color: DIFF_COLOR.added }}>+ node {n.label || n.type} <code>{n.id}</code></p>
            ))}
            {d.nodesRemoved.map((n) => (
              <p key={`r${n.id}`} data-testid="diff-node-removed" style={{ color: DIFF_COLOR.removed }}>− node {n.label || n.type} <code>{n.id}</code></p>
            ))}
            {d.nodesModified.filter((m) => !m.movedOnly).map((m) => (
              <div key={`m${m.nodeId}`} data-testid="diff-node-modified">
                <p style={{ color: DIFF_COLOR.modified }}>~ node {m.label || m.type} <code>{m.nodeId}</code></p>
                <ul className="ml-4 list-disc text-xs">
                  {m.changes.map((c) => (
                    <li key={c.field} data-testid="diff-param"><code>{c.param ?? c.field}</code>: {showValue(c.before)} → {showValue(c.after)}</li>
                  ))}
                </ul>
              </div>
            ))}
            {d.edgesAdded.map((e) => (
              <p key={`ea${e.id}`} data-testid="diff-edge-added" style={{ color: DIFF_COLOR.added }}>+ edge {e.source}.{e.sourcePort} → {e.target}.{e.targetPort}</p>
            ))}
            {d.edgesRemoved.map((e) => (
              <p key={`er${e.id}`} data-testid="diff-edge-removed" style={{ color: DIFF_COLOR.removed }}>− edge {e.source}.{e.sourcePort} → {e.target}.{e.targetPort}</p>
            ))}
          </div>
        )}
        <button data-testid="restore-version" onClick={() => restore.mutate({ graphId, version: from })} disabled={restore.isPending} className="mt-6 h-8 rounded-md border border-neutral-300 px-3 text-xs hover:bg-neutral-100">
          Restore v{from} as a new version
        </button>
        {restore.error && <p role="alert" className="mt-2 text-red-700">{restore.error.message}</p>}
      </aside>
    </div>
  );
}

export default function DiffPage({ params }: { params: Promise<{ graphId: string }> }) {
  const { graphId } = use(params);
  return (
    <Suspense>
      <DiffBody graphId={graphId} />
    </Suspense>
  );
}
