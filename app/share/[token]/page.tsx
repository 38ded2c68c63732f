'use client';
// A read-only link: the graph's newest version, drawn but never editable; no account needed.
import { useQuery } from '@tanstack/react-query';
import { use } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { GraphView } from '../../_teams/graph-view';

export default function SharedLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = use(params);
  const trpc = useTRPC();
  const graph = useQuery({ ...trpc.shares.viewLink.queryOptions({ token }), retry: false });
  if (graph.error) return <p data-testid="share-link-error" className="p-8 text-sm text-red-700">{graph.error.message}</p>;
  if (!graph.data) return <p className="p-8 text-sm text-neutral-500">Loading…</p>;
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-3 border-b border-neutral-200 bg-white px-4 py-2 text-sm">
        <h1 data-testid="share-link-name" className="font-semibold">{graph.data.name}</h1>
        <span className="text-neutral-500">version {graph.data.version}</span>
        <span data-testid="read-only-badge" className="rounded bg-neutral-100 px-2 py-0.5 text-xs font-medium text-neutral-600">Read-only link</span>
      </div>
      <div className="min-h-0 flex-1">
        <GraphView document={graph.data.document} />
      </div>
    </div>
  );
}
