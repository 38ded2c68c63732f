'use client';
// Sign in, create an account, or (on a fresh install) create the owner account.
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { signInWithEmail, signUpWithEmail } from '../_account/auth-client';
import { useTRPC } from '../_lib/trpc';

/** Only same-site paths are followed after signing in (never an open redirect). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/graphs';
}

function LoginForm() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const setup = useQuery(trpc.account.setupState.queryOptions());
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!setup.data) return <p className="text-sm text-neutral-500">Loading…</p>;
  const owner = setup.data.needsOwner;
  const creating = owner || mode === 'sign-up';

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = creating ? await signUpWithEmail(name.trim(), email.trim(), password) : await signInWithEmail(email.trim(), password);
    setBusy(false);
    if (!result.ok) return setError(result.error);
    // A full load, so every query starts again with the new session.
    window.location.assign(safeNext(params.get('next')));
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" data-testid="login-form">
      <h1 className="text-xl font-semibold tracking-tight" data-testid="login-title">
        {owner ? 'Set up Tunegraph: create the owner account' : creating ? 'Create an account' : 'Sign in'}
      </h1>
      {owner && <p className="text-sm text-neutral-500">You are the first person here. The owner account owns the default workspace and its example graphs, and adds the rest of the team.</p>}
      {creating && (
        <label className="flex flex-col gap-1 text-sm">
          Name
          <input data-testid="login-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} className="h-9 rounded-md border border-neutral-300 px-3 outline-none focus:border-accent" />
        </label>
      )}
      <label className="flex flex-col gap-1 text-sm">
        Email
        <input data-testid="login-email" type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} className="h-9 rounded-md border border-neutral-300 px-3 outline-none focus:border-accent" />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Password {creating && <span className="text-xs text-neutral-400">(at least 8 characters)</span>}
        <input data-testid="login-password" type="password" required minLength={creating ? 8 : 1} autoComplete={creating ? 'new-password' : 'current-password'} value={password} onChange={(e) => setPassword(e.target.value)} className="h-9 rounded-md border border-neutral-300 px-3 outline-none focus:border-accent" />
      </label>
      {error && <p role="alert" data-testid="login-error" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
      <button data-testid="login-submit" disabled={busy} className="h-9 rounded-md bg-accent px-4 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50">
        {busy ? 'Please wait…' : owner ? 'Create owner account' : creating ? 'Create account' : 'Sign in'}
      </button>
      {!owner && (
        <button type="button" data-testid="login-switch" onClick={() => setMode(creating ? 'sign-in' : 'sign-up')} className="text-sm text-accent hover:underline">
          {creating ? 'I have an account: sign in' : setup.data.signup === 'invite' ? 'Invited? Create your account' : 'New here? Create an account'}
        </button>
      )}
    </form>
  );
}

export default function LoginPage() {
  return (
    <div className="mx-auto mt-16 w-full max-w-sm rounded-lg border border-neutral-200 bg-white p-6 shadow-sm">
      <Suspense>
        <LoginForm />
      </Suspense>
    </div>
  );
}
