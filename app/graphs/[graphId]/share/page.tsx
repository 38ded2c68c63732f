'use client';
// Managing one graph: sharing with people (by email) or a workspace as viewer/editor, read-only links,
// and moving it to another workspace.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { use, useState } from 'react';
import { useTRPC } from '../../../_lib/trpc';
import { MoveGraph } from '../../../_teams/move-graph';
import { roleAllows } from '../../../../server/auth/roles';

export default function ShareGraphPage({ params }: { params: Promise<{ graphId: string }> }) {
  const { graphId } = use(params);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const graph = useQuery(trpc.graphs.get.queryOptions({ graphId }));
  const shares = useQuery({ ...trpc.shares.list.queryOptions({ graphId }), retry: false });
  const me = useQuery(trpc.account.me.queryOptions());
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'viewer' | 'editor'>('viewer');
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.shares.list.queryKey({ graphId }) });
  const opts = { onSuccess: () => { setError(null); void refresh(); }, onError: (e: { message: string }) => setError(e.message) };
  const add = useMutation(trpc.shares.add.mutationOptions(opts));
  const remove = useMutation(trpc.shares.remove.mutationOptions(opts));
  const createLink = useMutation(trpc.shares.createLink.mutationOptions(opts));
  const revoke = useMutation(trpc.shares.revokeLink.mutationOptions(opts));
  const origin = typeof window === 'undefined' ? '' : window.location.origin;

  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-8">
      <Link href={`/graphs/${graphId}`} className="text-sm text-accent hover:underline">← back to the editor</Link>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Share “{graph.data?.name ?? graphId}”</h1>
      {shares.error && <p role="alert" className="mt-4 text-sm text-red-700">{shares.error.message}</p>}
      {error && <p role="alert" data-testid="share-error" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
      {shares.data && (
        <>
          <h2 className="mt-6 mb-2 font-medium">People and workspaces</h2>
          <form className="mb-4 flex gap-2" onSubmit={(e) => { e.preventDefault(); add.mutate({ graphId, email, role }); setEmail(''); }}>
            <input data-testid="share-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder="person@example.org" className="h-9 flex-1 rounded-md border border-neutral-300 px-3 text-sm" />
            <select data-testid="share-role" value={role} onChange={(e) => setRole(e.target.value as 'viewer' | 'editor')} className="h-9 rounded-md border border-neutral-300 px-2 text-sm">
              <option value="viewer">viewer</option>
              <option value="editor">editor</option>
            </select>
            <button data-testid="share-add" className="h-9 rounded-md bg-accent px-4 text-sm font-medium text-white">Share</button>
          </form>
          <div className="mb-4 flex flex-wrap gap-2 text-xs">
            {me.data?.workspaces.filter((w) => w.id !== me.data?.currentWorkspaceId).map((w) => (
              <button key={w.id} onClick={() => add.mutate({ graphId, workspaceId: w.id, role })} className="rounded-md border border-neutral-300 px-2 py-1 hover:bg-neutral-100">
                Share with workspace {w.name} as {role}
              </button>
            ))}
          </div>
          <ul className="divide-y divide-neutral-200 rounded-lg border border-neutral-200 bg-white">
            {shares.data.shares.map((s) => (
              <li key={s.id} data-testid="share-row" className="flex items-center justify-between px-4 py-2 text-sm">
                <span>{s.userId ? `${s.name} (${s.email})` : `workspace ${s.workspaceName}`}</span>
                <span className="flex gap-3"><span className="text-neutral-500">{s.role}</span><button onClick={() => remove.mutate({ graphId, shareId: s.id })} className="text-xs text-red-600">Stop sharing</button></span>
              </li>
            ))}
          </ul>
          <h2 className="mt-8 mb-2 font-medium">Read-only links</h2>
          <button data-testid="create-link" onClick={() => createLink.mutate({ graphId })} className="mb-3 h-9 rounded-md border border-neutral-300 px-4 text-sm hover:bg-neutral-100">Create a link</button>
          <ul className="divide-y divide-neutral-200 rounded-lg border border-neutral-200 bg-white">
            {shares.data.links.map((l) => (
              <li key={l.token} data-testid="link-row" className="flex items-center justify-between gap-3 px-4 py-2 text-sm">
                <code data-testid="link-url" className={`truncate ${l.revokedAt ? 'text-neutral-400 line-through' : ''}`}>{origin}{l.url}</code>
                {l.revokedAt ? <span className="text-xs text-neutral-400">revoked</span> : <button data-testid="revoke-link" onClick={() => revoke.mutate({ graphId, token: l.token })} className="text-xs text-red-600">Revoke</button>}
              </li>
            ))}
          </ul>
          {graph.data && roleAllows(graph.data.role, 'manage') && <MoveGraph graphId={graphId} graphName={graph.data.name} workspaceId={graph.data.workspaceId} />}
        </>
      )}
    </div>
  );
}
