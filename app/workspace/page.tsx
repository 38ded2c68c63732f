'use client';
// The current workspace's members and invitations; owners and admins add people by email and set roles.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { roleAllows } from '../../server/auth/roles';

const roles = ['viewer', 'editor', 'admin'] as const;

export default function WorkspacePage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.workspaces.members.queryOptions());
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<(typeof roles)[number]>('editor');
  const [newWorkspace, setNewWorkspace] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspaces.members.queryKey() });
  const opts = { onSuccess: () => { setError(null); void refresh(); }, onError: (e: { message: string }) => setError(e.message) };
  const add = useMutation(trpc.workspaces.addMember.mutationOptions(opts));
  const setMemberRole = useMutation(trpc.workspaces.setRole.mutationOptions(opts));
  const remove = useMutation(trpc.workspaces.removeMember.mutationOptions(opts));
  const create = useMutation(trpc.workspaces.create.mutationOptions({ onSuccess: () => window.location.assign('/graphs'), onError: (e) => setError(e.message) }));
  const manage = roleAllows(members.data?.myRole, 'manage');

  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-8">
      <h1 className="text-2xl font-semibold tracking-tight">Members</h1>
      <p className="mt-1 mb-6 text-sm text-neutral-500">Owner and admins manage members and sharing; editors change and run graphs; viewers see but never save or run.</p>
      {error && <p role="alert" data-testid="members-error" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
      {manage && (
        <form className="mb-6 flex gap-2" onSubmit={(e) => { e.preventDefault(); add.mutate({ email, role }); setEmail(''); }}>
          <input data-testid="member-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder="teammate@example.org" className="h-9 flex-1 rounded-md border border-neutral-300 px-3 text-sm" />
          <select data-testid="member-role" value={role} onChange={(e) => setRole(e.target.value as (typeof roles)[number])} className="h-9 rounded-md border border-neutral-300 px-2 text-sm">
            {roles.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <button data-testid="member-add" className="h-9 rounded-md bg-accent px-4 text-sm font-medium text-white">Add</button>
        </form>
      )}
      <ul className="divide-y divide-neutral-200 rounded-lg border border-neutral-200 bg-white">
        {members.data?.members.map((m) => (
          <li key={m.userId} data-testid="member-row" className="flex items-center justify-between px-4 py-3 text-sm">
            <span>{m.name} <span className="text-neutral-500">{m.email}</span></span>
            {manage && m.role !== 'owner' ? (
              <span className="flex gap-2">
                <select value={m.role} onChange={(e) => setMemberRole.mutate({ userId: m.userId, role: e.target.value as (typeof roles)[number] })} className="h-8 rounded-md border border-neutral-300 px-2 text-xs">
                  {roles.map((r) => <option key={r} value={r}>{r}</option>)}
                </select>
                <button onClick={() => remove.mutate({ userId: m.userId })} className="text-xs text-red-600">Remove</button>
              </span>
            ) : (
              <span className="text-neutral-500">{m.role}</span>
            )}
          </li>
        ))}
        {members.data?.invitations.map((i) => (
          <li key={i.email} className="flex items-center justify-between px-4 py-3 text-sm text-neutral-500">
            <span>{i.email}</span>
            <span>invited as {i.role} (joins on sign-up)</span>
          </li>
        ))}
      </ul>
      <form className="mt-8 flex gap-2" onSubmit={(e) => { e.preventDefault(); create.mutate({ name: newWorkspace }); }}>
        <input value={newWorkspace} required onChange={(e) => setNewWorkspace(e.target.value)} placeholder="New workspace name" className="h-9 flex-1 rounded-md border border-neutral-300 px-3 text-sm" />
        <button className="h-9 rounded-md border border-neutral-300 px-4 text-sm">Create workspace</button>
      </form>
    </div>
  );
}
