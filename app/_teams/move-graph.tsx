'use client';
// "Move to workspace…": a graph's admin or owner moves it to another workspace where they are admin or
// owner too, after a confirmation; the graph then opens there. Its runs and files stay behind.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { roleAllows } from '../../server/auth/roles';

export function MoveGraph({ graphId, graphName, workspaceId }: { graphId: string; graphName: string; workspaceId: string }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const switchTo = useMutation(trpc.workspaces.switch.mutationOptions());
  const move = useMutation(
    trpc.graphs.transfer.mutationOptions({
      onSuccess: async ({ id, workspaceId: moved }) => {
        // Act in the graph's new workspace, so the editor checks and runs it there.
        await switchTo.mutateAsync({ workspaceId: moved });
        window.location.assign(`/graphs/${id}`);
      },
      onError: (e) => setError(e.message),
    }),
  );
  const targets = (me.data?.workspaces ?? []).filter((w) => w.id !== workspaceId && roleAllows(w.role, 'manage'));
  const chosen = targets.find((w) => w.id === target) ?? targets[0];
  const current = me.data?.workspaces.find((w) => w.id === workspaceId)?.name ?? 'its workspace';

  return (
    <section id="move" data-testid="move-graph" className="mt-8">
      <h2 className="mb-2 font-medium">Move to workspace…</h2>
      {targets.length === 0 ? (
        <p data-testid="move-none" className="text-sm text-neutral-500">You are admin or owner of no other workspace; a graph moves only between workspaces you manage.</p>
      ) : (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!chosen) return;
            const ok = window.confirm(`Move “${graphName}” from ${current} to ${chosen.name}? Its members get the graph and its history; its past runs, cached results and uploads stay in ${current}.`);
            if (ok) move.mutate({ graphId, workspaceId: chosen.id });
          }}
        >
          <select data-testid="move-target" value={chosen?.id ?? ''} onChange={(e) => setTarget(e.target.value)} className="h-9 rounded-md border border-neutral-300 px-2 text-sm">
            {targets.map((w) => (
              <option key={w.id} value={w.id}>{w.name} ({w.role})</option>
            ))}
          </select>
          <button data-testid="move-submit" disabled={move.isPending || switchTo.isPending} className="h-9 rounded-md border border-neutral-300 px-4 text-sm hover:bg-neutral-100 disabled:opacity-50">Move</button>
        </form>
      )}
      <p className="mt-2 text-xs text-neutral-500">Past runs, cached stage results and uploaded files stay in the workspace they were made in; the new workspace runs the graph with its own cache and files.</p>
      {error && <p role="alert" data-testid="move-error" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
    </section>
  );
}
