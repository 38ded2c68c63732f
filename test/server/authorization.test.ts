// Every tRPC procedure as a stranger (no session), a non-member, a viewer, an editor, an admin and the
// owner of the graph's workspace, plus people a graph is shared with: each is allowed exactly its actions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { runNodes, runs, sweeps, users, workspaceMembers, workspaces } from '../../server/db/schema';
import type { OpenDatabase } from '../../server/db/client';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { newId } from '../../server/ids';
import { dbKinds, openTestDatabase } from '../helpers/db';
import { pipelineGraph } from '../helpers/graph-builder';

type Persona = 'stranger' | 'nonMember' | 'viewer' | 'editor' | 'admin' | 'owner' | 'sharedViewer' | 'sharedEditor';
type Need = 'public' | 'authed' | 'read' | 'write' | 'manage';
const personas: Persona[] = ['stranger', 'nonMember', 'viewer', 'editor', 'admin', 'owner', 'sharedViewer', 'sharedEditor'];
const person = (id: string) => ({ id, name: id.slice(2), email: `${id.slice(2)}@example.org` });
const people = {
  owner: LOCAL_USER,
  admin: person('u_admin'),
  editor: person('u_editor'),
  viewer: person('u_viewer'),
  nonMember: person('u_outsider'),
  sharedViewer: person('u_sharedviewer'),
  sharedEditor: person('u_sharededitor'),
};

/** What each persona may do on a graph of the default workspace. */
function allowed(who: Persona, need: Need): boolean {
  if (need === 'public') return true;
  if (who === 'stranger') return false;
  if (need === 'authed') return true;
  const level: Record<Exclude<Persona, 'stranger'>, Need[]> = {
    nonMember: [],
    viewer: ['read'],
    sharedViewer: ['read'],
    editor: ['read', 'write'],
    sharedEditor: ['read', 'write'],
    admin: ['read', 'write', 'manage'],
    owner: ['read', 'write', 'manage'],
  };
  return level[who].includes(need);
}

