'use client';
// The graph list: create, import, open, rename and delete saved graphs.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { timeAgo } from '../_lib/format';
import { useTRPC } from '../_lib/trpc';
import { roleAllows } from '../../server/auth/roles';

export default function GraphsPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.graphs.list.queryOptions());
  const me = useQuery(trpc.account.me.queryOptions());
  // The caller's role in the workspace listed decides creating and importing; each row's own role (a share can
  // raise it for one graph) decides renaming (editor and up) and deleting (admin or owner), as the server checks.
  const myRole = me.data?.workspaces.find((w) => w.id === me.data?.currentWorkspaceId)?.role;
  const canWrite = myRole !== undefined && myRole !== 'viewer';
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.graphs.list.queryKey() });
  const [error, setError] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  const create = useMutation(trpc.graphs.create.mutationOptions({ onSuccess: ({ id }) => router.push(`/graphs/${id}`), onError: (e) => setError(e.message) }));
  const importGraph = useMutation(trpc.graphs.import.mutationOptions({ onSuccess: () => { setError(null); void invalidate(); }, onError: (e) => setError(e.message) }));
  const rename = useMutation(trpc.graphs.rename.mutationOptions({ onSuccess: invalidate, onError: (e) => setError(e.message) }));
  const remove = useMutation(trpc.graphs.delete.mutationOptions({ onSuccess: invalidate, onError: (e) => setError(e.message) }));

  async function onImportFile(file: File | undefined) {
    if (!file) return;
    importGraph.mutate({ json: await file.text(), filename: file.name });
    if (fileInput.current) fileInput.current.value = '';
  }

  return (
    <div className="mx-auto w-full max-w-5xl px-6 py-8">
      <div className="mb-6 flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Graphs</h1>
          <p className="mt-1 text-sm text-neutral-500">Pipelines that adapt a pretrained model to your domain. Every save is kept as a version.</p>
        </div>
        {myRole === 'viewer' && <p data-testid="viewer-note" className="text-sm text-neutral-500">You are a viewer in this workspace: open graphs and fork them into a workspace where you edit.</p>}
        {canWrite && <div className="flex items-center gap-2">
          <form
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate({ name: newName.trim() || 'Untitled graph' });
            }}
          >
            <input data-testid="new-graph-name" value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="New graph name" className="h-9 w-52 rounded-md border border-neutral-300 bg-white px-3 text-sm outline-none focus:border-accent" />
            <button data-testid="create-graph" className="h-9 rounded-md bg-accent px-4 text-sm font-medium text-white hover:opacity-90">New graph</button>
          </form>
          <label className="flex h-9 cursor-pointer items-center rounded-md border border-neutral-300 bg-white px-4 text-sm hover:bg-neutral-100">
            Import JSON
            <input ref={fileInput} data-testid="import-graph-file" type="file" accept=".json,application/json" className="hidden" onChange={(e) => onImportFile(e.target.files?.[0])} />
          </label>
        </div>}
      </div>
      {error && (
        <div data-testid="list-error" role="alert" className="mb-4 flex items-start justify-between gap-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <span>{error}</span>
          <button onClick={() => setError(null)} className="text-red-600">dismiss</button>
        </div>
      )}
      <div className="overflow-hidden rounded-lg border border-neutral-200 bg-white">
        <table className="w-full text-sm">
          <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">Nodes</th>
              <th className="px-4 py-2 font-medium">Version</th>
              <th className="px-4 py-2 font-medium">Updated</th>
              <th className="px-4 py-2" />
            </tr>
          </thead>
          <tbody>
            {list.isLoading && (
              <tr><td colSpan={5} className="px-4 py-6 text-neutral-500">Loading…</td></tr>
            )}
            {list.data?.length === 0 && (
              <tr><td colSpan={5} className="px-4 py-6 text-neutral-500">No graphs yet. Create one or import a JSON file.</td></tr>
            )}
            {list.data?.map((g) => (
              <tr key={g.id} data-testid="graph-row" data-graph-id={g.id} className="border-t border-neutral-100 hover:bg-neutral-50">
                <td className="px-4 py-2.5">
                  <Link href={`/graphs/${g.id}`} className="font-medium text-neutral-900 hover:text-accent">{g.name}</Link>
                </td>
                <td className="px-4 py-2.5 text-neutral-600">{g.nodeCount}</td>
                <td className="px-4 py-2.5 text-neutral-600">v{g.latestVersion}</td>
                <td className="px-4 py-2.5 text-neutral-600">{timeAgo(g.updatedAt)}</td>
                <td className="px-4 py-2.5 text-right">
                  {roleAllows(g.role, 'write') && <button
                    data-testid="rename-graph"
                    className="mr-3 text-neutral-500 hover:text-neutral-900"
                    onClick={() => {
                      const name = window.prompt('Rename graph', g.name);
                      if (name && name.trim() !== g.name) rename.mutate({ graphId: g.id, name });
                    }}
                  >
                    Rename
                  </button>}
                  {roleAllows(g.role, 'manage') && <button
                    className="text-red-600 hover:text-red-800"
                    onClick={() => window.confirm(`Delete "${g.name}"? Its runs stay in the history.`) && remove.mutate({ graphId: g.id })}
                  >
                    Delete
                  </button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
