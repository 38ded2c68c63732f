// A short-lived memory of who a session cookie belongs to, so the API and socket.io do not ask
// better-auth (two database reads, an HMAC, header plumbing) on every request. Measured under the
// 50 + 20 client load it was a third of each request's database work. Correctness comes from
// invalidation, not from the TTL: better-auth's database hooks drop an entry the moment its session
// is deleted or changed (sign-out, revoke, password change) or its user is changed or deleted, and
// in queue mode the drop is broadcast to the other replicas. The TTL only bounds what a change made
// outside better-auth (a hand-edited database) can miss.
import type { SessionUser } from './session';

interface Entry {
  user: SessionUser;
  /** The better-auth session token (the part of the cookie before the signature). */
  token: string;
  /** Until when this entry may answer (the TTL, or the session's own expiry if sooner). */
  until: number;
}

/** What a revocation names: one session token, or every session of a user. */
export type Revocation = { token: string } | { userId: string };

/** How long an entry answers without asking better-auth again. */
export const SESSION_CACHE_TTL_MS = 10_000;
/** Entries kept at most (oldest dropped first); a flood of forged cookies never reaches it (only verified sessions are stored). */
const MAX_ENTRIES = 10_000;

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every revocation: a lookup that started before one must not store what it read. */
  private generation = 0;
  private readonly listeners: ((r: Revocation) => void)[] = [];
  /** Lookups in progress per cookie value (session.ts joins them rather than asking twice). */
  readonly inFlight = new Map<string, Promise<SessionUser | null>>();

  constructor(private readonly ttlMs = SESSION_CACHE_TTL_MS) {}

  /** The user of a signed cookie value, when known and fresh. */
  get(cookieValue: string, now = Date.now()): SessionUser | null {
    const entry = this.entries.get(cookieValue);
    if (!entry) return null;
    if (entry.until <= now) {
      this.entries.delete(cookieValue);
      return null;
    }
    return entry.user;
  }

  /** A marker to pass to `set`: the lookup's answer is stored only if nothing was revoked meanwhile. */
  mark(): number {
    return this.generation;
  }

  set(cookieValue: string, entry: { user: SessionUser; token: string; expiresAt: Date }, mark: number, now = Date.now()): void {
    if (mark !== this.generation || this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(cookieValue, { user: entry.user, token: entry.token, until: Math.min(now + this.ttlMs, entry.expiresAt.getTime()) });
  }

  /** Forgets a session or all of a user's sessions, here and (through listeners) on other replicas. */
  revoke(r: Revocation): void {
    this.forget(r);
    for (const l of this.listeners) l(r);
  }

  /** Forgets without telling listeners (a revocation that came from another replica). */
  forget(r: Revocation): void {
    this.generation++;
    for (const [key, e] of this.entries) if ('token' in r ? e.token === r.token : e.user.id === r.userId) this.entries.delete(key);
  }

  /** Called on every local revocation (queue mode broadcasts it). */
  onRevoke(listener: (r: Revocation) => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.entries.size;
  }
}