/** Whether an error is a refusal by rights (as opposed to a later, legitimate failure). */
function refusal(err: unknown): string | null {
  if (err instanceof TRPCError && ['UNAUTHORIZED', 'FORBIDDEN'].includes(err.code)) return err.code;
  if (err instanceof TRPCError && err.code === 'NOT_FOUND' && /^no (graph|run) '/.test(err.message)) return err.code;
  return null;
}

describe.each(dbKinds)('authorization of every procedure on %s', (kind) => {
  let database: OpenDatabase;
  const api = async (who: Persona) => appRouter.createCaller(await createContextInner({ db: database.db, user: who === 'stranger' ? null : people[who] }));

  /** A fresh graph in the default workspace (with a finished run) shared with the two shared personas. */
  async function fixture() {
    const owner = await api('owner');
    const { id: graphId } = await owner.graphs.create({ name: 'Fixture', document: pipelineGraph().doc });
    await owner.graphs.save({ graphId, document: pipelineGraph('b', { ft: { learningRate: 1e-4 } }).doc, baseVersion: 1 });
    await owner.shares.add({ graphId, email: 'sharedviewer@example.org', role: 'viewer' });
    await owner.shares.add({ graphId, email: 'sharededitor@example.org', role: 'editor' });
    const runId = newId('r');
    await database.db.insert(runs).values({ id: runId, workspaceId: DEFAULT_WORKSPACE.id, graphId, graphVersion: 1, document: pipelineGraph().doc, status: 'done', createdBy: LOCAL_USER.id });
    await database.db.insert(runNodes).values({ runId, nodeId: 'n1', cacheKey: 'k'.repeat(64), status: 'done' });
    const { token } = await owner.shares.createLink({ graphId });
    const { shares } = await owner.shares.list({ graphId });
    const sweepId = newId('s');
    await database.db.insert(sweeps).values({ id: sweepId, workspaceId: DEFAULT_WORKSPACE.id, graphId, graphVersion: 2, nodeId: 'n9', spec: { params: [{ name: 'learningRate', values: [1e-3, 1e-4] }] }, createdBy: LOCAL_USER.id });
    return { graphId, runId, token, shareId: shares[0].id, sweepId };
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const { db } = database;
    await db.insert(users).values(Object.values(people).filter((p) => p.id !== LOCAL_USER.id));
    await db.insert(workspaceMembers).values([
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.admin.id, role: 'admin' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.editor.id, role: 'editor' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.viewer.id, role: 'viewer' },
    ]);
    // Everyone else has a workspace of their own (as after signing up); the viewer acts in the team workspace.
    for (const who of ['nonMember', 'sharedViewer', 'sharedEditor', 'viewer'] as const) {
      const id = `w_own_${who}`;
      await db.insert(workspaces).values({ id, name: `${who}'s workspace` });
      await db.insert(workspaceMembers).values({ workspaceId: id, userId: people[who].id, role: 'owner' });
    }
    await (await api('viewer')).workspaces.switch({ workspaceId: DEFAULT_WORKSPACE.id });
  });
  afterAll(() => database.close());

  type Call = (who: Persona, f: Awaited<ReturnType<typeof fixture>>) => Promise<unknown>;
  const graphCases: [string, Need, Call][] = [
    ['graphs.get', 'read', async (w, f) => (await api(w)).graphs.get({ graphId: f.graphId })],
    ['graphs.versions', 'read', async (w, f) => (await api(w)).graphs.versions({ graphId: f.graphId })],
    ['graphs.export', 'read', async (w, f) => (await api(w)).graphs.export({ graphId: f.graphId })],
    ['graphs.diff', 'read', async (w, f) => (await api(w)).graphs.diff({ graphId: f.graphId, from: 1, to: 2 })],
    ['graphs.save', 'write', async (w, f) => (await api(w)).graphs.save({ graphId: f.graphId, document: pipelineGraph().doc, baseVersion: 2 })],
    ['graphs.restore', 'write', async (w, f) => (await api(w)).graphs.restore({ graphId: f.graphId, version: 1 })],
    ['graphs.rename', 'write', async (w, f) => (await api(w)).graphs.rename({ graphId: f.graphId, name: 'Renamed' })],
    ['graphs.delete', 'manage', async (w, f) => (await api(w)).graphs.delete({ graphId: f.graphId })],
    ['graphs.transfer', 'manage', async (w, f) => (await api(w)).graphs.transfer({ graphId: f.graphId, workspaceId: DEFAULT_WORKSPACE.id })],
    ['runs.list', 'read', async (w, f) => (await api(w)).runs.list({ graphId: f.graphId })],
    ['runs.get', 'read', async (w, f) => (await api(w)).runs.get({ runId: f.runId })],
    ['runs.start', 'write', async (w, f) => (await api(w)).runs.start({ graphId: f.graphId })],
    ['runs.cancel', 'write', async (w, f) => (await api(w)).runs.cancel({ runId: f.runId })],
    ['runs.events', 'read', async (w, f) => (await api(w)).runs.events({ runId: f.runId, afterSeq: 0 })],
    ['runs.nodeState', 'read', async (w, f) => (await api(w)).runs.nodeState({ graphId: f.graphId, document: pipelineGraph().doc })],
    ['shares.list', 'manage', async (w, f) => (await api(w)).shares.list({ graphId: f.graphId })],
    ['shares.add', 'manage', async (w, f) => (await api(w)).shares.add({ graphId: f.graphId, email: 'outsider@example.org', role: 'viewer' })],
    ['shares.remove', 'manage', async (w, f) => (await api(w)).shares.remove({ graphId: f.graphId, shareId: f.shareId })],
    ['shares.createLink', 'manage', async (w, f) => (await api(w)).shares.createLink({ graphId: f.graphId })],
    ['shares.revokeLink', 'manage', async (w, f) => (await api(w)).shares.revokeLink({ graphId: f.graphId, token: f.token })],
    ['shares.viewLink', 'public', async (w, f) => (await api(w)).shares.viewLink({ token: f.token })],
    ['graphs.fork', 'read', async (w, f) => (await api(w)).graphs.fork({ graphId: f.graphId })],
    ['models.predict', 'read', async (w, f) => (await api(w)).models.predict({ runId: f.runId, nodeId: 'n1', text: 'hello' })],
    ['models.exports', 'read', async (w, f) => (await api(w)).models.exports({ runId: f.runId })],
    ['reruns.plan', 'read', async (w, f) => (await api(w)).reruns.plan({ runId: f.runId, changes: [] })],
    ['reruns.start', 'write', async (w, f) => (await api(w)).reruns.start({ runId: f.runId, changes: [{ nodeId: 'n1', param: 'maxExamples', value: 50 }] })],
    ['compare.runs', 'read', async (w, f) => (await api(w)).compare.runs({ graphId: f.graphId, runIds: [f.runId] })],
    ['sweeps.plan', 'read', async (w, f) => (await api(w)).sweeps.plan({ graphId: f.graphId, nodeId: 'n9', params: [{ name: 'learningRate', values: [1e-3, 1e-4] }] })],
    ['sweeps.start', 'write', async (w, f) => (await api(w)).sweeps.start({ graphId: f.graphId, nodeId: 'n9', params: [{ name: 'learningRate', values: [1e-3, 1e-4] }] })],
    ['sweeps.list', 'read', async (w, f) => (await api(w)).sweeps.list({ graphId: f.graphId })],
    ['sweeps.get', 'read', async (w, f) => (await api(w)).sweeps.get({ graphId: f.graphId, sweepId: f.sweepId })],
    ['compute.estimate', 'read', async (w, f) => (await api(w)).compute.estimate({ graphId: f.graphId, document: pipelineGraph().doc })],
  ];

  /** Procedures that act in the caller's own current workspace (or need only a session): a stranger is refused, and what they return is checked below. */
  const workspaceCases: [string, Call][] = [
    ['graphs.list', async (w) => (await api(w)).graphs.list()],
    ['graphs.create', async (w) => (await api(w)).graphs.create({ name: 'x' })],
    ['graphs.import', async (w) => (await api(w)).graphs.import({ json: JSON.stringify(pipelineGraph().doc) })],
    ['graphs.check', async (w) => (await api(w)).graphs.check({ document: pipelineGraph().doc })],
    ['results.myRuns', async (w) => (await api(w)).results.myRuns({ limit: 5 })],
    ['compute.workers', async (w) => (await api(w)).compute.workers()],
    ['uploads.list', async (w) => (await api(w)).uploads.list()],
    ['uploads.preview', async (w) => (await api(w)).uploads.preview({ fileId: 'f_none' })],
    ['uploads.quota', async (w) => (await api(w)).uploads.quota()],
    ['uploads.delete', async (w) => (await api(w)).uploads.delete({ id: 'f_none' })],
    ['account.me', async (w) => (await api(w)).account.me()],
    ['workspaces.create', async (w) => (await api(w)).workspaces.create({ name: 'x' })],
    ['workspaces.switch', async (w) => (await api(w)).workspaces.switch({ workspaceId: DEFAULT_WORKSPACE.id })],
    ['workspaces.rename', async (w) => (await api(w)).workspaces.rename({ name: 'x' })],
    ['workspaces.members', async (w) => (await api(w)).workspaces.members()],
    ['workspaces.addMember', async (w) => (await api(w)).workspaces.addMember({ email: 'z@example.org', role: 'viewer' })],
    ['workspaces.setRole', async (w) => (await api(w)).workspaces.setRole({ userId: 'u_editor', role: 'editor' })],
    ['workspaces.removeMember', async (w) => (await api(w)).workspaces.removeMember({ userId: 'u_nobody' })],
    ['workspaces.cancelInvitation', async (w) => (await api(w)).workspaces.cancelInvitation({ email: 'z@example.org' })],
    ['shares.sharedWithMe', async (w) => (await api(w)).shares.sharedWithMe()],
  ];

  it('every procedure of the API is covered here (a new one must be added to a list)', () => {
    const covered = new Set([...graphCases.map(([n]) => n), ...workspaceCases.map(([n]) => n), 'account.setupState']);
    const all = Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures);
    expect(all.filter((p) => !covered.has(p))).toEqual([]);
  });

  it.each(workspaceCases)('%s refuses a stranger', async (_name, call) => {
    const f = await fixture();
    await expect(call('stranger', f)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it.each(graphCases)('%s needs %s', async (_name, need, call) => {
    for (const who of personas) {
      // A fresh graph per person, so that one person's delete or revoke does not decide the next one's answer.
      const f = await fixture();
      const outcome = await call(who, f).then(
        () => null,
        (err: unknown) => refusal(err),
      );
      const expected = allowed(who, need);
      expect({ who, allowed: outcome === null }).toEqual({ who, allowed: expected });
      if (!expected) expect({ who, code: outcome }).toEqual({ who, code: who === 'stranger' ? 'UNAUTHORIZED' : who === 'nonMember' ? 'NOT_FOUND' : 'FORBIDDEN' });
    }
  });

  it('a graph outside your reach looks missing, not forbidden', async () => {
    const f = await fixture();
    await expect((await api('nonMember')).graphs.get({ graphId: f.graphId })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no graph '${f.graphId}'` });
    await expect((await api('nonMember')).runs.get({ runId: f.runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('workspace procedures act only in the caller’s own workspaces', async () => {
    await expect((await api('stranger')).graphs.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect((await api('stranger')).account.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await (await api('stranger')).account.setupState()).signedIn).toBe(false);
    const f = await fixture();
    // The outsider lists, creates and imports in their own workspace and never sees the team's graphs.
    const outsider = await api('nonMember');
    const own = await outsider.graphs.create({ name: 'Mine' });
    const listed = (await outsider.graphs.list()).map((g) => g.id);
    expect(listed).toContain(own.id);
    expect(listed).not.toContain(f.graphId);
    // A viewer acting in the team workspace reads but cannot create, import or manage members.
    const viewer = await api('viewer');
    expect((await viewer.graphs.list()).map((g) => g.id)).toContain(f.graphId);
    // Each listed graph carries the caller's role on it: a share raises it for that graph only.
    const roleIn = async (who: Persona, graphId: string) => (await (await api(who)).graphs.list()).find((g) => g.id === graphId)?.role;
    expect(await roleIn('viewer', f.graphId)).toBe('viewer');
    expect(await roleIn('admin', f.graphId)).toBe('admin');
    const other = await fixture();
    await (await api('owner')).shares.add({ graphId: other.graphId, email: 'viewer@example.org', role: 'editor' });
    expect(await roleIn('viewer', other.graphId)).toBe('editor');
    expect(await roleIn('viewer', f.graphId)).toBe('viewer');
    await viewer.graphs.rename({ graphId: other.graphId, name: 'Renamed by its editor' });
    await expect(viewer.graphs.create({ name: 'nope' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(viewer.graphs.import({ json: JSON.stringify(pipelineGraph().doc) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(viewer.uploads.delete({ id: 'f_none' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(viewer.workspaces.addMember({ email: 'x@example.org', role: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(viewer.workspaces.rename({ name: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await viewer.workspaces.members()).members.length).toBeGreaterThanOrEqual(4);
    // Editors change graphs but do not manage people; admins do, but only the owner makes admins.
    await expect((await api('editor')).workspaces.addMember({ email: 'x@example.org', role: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect((await api('admin')).workspaces.addMember({ email: 'y@example.org', role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await (await api('admin')).workspaces.addMember({ email: 'y@example.org', role: 'editor' })).toEqual({ invited: true, email: 'y@example.org' });
    await expect((await api('admin')).workspaces.removeMember({ userId: LOCAL_USER.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect((await api('admin')).workspaces.setRole({ userId: LOCAL_USER.id, role: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Run results and uploads of the team workspace stay invisible to the outsider.
    expect((await outsider.results.myRuns({ limit: 100 })).some((r: { graphId?: string; id?: string }) => r.graphId === f.graphId)).toBe(false);
    // Switching to a workspace you are not in is refused as if it did not exist.
    await expect(outsider.workspaces.switch({ workspaceId: DEFAULT_WORKSPACE.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a share link only reads, and stops at once when revoked', async () => {
    const f = await fixture();
    const stranger = await api('stranger');
    const seen = await stranger.shares.viewLink({ token: f.token });
    expect(seen).toMatchObject({ name: 'Fixture', version: 2, readOnly: true });
    // Knowing the link gives no other access: the graph itself stays closed to a stranger and to outsiders.
    await expect(stranger.graphs.get({ graphId: f.graphId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect((await api('nonMember')).graphs.save({ graphId: f.graphId, document: pipelineGraph().doc, baseVersion: 2 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await (await api('owner')).shares.revokeLink({ graphId: f.graphId, token: f.token });
    await expect(stranger.shares.viewLink({ token: f.token })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'this link does not exist or was revoked' });
    await expect(stranger.shares.viewLink({ token: 'x'.repeat(32) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('shared graphs appear under Shared with me; a viewer forks into their own workspace; unsharing removes access', async () => {
    const f = await fixture();
    const sharedViewer = await api('sharedViewer');
    const list = await sharedViewer.shares.sharedWithMe();
    expect(list.find((g) => g.id === f.graphId)).toMatchObject({ name: 'Fixture', role: 'viewer', workspaceName: DEFAULT_WORKSPACE.name });
    expect((await sharedViewer.graphs.get({ graphId: f.graphId })).role).toBe('viewer');
    const fork = await sharedViewer.graphs.fork({ graphId: f.graphId });
    expect(fork.workspaceId).toBe('w_own_sharedViewer');
    expect((await sharedViewer.graphs.get({ graphId: fork.id })).document).toEqual((await sharedViewer.graphs.get({ graphId: f.graphId })).document);
    // The team's viewer forks too, into the workspace they own, not the one they only view.
    expect((await (await api('viewer')).graphs.fork({ graphId: f.graphId })).workspaceId).toBe('w_own_viewer');
    const owner = await api('owner');
    const share = (await owner.shares.list({ graphId: f.graphId })).shares.find((s) => s.userId === people.sharedViewer.id)!;
    await owner.shares.remove({ graphId: f.graphId, shareId: share.id });
    await expect(sharedViewer.graphs.get({ graphId: f.graphId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await sharedViewer.shares.sharedWithMe()).map((g) => g.id)).not.toContain(f.graphId);
  });

  it('sharing with a workspace gives all its members the role', async () => {
    const f = await fixture();
    const owner = await api('owner');
    // The owner belongs to the outsider's workspace as a viewer, so may share into it.
    await database.db.insert(workspaceMembers).values({ workspaceId: 'w_own_nonMember', userId: LOCAL_USER.id, role: 'viewer' });
    await owner.shares.add({ graphId: f.graphId, workspaceId: 'w_own_nonMember', role: 'editor' });
    const outsider = await api('nonMember');
    expect((await outsider.graphs.get({ graphId: f.graphId })).role).toBe('editor');
    await expect(owner.shares.add({ graphId: f.graphId, workspaceId: 'w_nowhere', role: 'viewer' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
