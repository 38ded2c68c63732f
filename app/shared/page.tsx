'use client';
// "Shared with me": graphs other workspaces shared with me or with a workspace I am in.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { timeAgo } from '../_lib/format';
import { useTRPC } from '../_lib/trpc';

export default function SharedWithMePage() {
  const trpc = useTRPC();
  const list = useQuery(trpc.shares.sharedWithMe.queryOptions());
  return (
    <div className="mx-auto w-full max-w-5xl px-6 py-8">
      <h1 className="text-2xl font-semibold tracking-tight">Shared with me</h1>
      <p className="mt-1 mb-6 text-sm text-neutral-500">Graphs from other workspaces. Viewers can open and fork them into their own workspace; editors can also save and run.</p>
      {list.error && <p role="alert" className="text-sm text-red-700">{list.error.message}</p>}
      {list.data?.length === 0 && <p data-testid="shared-empty" className="text-sm text-neutral-500">Nothing is shared with you yet.</p>}
      <ul className="divide-y divide-neutral-200 rounded-lg border border-neutral-200 bg-white">
        {list.data?.map((g) => (
          <li key={g.id} data-testid="shared-row" className="flex items-center justify-between px-4 py-3 text-sm">
            <Link href={`/graphs/${g.id}`} className="font-medium text-accent hover:underline">{g.name}</Link>
            <span className="text-neutral-500">
              {g.role} · from {g.workspaceName}{g.sharedBy ? ` (shared by ${g.sharedBy})` : ''} · updated {timeAgo(g.updatedAt)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
