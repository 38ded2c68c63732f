// Accounts over real HTTP: the owner set-up, sessions on file routes and socket.io rooms for every
// role, sign-out stopping a cookie at once, invitations, and session cookie attributes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { runNodes, runs } from '../../server/db/schema';
import { DEFAULT_WORKSPACE } from '../../server/db/seed';
import { startServer, type RunningServer } from '../../server/http';
import { newId } from '../../server/ids';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { pipelineGraph } from '../helpers/graph-builder';
import { signIn, signOut, signUp, type TestSession } from '../helpers/session';

type Persona = 'stranger' | 'nonMember' | 'viewer' | 'editor' | 'admin' | 'owner';

describe('accounts over HTTP', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-accounts-'));
  const s = {} as Record<Exclude<Persona, 'stranger'>, TestSession>;
  const cookieOf = (who: Persona) => (who === 'stranger' ? undefined : s[who].cookie);
  const api = async (who: Exclude<Persona, 'stranger'>) => appRouter.createCaller(await createContextInner({ db: server.database.db, user: s[who].user }));
  let runId = '';

  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir, next: false });
    s.owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
    for (const who of ['admin', 'editor', 'viewer', 'nonMember'] as const) s[who] = await signUp(server, { name: who, email: `${who.toLowerCase()}@example.org` });
    const owner = await api('owner');
    for (const who of ['admin', 'editor', 'viewer'] as const) await owner.workspaces.addMember({ email: `${who}@example.org`, role: who });
    // Members act in the team workspace (they also have their own, made at sign-up).
    for (const who of ['admin', 'editor', 'viewer'] as const) await (await api(who)).workspaces.switch({ workspaceId: DEFAULT_WORKSPACE.id });
    const { id: graphId } = await owner.graphs.create({ name: 'Team graph', document: pipelineGraph().doc });
    runId = newId('r');
    await server.database.db.insert(runs).values({ id: runId, workspaceId: DEFAULT_WORKSPACE.id, graphId, graphVersion: 1, document: pipelineGraph().doc, status: 'done', createdBy: s.owner.user.id });
    await server.database.db.insert(runNodes).values({ runId, nodeId: 'export', cacheKey: 'c'.repeat(64), status: 'done' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the first account claims the default workspace with the examples; later ones get their own', async () => {
    const owner = await (await api('owner')).account.me();
    expect(owner.workspaces).toEqual([{ id: DEFAULT_WORKSPACE.id, name: DEFAULT_WORKSPACE.name, role: 'owner' }]);
    const outsider = await (await api('nonMember')).account.me();
    expect(outsider.workspaces).toHaveLength(1);
    expect(outsider.workspaces[0]).toMatchObject({ name: "nonMember's workspace", role: 'owner' });
    expect(await (await api('nonMember')).account.setupState()).toMatchObject({ needsOwner: false, signedIn: true });
  });

  it('session cookies are HttpOnly and SameSite=Lax', async () => {
    const res = await fetch(`${server.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ email: 'olive@example.org', password: 'correct horse battery' }) });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tunegraph.session_token='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const wrong = await fetch(`${server.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ email: 'olive@example.org', password: 'not the password' }) });
    expect(wrong.status).toBe(401);
  });

  it('uploads need a session and a role that may write in the current workspace', async () => {
    const upload = (who: Persona) =>
      fetch(`${server.url}/api/files/uploads?filename=r.csv`, { method: 'POST', headers: cookieOf(who) ? { cookie: cookieOf(who)! } : {}, body: 'text,label\na,b\n' }).then((r) => r.status);
    expect({ stranger: await upload('stranger'), nonMember: await upload('nonMember'), viewer: await upload('viewer'), editor: await upload('editor'), admin: await upload('admin'), owner: await upload('owner') }).toEqual({
      stranger: 401,
      nonMember: 201, // into their own workspace
      viewer: 403,
      editor: 201,
      admin: 201,
      owner: 201,
    });
  });

  it('export downloads are refused to strangers and non-members, and reach the run for every member', async () => {
    const download = async (who: Persona) => {
      const res = await fetch(`${server.url}/api/files/runs/${runId}/nodes/export/export.zip`, { headers: cookieOf(who) ? { cookie: cookieOf(who)! } : {} });
      return `${res.status} ${(await res.json()).error}`;
    };
    expect(await download('stranger')).toBe('401 sign in first');
    expect(await download('nonMember')).toBe(`404 no run '${runId}'`);
    // Members get past the rights check; this run has no export file, which is what they are told.
    for (const who of ['viewer', 'editor', 'admin', 'owner'] as const) expect(await download(who)).toBe("404 node 'export' has no export (did it run?)");
  });

  it('socket.io: no session, no connection; only people who may read the run join its room', async () => {
    const join = (who: Persona) =>
      new Promise<string>((ok) => {
        const socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: cookieOf(who) ? { cookie: cookieOf(who)! } : {} });
        socket.on('connect_error', (err) => (socket.close(), ok(`refused: ${err.message}`)));
        socket.on('connect', () => socket.emit('join', { runId }, (reply: { ok: boolean; error?: string }) => (socket.close(), ok(reply.ok ? 'joined' : `join refused: ${reply.error}`))));
      });
    expect(await join('stranger')).toBe('refused: sign in first');
    expect(await join('nonMember')).toBe(`join refused: no run '${runId}'`);
    for (const who of ['viewer', 'editor', 'admin', 'owner'] as const) expect(await join(who)).toBe('joined');
  });

  it('pages and tRPC need a session; the login page and share links do not', async () => {
    const page = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
    // This server runs without Next, so a signed-in page request falls through to 404; a stranger is sent to /login first.
    const anon = await page('/graphs/g_x?tab=1');
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/graphs/g_x?tab=1')}`);
    expect((await page('/graphs', s.owner.cookie)).status).toBe(404);
    expect((await page('/login')).status).toBe(404);
    expect((await page('/share/sometoken')).status).toBe(404);
    expect((await fetch(`${server.url}/api/trpc/graphs.list`)).status).toBe(401);
  });

  it('signing out stops the cookie at once, everywhere', async () => {
    const session = await signIn(server, 'editor@example.org');
    const list = () => fetch(`${server.url}/api/trpc/graphs.list`, { headers: { cookie: session.cookie } }).then((r) => r.status);
    expect(await list()).toBe(200);
    expect((await signOut(server, session)).status).toBe(200);
    expect(await list()).toBe(401);
    const upload = await fetch(`${server.url}/api/files/uploads?filename=r.csv`, { method: 'POST', headers: { cookie: session.cookie }, body: 'a,b\n' });
    expect(upload.status).toBe(401);
  });

  it('adding an email without an account invites it; signing up with it joins the workspace with that role', async () => {
    const owner = await api('owner');
    expect(await owner.workspaces.addMember({ email: 'Newcomer@Example.org', role: 'viewer' })).toEqual({ invited: true, email: 'newcomer@example.org' });
    const newcomer = await signUp(server, { name: 'Newcomer', email: 'newcomer@example.org' });
    const me = await appRouter.createCaller(await createContextInner({ db: server.database.db, user: newcomer.user })).account.me();
    expect(me.workspaces.find((w) => w.id === DEFAULT_WORKSPACE.id)).toMatchObject({ role: 'viewer' });
    expect((await owner.workspaces.members()).invitations).toEqual([]);
  });
});

describe('invite-only sign-up (TUNEGRAPH_SIGNUP=invite)', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-invite-'));
  beforeAll(async () => {
    process.env.TUNEGRAPH_SIGNUP = 'invite';
    server = await startServer({ port: 0, dataDir, next: false });
  });
  afterAll(async () => {
    delete process.env.TUNEGRAPH_SIGNUP;
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the owner signs up, an uninvited email is refused, an invited one gets in', async () => {
    const owner = await signUp(server, { name: 'Olive', email: 'olive@example.org' });
    await expect(signUp(server, { name: 'Gate crasher', email: 'crash@example.org' })).rejects.toThrow(/403.*sign-up is by invitation/);
    const api = appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user }));
    await api.workspaces.addMember({ email: 'friend@example.org', role: 'editor' });
    const friend = await signUp(server, { name: 'Friend', email: 'friend@example.org' });
    expect(friend.user.email).toBe('friend@example.org');
  });
});
