// Who is calling: the better-auth session of a request (cookie), or null. Routers never look at
// requests themselves; tRPC context, file routes, pages and socket.io all ask here. A verified
// cookie is remembered briefly (session-cache.ts), and forgotten the moment its session is revoked.
import type { IncomingMessage } from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from './auth';
import type { SessionCache } from './session-cache';

export interface SessionUser {
  id: string;
  name: string;
  email?: string;
}

const caches = new WeakMap<object, SessionCache>();

/** Makes `cache` the session memory of one better-auth instance (createAuth does this). */
export function attachSessionCache(auth: object, cache: SessionCache): void {
  caches.set(auth, cache);
}

/** The session memory of a better-auth instance (queue mode wires its revocations to other replicas). */
export function sessionCacheOf(auth: object): SessionCache | undefined {
  return caches.get(auth);
}

/** The session cookie's (signed) value, under either of its names (plain, or __Secure- on https). */
export function sessionCookieValue(cookieHeader: string): string | null {
  const m = /(?:^|;\s*)(?:__Secure-)?tunegraph\.session_token=([^;]*)/.exec(cookieHeader);
  return m && m[1] ? m[1] : null;
}

/** The signed-in user of a request, or null (no cookie, expired or signed-out session). */
export async function getSessionUser(req: IncomingMessage, auth: Auth): Promise<SessionUser | null> {
  if (!req.headers.cookie) return null;
  const cache = caches.get(auth);
  const key = sessionCookieValue(req.headers.cookie);
  if (cache && key) {
    const known = cache.get(key);
    if (known) return known;
  }
  if (!cache || !key) return lookUp(req, auth, null, null);
  // One lookup per cookie at a time: 50 sockets connecting at once with one cookie ask better-auth once.
  const pending = cache.inFlight.get(key);
  if (pending) return pending;
  const lookup = lookUp(req, auth, cache, key).finally(() => cache.inFlight.delete(key));
  cache.inFlight.set(key, lookup);
  return lookup;
}

async function lookUp(req: IncomingMessage, auth: Auth, cache: SessionCache | null, key: string | null): Promise<SessionUser | null> {
  const mark = cache?.mark() ?? 0;
  try {
    const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
    if (!session) return null;
    const user = { id: session.user.id, name: session.user.name, email: session.user.email };
    if (cache && key) cache.set(key, { user, token: session.session.token, expiresAt: new Date(session.session.expiresAt) }, mark);
    return user;
  } catch {
    // A malformed or foreign cookie is the same as none.
    return null;
  }
}
