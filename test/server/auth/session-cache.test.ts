// The session cache: what it remembers, and that every way better-auth ends a session (sign-out,
// revoking other sessions, a password change) stops the cookie at the next request, over HTTP and
// socket.io, even though the cookie was answered from memory just before. Rights are never cached:
// a member removed from a workspace loses access at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCacheOf, sessionCookieValue } from '../../../server/auth/session';
import { SessionCache } from '../../../server/auth/session-cache';
import { DEFAULT_WORKSPACE } from '../../../server/db/seed';
import { startServer, type RunningServer } from '../../../server/http';
import { appRouter } from '../../../server/routers/_app';
import { createContextInner } from '../../../server/trpc';
import { signIn, signOut, signUp, type TestSession } from '../../helpers/session';

const user = (id: string) => ({ id, name: id });
const later = new Date(Date.now() + 3_600_000);

describe('SessionCache', () => {
  it('answers a stored cookie until its TTL, never past the session’s own expiry', () => {
    const cache = new SessionCache(10_000);
    cache.set('c1', { user: user('u1'), token: 't1', expiresAt: later }, cache.mark(), 0);
    cache.set('c2', { user: user('u2'), token: 't2', expiresAt: new Date(500) }, cache.mark(), 0);
    expect(cache.get('c1', 9_999)).toEqual(user('u1'));
    expect(cache.get('c1', 10_000)).toBeNull();
    expect(cache.get('c2', 499)).toEqual(user('u2'));
    expect(cache.get('c2', 500)).toBeNull();
  });

  it('forgets by session token and by user, and tells listeners', () => {
    const cache = new SessionCache();
    const told: unknown[] = [];
    cache.onRevoke((r) => told.push(r));
    cache.set('a', { user: user('u1'), token: 'ta', expiresAt: later }, cache.mark());
    cache.set('b', { user: user('u1'), token: 'tb', expiresAt: later }, cache.mark());
    cache.set('c', { user: user('u2'), token: 'tc', expiresAt: later }, cache.mark());
    cache.revoke({ token: 'ta' });
    expect([cache.get('a'), cache.get('b')]).toEqual([null, user('u1')]);
    cache.revoke({ userId: 'u1' });
    expect([cache.get('b'), cache.get('c')]).toEqual([null, user('u2')]);
    cache.forget({ userId: 'u2' });
    expect(cache.get('c')).toBeNull();
    expect(told).toEqual([{ token: 'ta' }, { userId: 'u1' }]);
  });

  it('does not store a lookup that a revocation overtook', () => {
    const cache = new SessionCache();
    const mark = cache.mark();
    cache.revoke({ token: 'ta' }); // the session was deleted while its lookup was in flight
    cache.set('a', { user: user('u1'), token: 'ta', expiresAt: later }, mark);
    expect(cache.get('a')).toBeNull();
  });

  it('reads the session cookie under either name', () => {
    expect(sessionCookieValue('x=1; tunegraph.session_token=abc.def; y=2')).toBe('abc.def');
    expect(sessionCookieValue('__Secure-tunegraph.session_token=s%2Fig')).toBe('s%2Fig');
    expect(sessionCookieValue('other=1')).toBeNull();
  });
});

describe('session cache over HTTP', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-session-cache-'));
  let owner: TestSession;
  const list = (s: TestSession) => fetch(`${server.url}/api/trpc/graphs.list`, { headers: { cookie: s.cookie } }).then((r) => r.status);
  const authPost = (s: TestSession, path: string, body: unknown) =>
    fetch(`${server.url}/api/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url, cookie: s.cookie }, body: JSON.stringify(body) });
  /** Whether a socket.io connection with this session is accepted. */
  const socketAccepted = (s: TestSession) =>
    new Promise<boolean>((ok) => {
      const socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: s.cookie }, reconnection: false });
      socket.on('connect', () => (socket.close(), ok(true)));
      socket.on('connect_error', () => (socket.close(), ok(false)));
    });

  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('remembers a verified cookie, so repeated calls do not ask better-auth again', async () => {
    const cache = sessionCacheOf(server.auth)!;
    const session = await signIn(server, 'olive@example.org');
    const before = cache.size;
    expect(await list(session)).toBe(200);
    expect(cache.size).toBe(before + 1);
    expect(cache.get(sessionCookieValue(session.cookie)!)).toMatchObject({ id: owner.user.id });
    // A forged cookie is never remembered.
    expect(await list({ ...session, cookie: 'tunegraph.session_token=forged.signature' })).toBe(401);
    expect(cache.size).toBe(before + 1);
  });

  it('sign-out stops a remembered cookie at once, on the API and on socket.io', async () => {
    const session = await signIn(server, 'olive@example.org');
    expect(await list(session)).toBe(200);
    expect(await socketAccepted(session)).toBe(true);
    expect((await signOut(server, session)).status).toBe(200);
    expect(await list(session)).toBe(401);
    expect(await socketAccepted(session)).toBe(false);
  });

  it('revoking other sessions stops them at once', async () => {
    const laptop = await signIn(server, 'olive@example.org');
    const phone = await signIn(server, 'olive@example.org');
    expect([await list(laptop), await list(phone)]).toEqual([200, 200]);
    expect((await authPost(laptop, 'revoke-other-sessions', {})).status).toBe(200);
    expect([await list(laptop), await list(phone)]).toEqual([200, 401]);
  });

  it('a password change that revokes other sessions stops them at once', async () => {
    const who = await signUp(server, { name: 'Pat', email: 'pat@example.org' });
    const other = await signIn(server, 'pat@example.org');
    expect(await list(other)).toBe(200);
    const changed = await authPost(who, 'change-password', { currentPassword: 'correct horse battery', newPassword: 'another horse battery', revokeOtherSessions: true });
    expect(changed.status).toBe(200);
    expect(await list(other)).toBe(401);
  });

  it('a member removed from the workspace loses access at the next call (rights are not cached)', async () => {
    const api = appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user }));
    const { id: graphId } = await api.graphs.create({ name: 'team' });
    const member = await signUp(server, { name: 'Mia', email: 'mia@example.org' });
    await api.workspaces.addMember({ email: 'mia@example.org', role: 'viewer' });
    const mine = appRouter.createCaller(await createContextInner({ db: server.database.db, user: member.user }));
    await mine.workspaces.switch({ workspaceId: DEFAULT_WORKSPACE.id });
    const get = () => fetch(`${server.url}/api/trpc/graphs.get?input=${encodeURIComponent(JSON.stringify({ json: { graphId } }))}`, { headers: { cookie: member.cookie } }).then((r) => r.status);
    expect(await get()).toBe(200);
    await api.workspaces.removeMember({ userId: member.user.id });
    expect(await get()).toBe(404);
  });
});
