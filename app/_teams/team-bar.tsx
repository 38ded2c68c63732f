'use client';
// The editor toolbar's team part: read-only badge for viewers, version history (diff), share, fork.
// Moving a graph lives on its share page (the toolbar must fit one row at 1280 px).
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTRPC } from '../_lib/trpc';
import { confirmLeave } from '../_lib/leave-guard';
import { roleAllows, type Role } from '../../server/auth/roles';

export function TeamBar({ graphId, role, version }: { graphId: string; role: Role; version: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const fork = useMutation(trpc.graphs.fork.mutationOptions({ onSuccess: ({ id }) => router.push(`/graphs/${id}`), onError: (e) => window.alert(e.message) }));
  return (
    <>
      {role === 'viewer' && <span data-testid="read-only-badge" title="You can look and fork, not save or run" className="rounded bg-neutral-100 px-2 py-0.5 text-xs font-medium text-neutral-600">Read-only</span>}
      <Link data-testid="open-history" href={`/graphs/${graphId}/diff?from=${Math.max(1, version - 1)}&to=${version}`} className="flex h-8 items-center rounded-md px-2 text-neutral-600 hover:bg-neutral-100">History</Link>
      {roleAllows(role, 'manage') && <Link data-testid="open-share" href={`/graphs/${graphId}/share`} className="flex h-8 items-center rounded-md px-2 text-neutral-600 hover:bg-neutral-100">Share</Link>}
      <button data-testid="fork" onClick={() => confirmLeave() && fork.mutate({ graphId })} disabled={fork.isPending} className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100">Fork</button>
    </>
  );
}
