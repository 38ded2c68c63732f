// Accounts in tests over real HTTP: sign up or in through better-auth's routes and keep the session cookie.
import type { RunningServer } from '../../server/http';

export interface TestSession {
  /** The `cookie` header value that carries the session. */
  cookie: string;
  user: { id: string; name: string; email: string };
}

function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function authPost(server: RunningServer | string, path: string, body: unknown, cookie?: string): Promise<Response> {
  const url = typeof server === 'string' ? server : server.url;
  return fetch(`${url}/api/auth/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/** Creates an account (the first one is the owner) and returns its session. */
export async function signUp(server: RunningServer | string, who: { name: string; email: string; password?: string }): Promise<TestSession> {
  const res = await authPost(server, 'sign-up/email', { name: who.name, email: who.email, password: who.password ?? 'correct horse battery' });
  if (!res.ok) throw new Error(`sign-up of ${who.email} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: TestSession['user'] };
  return { cookie: cookieOf(res), user: { id: body.user.id, name: body.user.name, email: body.user.email } };
}

/** Signs in to an existing account. */
export async function signIn(server: RunningServer | string, email: string, password = 'correct horse battery'): Promise<TestSession> {
  const res = await authPost(server, 'sign-in/email', { email, password });
  if (!res.ok) throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: TestSession['user'] };
  return { cookie: cookieOf(res), user: { id: body.user.id, name: body.user.name, email: body.user.email } };
}

/** Signs out (the session row is deleted, so the cookie stops working at once). */
export async function signOut(server: RunningServer | string, session: TestSession): Promise<Response> {
  return authPost(server, 'sign-out', {}, session.cookie);
}
