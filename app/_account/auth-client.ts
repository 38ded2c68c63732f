'use client';
// Browser calls to better-auth's own routes under /api/auth (same origin; the session cookie is HttpOnly).

async function post(path: string, body: unknown): Promise<{ ok: true } | { ok: false; error: string }> {
  const res = await fetch(`/api/auth/${path}`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.ok) return { ok: true };
  const data = (await res.json().catch(() => null)) as { message?: string } | null;
  return { ok: false, error: data?.message || `${res.status} ${res.statusText}` };
}

export const signUpWithEmail = (name: string, email: string, password: string) => post('sign-up/email', { name, email, password });
export const signInWithEmail = (email: string, password: string) => post('sign-in/email', { email, password });
export const signOutNow = () => post('sign-out', {});
