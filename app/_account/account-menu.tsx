'use client';
// The top bar's account corner: current workspace (switch), Shared with me, members, and sign out.
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTRPC } from '../_lib/trpc';
import { signOutNow } from './auth-client';

export function AccountMenu() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const publicPage = pathname === '/login' || pathname.startsWith('/share/');
  const me = useQuery({ ...trpc.account.me.queryOptions(), enabled: !publicPage, retry: false });
  const switchTo = useMutation(trpc.workspaces.switch.mutationOptions({ onSuccess: () => window.location.assign('/graphs') }));
  if (publicPage || !me.data) return null;
  return (
    <div className="ml-auto flex items-center gap-4 text-sm text-neutral-600">
      <Link href="/shared" data-testid="nav-shared" className="hover:text-neutral-900">Shared with me</Link>
      <Link href="/workspace" data-testid="nav-workspace" className="hover:text-neutral-900">Members</Link>
      <select
        data-testid="workspace-switcher"
        value={me.data.currentWorkspaceId ?? ''}
        onChange={(e) => switchTo.mutate({ workspaceId: e.target.value })}
        className="h-8 rounded-md border border-neutral-300 bg-white px-2 text-xs"
        title="Current workspace"
      >
        {me.data.workspaces.map((w) => (
          <option key={w.id} value={w.id}>{w.name} ({w.role})</option>
        ))}
      </select>
      <span data-testid="signed-in-as" title={me.data.user.email}>{me.data.user.name}</span>
      <button data-testid="sign-out" onClick={() => void signOutNow().then(() => window.location.assign('/login'))} className="hover:text-neutral-900">Sign out</button>
    </div>
  );
}
